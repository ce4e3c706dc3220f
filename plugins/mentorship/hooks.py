"""Hook wiring of the mentorship plugin (nothing yet: the activity lands in its own issue)."""
