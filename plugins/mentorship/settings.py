"""Per-organisation settings of mentorship (``pluginConfigure``), checked by pydantic."""

from __future__ import annotations

from pydantic import Field

from core.plugin_api import PluginSettings


class MentorshipSettings(PluginSettings):
    mentor_capacity: int = Field(
        default=10, ge=1, le=50, description="Active apprentices one mentor may have in this organisation."
    )
