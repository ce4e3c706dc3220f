"""Per-organisation settings of challenges (``pluginConfigure``), checked by pydantic."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from core.plugin_api import PluginSettings

ChainName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class ChallengesSettings(PluginSettings):
    industry_chains: list[ChainName] = Field(
        default_factory=list,
        max_length=50,
        description="Industry chains problems posted here may name (e.g. the city's 16 key chains). "
        "Empty: the nearest ancestor's list applies; with none anywhere, any chain name is accepted.",
    )
    max_teams: int = Field(
        default=1, ge=1, le=10, description="How many bids the poster may accept for one problem (teams)."
    )
    allow_own_members: bool = Field(
        default=False,
        description="Whether members of this organisation (and its own studios' offers) may take its problems.",
    )
    match_notify_threshold: int = Field(
        default=70,
        ge=0,
        le=100,
        description="Offers scoring at least this against a newly opened problem are notified.",
    )
