"""Forum (创新论坛沙龙): innovation salons, technical exchanges and talks."""

__version__ = "0.1.0"
