"""Hook wiring of the forum plugin (nothing yet: the activity lands in its own issue)."""
