"""Input checks that report every problem at once, each with its field named."""

from __future__ import annotations

from core import errors
from core.errors import UserError, UserInputError


class Checks:
    def __init__(self) -> None:
        self.problems: list[UserError] = []

    def add(self, code: str, message: str, field: str | None) -> None:
        self.problems.append(UserError(code=code, message=message, field=field))

    def text(self, value: str | None, field: str, max_length: int, *, required: bool = True) -> str:
        """The trimmed text; blank (when required) and over-long are problems."""
        cleaned = (value or "").strip()
        if required and not cleaned:
            self.add(errors.BLANK, f"`{field}` must not be blank", field)
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
