"""Hook wiring of the training plugin (nothing yet: the activity lands in its own issue)."""
