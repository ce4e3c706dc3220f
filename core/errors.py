"""Errors: payload ``UserError`` for expected failures, ``PublicError`` for top-level ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError

# Stable codes clients switch on. Plugins define their own next to their rules.
BLANK = "BLANK"
TOO_LONG = "TOO_LONG"
OUT_OF_RANGE = "OUT_OF_RANGE"
INVALID_ID = "INVALID_ID"
NOT_FOUND = "NOT_FOUND"
PERMISSION_DENIED = "PERMISSION_DENIED"
UNAUTHENTICATED = "UNAUTHENTICATED"
INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
INVALID_TOKEN = "INVALID_TOKEN"
RATE_LIMITED = "RATE_LIMITED"
CYCLE = "CYCLE"
ALREADY_MEMBER = "ALREADY_MEMBER"
NOT_MEMBER = "NOT_MEMBER"
NOT_AN_ALLIANCE = "NOT_AN_ALLIANCE"
# Consent: adding an existing person (or an organisation to an alliance) needs their acceptance.
INVITATION_REQUIRED = "INVITATION_REQUIRED"
INVITATION_NOT_PENDING = "INVITATION_NOT_PENDING"
DUPLICATE = "DUPLICATE"
USERNAME_TAKEN = "USERNAME_TAKEN"
PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
UNKNOWN_PLUGIN = "UNKNOWN_PLUGIN"
PLUGIN_DISABLED = "PLUGIN_DISABLED"
INVALID_SETTING = "INVALID_SETTING"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"
# PostgreSQL or Redis is down, frozen or timed out: retry later (HTTP 503).
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


@strawberry.type(description="An expected failure of a mutation; clients switch on `code`.")
class UserError:
    code: str
    message: str
    field: str | None = None


class UserInputError(Exception):
    """Raised by services for expected failures; mutations turn it into payload errors."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.errors = [UserError(code=code, message=message, field=field)]

    @classmethod
    def many(cls, errors: Iterable[UserError]) -> UserInputError:
        errors = list(errors)
        exc = cls(errors[0].code, errors[0].message, errors[0].field)
        exc.errors = errors
        return exc


class PublicError(GraphQLError):
    """A top-level error whose message and code are safe to show, even in production."""

    def __init__(self, message: str, code: str, field: str | None = None, **kw: Any) -> None:
        extensions: dict[str, Any] = {"code": code}
        if field is not None:
            extensions["field"] = field
        super().__init__(message, extensions=extensions, **kw)
