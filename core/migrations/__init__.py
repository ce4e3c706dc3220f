"""Core migrations (Tortoise ORM)."""
