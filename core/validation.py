"""Input checks that report every problem at once, each with its field named."""

from __future__ import annotations

import re

from core import errors
from core.errors import UserError, UserInputError

# C0 and C1 control characters except tab and newline, and lone surrogates (which cannot be
# encoded as UTF-8, so no database takes them). Every string argument is held to this by
# schema.inputs before any resolver runs; Checks.text applies it again for other callers.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Also refused in single-line fields (names, titles): tab, newline and Unicode line breaks.
LINE_BREAKS = re.compile("[\t\n\u2028\u2029]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


class Checks:
    def __init__(self) -> None:
        self.problems: list[UserError] = []

    def add(self, code: str, message: str, field: str | None) -> None:
        self.problems.append(UserError(code=code, message=message, field=field))

    def text(
        self,
        value: str | None,
        field: str,
        max_length: int,
        *,
        required: bool = True,
        single_line: bool = False,
    ) -> str:
        """The trimmed text; blank (when required), control characters, line breaks (with
        ``single_line``) and over-long are problems."""
        cleaned = (value or "").strip()
        if required and not cleaned:
            self.add(errors.BLANK, f"`{field}` must not be blank", field)
        elif has_control_characters(cleaned) or (single_line and LINE_BREAKS.search(cleaned)):
            what = "control characters or line breaks" if single_line else "control characters"
            self.add(errors.INVALID_CHARACTERS, f"`{field}` must not contain {what}", field)
        elif len(cleaned) > max_length:
            self.add(errors.TOO_LONG, f"`{field}` is longer than {max_length} characters", field)
        return cleaned

    def in_range(self, value: int, field: str, low: int, high: int) -> int:
        if not low <= value <= high:
            self.add(errors.OUT_OF_RANGE, f"`{field}` must be between {low} and {high}", field)
        return value

    def raise_if_any(self) -> None:
        if self.problems:
            raise UserInputError.many(self.problems)
