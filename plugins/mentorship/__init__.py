"""Mentorship (名师带徒): master–apprentice agreements, progress and graduation."""

__version__ = "0.1.0"
