"""Every error code the forum can answer is produced by a test through the API or a service."""

from __future__ import annotations

from pathlib import Path

from plugins.forum import errors as forum_errors

HERE = Path(__file__).resolve().parent
SHARED = (
    "PERMISSION_DENIED",
    "UNAUTHENTICATED",
    "PLUGIN_DISABLED",
    "NOT_FOUND",
    "INVALID_ID",
    "BLANK",
    "TOO_LONG",
    "OUT_OF_RANGE",
    "INVALID_CHARACTERS",
)


def test_every_code_is_asserted_somewhere() -> None:
    codes = [value for name, value in vars(forum_errors).items() if name.isupper() and isinstance(value, str)]
    assert len(codes) >= 15
    tests = "".join(p.read_text(encoding="utf-8") for p in HERE.glob("test_*.py") if p.name != Path(__file__).name)
    missing = [code for code in (*codes, *SHARED) if f'"{code}"' not in tests]
    assert missing == []
