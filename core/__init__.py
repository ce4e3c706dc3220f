"""Guildhall core: organisations, people, auth and the plugin platform."""

import pluggy

__version__ = "0.1.0"

PROJECT = "guildhall"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["PROJECT", "__version__", "hookimpl", "hookspec"]
