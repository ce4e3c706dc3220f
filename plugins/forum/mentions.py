"""``@name`` mentions: finding them in a post's body and resolving them to people.

The rule (also in README.md):

- a mention is ``@`` followed by a run of name characters (letters of any script, digits, ``_``,
  ``·``, ``-``), not preceded by a Latin letter, digit, ``_`` or ``.`` (so ``wang@example.com`` is
  not one); the run stops at whitespace or punctuation (``，。！？、：`` included);
- Chinese names are written without a space after them (``@王建国师傅好``), so the run is matched
  against people's names by its *longest prefix*: ``王建国师傅好`` tries ``王建国师傅好``,
  ``王建国师傅`` … down to two characters, and the first prefix that names someone wins;
- only people of the board's community are candidates: members of the board's organisation (for
  an alliance also of its member organisations) and people who already posted in the thread.
  Strangers are never notified by a forum they cannot post in;
- a prefix that names two or more candidates is ambiguous: the mention resolves to nobody (it
  stays plain text) rather than to the wrong person, and shorter prefixes are not tried;
- at most ``MAX_MENTIONS`` different ``@`` runs per post (``TOO_MANY_MENTIONS``): a post cannot
  notify a whole alliance. Resolution costs a fixed number of statements.
"""

from __future__ import annotations

import re
from collections import defaultdict

from core.organisations.models import AllianceMembership
from core.people.models import Membership, Person
from plugins.forum.models import ForumPost

MAX_MENTIONS = 20
NAME_MAX = 30
NAME_MIN = 2
MENTION = re.compile(rf"(?<![0-9A-Za-z_.@])@([\w·・\-]{{1,{NAME_MAX}}})")


def candidates(body: str) -> list[str]:
    """The distinct ``@`` runs of ``body``, in order of appearance."""
    return list(dict.fromkeys(match.group(1) for match in MENTION.finditer(body)))


def _prefixes(run: str) -> list[str]:
    """Longest first, down to ``NAME_MIN`` characters."""
    return [run[:end] for end in range(len(run), NAME_MIN - 1, -1)]


async def resolve(runs: list[str], board_id: int, thread_id: int | None) -> list[int]:
    """Person ids the runs name among the board's community (see the module's rule), in order."""
    if not runs:
        return []
    names = {prefix for run in runs for prefix in _prefixes(run)}
    people = await Person.filter(name__in=sorted(names)).values_list("id", "name")
    if not people:
        return []
    ids = [pid for pid, _ in people]
    community = {
        board_id,
        *await AllianceMembership.filter(alliance_id=board_id).values_list("organisation_id", flat=True),
    }
    in_scope = set(
        await Membership.filter(person_id__in=ids, organisation_id__in=list(community)).values_list(
            "person_id", flat=True
        )
    )
    if thread_id is not None:
        in_scope |= set(
            await ForumPost.filter(thread_id=thread_id, author_id__in=ids).values_list("author_id", flat=True)
        )
    by_name: dict[str, list[int]] = defaultdict(list)
    for pid, name in people:
        if pid in in_scope:
            by_name[name].append(pid)
    found: list[int] = []
    for run in runs:
        for prefix in _prefixes(run):
            named = by_name.get(prefix, [])
            if len(named) == 1:
                found.append(named[0])
            if named:
                break  # resolved, or ambiguous: never a shorter (wrong) name
    return list(dict.fromkeys(found))
