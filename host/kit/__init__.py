"""The plugin kit: ``guildhall plugin new`` writes a plugin package from ``host/kit/templates``."""

from host.kit.scaffold import PluginNames, new_plugin, validate_name

__all__ = ["PluginNames", "new_plugin", "validate_name"]
