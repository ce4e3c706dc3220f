"""The mobile screens the benchmark measures: a GraphQL document (``benchmarks/documents/``)
and the hand-written endpoint that answers the same JSON (``benchmarks/limit.py``).

To add a screen: write ``documents/<name>.graphql``, an ``async def <name>(sql, variables,
person_id)`` in ``limit.py`` registered in ``limit.HANDLERS`` (``person_id`` is the viewer's for a
signed-in screen, None otherwise), seed its rows in ``dataset.py`` (guarded by the plugin being
installed), and add a ``Screen`` below; ``requires`` names the plugin, so the screen is skipped
where it is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.dataset import Dataset
from core.relay import to_global_id

DOCUMENTS = Path(__file__).parent / "documents"


@dataclass(frozen=True)
class Screen:
    name: str
    title: str
    variables: Callable[[Dataset], dict[str, Any]] = lambda data: {}
    # The constant-rate load (requests/s); the target is p99 <= 50 ms at 100 req/s.
    rate: float = 100.0
    signed_in: bool = False
    # Saturation needs only enough clients to keep one worker busy; a slow screen gets fewer,
    # so a run does not leave seconds of queued work behind it.
    connections: int = 16
    requires: tuple[str, ...] = field(default=())

    @property
    def document(self) -> str:
        return (DOCUMENTS / f"{self.name}.graphql").read_text()


SCREENS: list[Screen] = [
    Screen(
        "home",
        "home (me: memberships with recent threads, mentorships, training, notifications)",
        signed_in=True,
        requires=("mentorship", "training", "forum"),
    ),
    Screen(
        "studio",
        "studio page (organisation, 20 members, skills, honours)",
        lambda data: {"id": to_global_id("Organisation", data.studio_id)},
    ),
    # Far from 100 req/s today; its constant rate is what it should hold comfortably once fixed.
    Screen("list", "list: organisations(first:100){members(first:20){skills}}", rate=1.0, connections=2),
    Screen("node", "node lookup of one person", lambda data: {"id": to_global_id("Person", data.person_id)}),
    Screen(
        "thread",
        "forum thread, 50 posts with authors and reactions",
        lambda data: {"id": to_global_id("ForumThread", data.thread_id)},
        signed_in=True,
        requires=("forum",),
    ),
    Screen(
        "challenges",
        "challenge board (issue #11's Board: OPEN problems of one chain, first 20), signed out",
        lambda data: {"first": 20, "chain": data.chain},
        requires=("challenges",),
    ),
]


def available(installed: set[str], wanted: list[str] | None) -> list[Screen]:
    return [s for s in SCREENS if set(s.requires) <= installed and (not wanted or s.name in wanted)]
