"""The host's suite uses the fixtures every plugin's tests use: the ``guildhall`` pytest plugin
(``host/testing/plugin.py``), which pytest loads through its ``pytest11`` entry point.

``guildhall_entry_points = false`` (pyproject.toml) keeps this suite on core and the in-tree
plugins, whatever else is installed in the environment.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("guildhall"):
        raise pytest.UsageError(
            "the guildhall pytest plugin is not loaded: install the package (`make install`) and do not "
            "set PYTEST_DISABLE_PLUGIN_AUTOLOAD"
        )
