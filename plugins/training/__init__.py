"""Training (技能培训): courses, sessions with seats and waitlists, check-in, certificates."""

__version__ = "0.1.0"
