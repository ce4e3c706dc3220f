"""Per-organisation settings of training (``pluginConfigure``), checked by pydantic."""

from __future__ import annotations

from pydantic import Field

from core.plugin_api import PluginSettings, TimeZoneName


class TrainingSettings(PluginSettings):
    timezone: TimeZoneName = Field(
        default="Asia/Shanghai", description="Years in `trainingStats` are calendar years in this time zone."
    )
    check_in_opens_minutes: int = Field(
        default=30, ge=0, le=24 * 60,
        description="Check-in opens this many minutes before a session starts and closes when it ends.",
    )
