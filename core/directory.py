"""Shared pieces of the people and organisation directories: bounded text arguments, search
terms, and organisation sets (a subtree, an alliance's members) as SQL subqueries.

Every filter here becomes part of the list's one COUNT and one SELECT: organisation sets are
recursive common table expressions inside the statement, never rows loaded first, so a
directory page costs the same number of statements whatever the filters and the tree's size.
``WITH RECURSIVE`` runs on SQLite (3.8.3+) and PostgreSQL alike. Integers are the only values
written into that SQL, and only ones parsed from global IDs (``core.relay``).
"""

from __future__ import annotations

from core import errors
from core.errors import PublicError
from core.validation import has_control_characters

SEARCH_MAX = 100  # characters of a search string
SEARCH_TERMS_MAX = 5  # words of a search string, each must match
FILTER_TEXT_MAX = 100  # characters of a text filter (region, industry, honour title)

# Common names for honours that the stored titles spell out in full: 劳模 is what people type,
# 全国劳动模范 what certificates say.
SEARCH_ALIASES: dict[str, tuple[str, ...]] = {
    "劳模": ("劳动模范",),
    "五一奖章": ("五一劳动奖章",),
}


def filter_text(value: str | None, field: str, max_length: int = FILTER_TEXT_MAX) -> str | None:
    """A trimmed text argument, None when absent or blank; too long or control characters are
    top-level errors naming the argument (queries have no payload)."""
    if value is None:
        return None
    cleaned = value.strip()
    if len(cleaned) > max_length:
        raise PublicError(f"`{field}` is longer than {max_length} characters", errors.TOO_LONG, field)
    if has_control_characters(cleaned):
        raise PublicError(f"`{field}` must not contain control characters", errors.INVALID_CHARACTERS, field)
    return cleaned or None


def search_terms(search: str | None) -> list[str]:
    """The words of ``search`` (split on spaces, at most ``SEARCH_TERMS_MAX``); each must match."""
    text = filter_text(search, "search", SEARCH_MAX)
    if text is None:
        return []
    terms = list(dict.fromkeys(text.split()))
    if len(terms) > SEARCH_TERMS_MAX:
        raise PublicError(f"`search` has more than {SEARCH_TERMS_MAX} words", errors.OUT_OF_RANGE, "search")
    return terms


def term_variants(term: str) -> tuple[str, ...]:
    """The term and what it commonly stands for (``劳模`` -> ``劳动模范``)."""
    return (term, *SEARCH_ALIASES.get(term, ()))


def _recursive(start: str) -> str:
    return (
        "(WITH RECURSIVE directory_tree(id) AS ("
        f"{start} UNION "
        "SELECT o.id FROM core_organisation o JOIN directory_tree t ON o.parent_id = t.id"
        ") SELECT id FROM directory_tree)"
    )


def subtree_sql(organisation_id: int) -> str:
    """Ids of the organisation and every organisation below it, as a subquery."""
    return _recursive(f"SELECT id FROM core_organisation WHERE id = {int(organisation_id)}")


def descendants_sql(organisation_id: int) -> str:
    """Ids of the organisations below this one (not itself), as a subquery."""
    return _recursive(f"SELECT id FROM core_organisation WHERE parent_id = {int(organisation_id)}")


def alliance_sql(alliance_id: int) -> str:
    """Ids of an alliance's member organisations and everything below them, as a subquery."""
    return _recursive(f"SELECT organisation_id FROM core_alliance_membership WHERE alliance_id = {int(alliance_id)}")


def reach_sql(organisation_id: int) -> str:
    """Ids an organisation's people come from: its subtree and, for an alliance, its members'
    subtrees (an alliance has no members of its own but the people of its organisations)."""
    return _recursive(
        f"SELECT id FROM core_organisation WHERE id = {int(organisation_id)} UNION "
        f"SELECT organisation_id FROM core_alliance_membership WHERE alliance_id = {int(organisation_id)}"
    )
