"""Domain events of other plugins the assessment observes (``on_event``), by name, never by import."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from core.plugin_api import DomainEvent
from plugins.assessment.services import record_solved_problem

PROBLEM_SOLVED = "challenges.problem_solved"


def observe(event: DomainEvent) -> Awaitable[Any] | None:
    """A solved challenge becomes an achievement of each solving studio (idempotently)."""
    if event.name == PROBLEM_SOLVED:
        return record_solved_problem(event.payload)
    return None
