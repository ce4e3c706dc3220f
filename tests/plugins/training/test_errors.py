"""Every error code of the plugin is stable and exercised by a test."""

from __future__ import annotations

from pathlib import Path

from plugins.training import errors

HERE = Path(__file__).resolve().parent


def test_every_error_code_is_tested() -> None:
    codes = {value for name, value in vars(errors).items() if name.isupper() and isinstance(value, str)}
    assert len(codes) >= 15
    assert all(code == code.upper() and " " not in code for code in codes)
    files = [path for path in HERE.glob("test_*.py") if path.name != "test_errors.py"]
    tests = "".join(path.read_text(encoding="utf-8") for path in files)
    untested = sorted(code for code in codes if f'"{code}"' not in tests)
    assert untested == []


def test_warnings_are_codes_of_the_plugin() -> None:
    assert {errors.ALREADY_ENROLLED, errors.ALREADY_CHECKED_IN} == errors.WARNINGS
