"""Shared mutation plumbing.

Every payload subclasses ``Payload`` and adds its noun (``course: TrainingCourse | None = None``).
Resolvers raise nothing themselves: the host's ``MutationGuard`` turns a service's
``UserInputError`` into ``Payload(errors=...)`` and clears the request's loaders afterwards.
"""

from __future__ import annotations

import strawberry

from core.errors import UserError


@strawberry.type
class Payload:
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures (and warnings such as ALREADY_ENROLLED)."
    )

