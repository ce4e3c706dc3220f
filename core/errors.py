"""Errors: payload ``UserError`` for expected failures, ``PublicError`` for top-level ones."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError

# Stable codes clients switch on. Plugins define their own next to their rules.
BLANK = "BLANK"
TOO_LONG = "TOO_LONG"
INVALID_CHARACTERS = "INVALID_CHARACTERS"
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
NOT_A_STUDIO = "NOT_A_STUDIO"
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
# Limits (README "Limits").
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
QUERY_TIMEOUT = "QUERY_TIMEOUT"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
TOO_MANY_IDS = "TOO_MANY_IDS"


# Echoed input in messages: every quoted value is cut to a short prefix, and the whole message too.
ECHO_LIMIT = 40
MESSAGE_LIMIT = 400
# A quoted value opens after a space or bracket and closes before one (or the end), so the
# quotes of "Variable '$x' got invalid value '…'" pair up as the message means them.
_QUOTED = re.compile(
    r"(?<![^\s(\[{:=,])'((?:[^'\\]|\\.){" + str(ECHO_LIMIT) + r"})(?:[^'\\]|\\.)*?(?:'(?=$|[\s.,;:)\]}?!])|$)"
    + "|"
    + r'(?<![^\s(\[{:=,])"((?:[^"\\]|\\.){' + str(ECHO_LIMIT) + r'})(?:[^"\\]|\\.)*?(?:"(?=$|[\s.,;:)\]}?!])|$)'
)


def shorten(message: str) -> str:
    """``message`` with every quoted value cut to ``ECHO_LIMIT`` characters and "…", and the
    whole to ``MESSAGE_LIMIT``: errors never echo more than a short prefix of the input."""
    # Cut first: the pattern is linear per quote, but not to be run over megabytes.
    message = _QUOTED.sub(lambda m: f"'{m[1]}…'" if m[1] is not None else f'"{m[2]}…"',
                          message[: 4 * MESSAGE_LIMIT])
    return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 1] + "…"

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
        message = shorten(message)
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
        super().__init__(shorten(message), extensions=extensions, **kw)
