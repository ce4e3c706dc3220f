"""Per-organisation settings of the forum (``pluginConfigure``), checked by pydantic."""

from __future__ import annotations

from pydantic import Field

from core.plugin_api import PluginSettings


class ForumSettings(PluginSettings):
    edit_window_hours: int = Field(
        default=24,
        ge=0,
        le=24 * 7,
        description="Authors may edit their posts for this many hours after posting (0: never).",
    )
