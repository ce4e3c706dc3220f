"""Mentor suggestions: who could take this apprentice in this skill, ranked and explained.

Candidates are people whose level in the skill is better than the apprentice's, who belong to
an organisation that has the plugin on and still has a free place for them there (that
organisation is the suggested venue: mentoring happens in the master's studio), and who have no
open agreement with the apprentice in the skill already. Nobody at capacity or unqualified is
suggested.

Score, 0–100, the sum of five explainable parts (each gives one or more ``reasons``):

==============  =====  ==============================================================
skill           ≤ 40   10 per grade the mentor is above the apprentice, at most 4
honours         ≤ 20   national 10, provincial 8, municipal 6, district 4, enterprise 3,
                       school 2, summed
free capacity   ≤ 15   15 × free places / capacity, at the best venue
closeness       ≤ 15   15 same organisation as the apprentice, 10 same alliance
track record    ≤ 10   average graduation score / 10, in full from 3 graduates on
==============  =====  ==============================================================

Ties go to the better level, then the lower id. The work is a fixed number of queries
(candidates, memberships, loads, honours, alliances, records, open pairs, settings), each
filtered by a subquery, whatever the number of candidates.

``suggest_mentors(rt, ...)`` is the rule; ``suggest_mentors_as(ctx, ...)`` asks the viewer to be
signed in first.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from tortoise.expressions import Subquery
from tortoise.functions import Count, Sum

from core import errors as core_errors
from core.context import Context
from core.errors import UserInputError
from core.organisations.activation import effective_settings
from core.organisations.models import AllianceMembership, OrganisationPlugin
from core.people.models import Honour, HonourLevel, Membership, Person
from core.relay import MAX_PAGE
from core.runtime import Runtime
from core.skills.models import GRADE_NAMES_ZH, PersonSkill, Skill
from plugins.mentorship import PLUGIN, access
from plugins.mentorship.models import OPEN_STATUSES, MentorLoad, Mentorship, MentorshipStatus
from plugins.mentorship.services import level_in
from plugins.mentorship.settings import MentorshipSettings

HONOUR_POINTS = {
    HonourLevel.NATIONAL: 10,
    HonourLevel.PROVINCIAL: 8,
    HonourLevel.MUNICIPAL: 6,
    HonourLevel.DISTRICT: 4,
    HonourLevel.ENTERPRISE: 3,
    HonourLevel.SCHOOL: 2,
}
SKILL_POINTS_PER_GRADE, SKILL_MAX = 10, 40
HONOURS_MAX = 20
CAPACITY_MAX = 15
SAME_ORGANISATION, SAME_ALLIANCE = 15, 10
RECORD_MAX, RECORD_FULL_AT = 10, 3
HONOURS_SHOWN = 2


@dataclass(frozen=True)
class Suggestion:
    mentor_id: int
    organisation_id: int
    level: int
    score: float
    reasons: list[str] = field(default_factory=list)
    free_places: int = 0
    capacity: int = 0


@dataclass
class _Facts:
    """Everything the scoring needs, loaded in bulk."""

    skill_name: str
    apprentice_level: int
    apprentice_orgs: set[int]
    alliance_peers: set[int]
    capacities: dict[int, int]
    levels: dict[int, int]
    orgs_of: dict[int, set[int]]
    loads: dict[tuple[int, int], int]
    honours_of: dict[int, list[tuple[str, HonourLevel, int]]]
    records: dict[int, tuple[int, float]]
    taken: set[int]


async def _capacities(rt: Runtime) -> dict[int, int]:
    """Capacity of every organisation that has the plugin on."""
    rows = await OrganisationPlugin.filter(plugin=PLUGIN, enabled=True).values_list("organisation_id", "settings")
    capacities = {}
    for org_id, stored in rows:
        settings = effective_settings(rt.registry, PLUGIN, stored if isinstance(stored, dict) else {})
        assert isinstance(settings, MentorshipSettings)
        capacities[org_id] = settings.mentor_capacity
    return capacities


async def _facts(rt: Runtime, apprentice_id: int, skill: Skill) -> _Facts:
    apprentice_level = await level_in(apprentice_id, skill.id)
    candidates = PersonSkill.filter(skill_id=skill.id, level__lt=apprentice_level).exclude(person_id=apprentice_id)

    def candidate_ids() -> Subquery:
        return Subquery(candidates.values("person_id"))

    apprentice_orgs = {
        org_id for (org_id,) in await Membership.filter(person_id=apprentice_id).values_list("organisation_id")
    }
    peers: set[int] = set()
    if apprentice_orgs:
        alliances = AllianceMembership.filter(organisation_id__in=list(apprentice_orgs)).values("alliance_id")
        peers = {
            org_id
            for (org_id,) in await AllianceMembership.filter(alliance_id__in=Subquery(alliances)).values_list(
                "organisation_id"
            )
        }
    levels = dict(await candidates.values_list("person_id", "level"))
    orgs_of: dict[int, set[int]] = defaultdict(set)
    loads: dict[tuple[int, int], int] = {}
    honours_of: dict[int, list[tuple[str, HonourLevel, int]]] = defaultdict(list)
    records: dict[int, tuple[int, float]] = {}
    if levels:
        for person_id, org_id in await Membership.filter(person_id__in=candidate_ids()).values_list(
            "person_id", "organisation_id"
        ):
            orgs_of[person_id].add(org_id)
        for mentor_id, org_id, active in await MentorLoad.filter(mentor_id__in=candidate_ids()).values_list(
            "mentor_id", "organisation_id", "active"
        ):
            loads[(mentor_id, org_id)] = active
        for person_id, title, level, year in await Honour.filter(person_id__in=candidate_ids()).values_list(
            "person_id", "title", "level", "year"
        ):
            honours_of[person_id].append((title, HonourLevel(level), year))
        graduated = (
            await Mentorship.filter(
                mentor_id__in=candidate_ids(), status=MentorshipStatus.COMPLETED, score__isnull=False
            )
            .annotate(graduates=Count("id"), total=Sum("score"))
            .group_by("mentor_id")
            .values_list("mentor_id", "graduates", "total")
        )
        # Sum and count, not AVG: Tortoise casts an average back to the (integer) field type.
        records = {mentor_id: (n, int(total) / n) for mentor_id, n, total in graduated}
    taken = {
        mentor_id
        for (mentor_id,) in await Mentorship.filter(
            apprentice_id=apprentice_id, skill_id=skill.id, status__in=list(OPEN_STATUSES)
        ).values_list("mentor_id")
    }
    return _Facts(
        skill_name=skill.name,
        apprentice_level=apprentice_level,
        apprentice_orgs=apprentice_orgs,
        alliance_peers=peers,
        capacities=await _capacities(rt) if levels else {},
        levels=levels,
        orgs_of=orgs_of,
        loads=loads,
        honours_of=honours_of,
        records=records,
        taken=taken,
    )


def _score(facts: _Facts, person_id: int) -> Suggestion | None:
    level = facts.levels[person_id]
    if person_id in facts.taken:
        return None
    venues = []
    for org_id in facts.orgs_of.get(person_id, ()):
        capacity = facts.capacities.get(org_id)
        if capacity is None:
            continue
        free = capacity - facts.loads.get((person_id, org_id), 0)
        if free > 0:
            venues.append((org_id in facts.apprentice_orgs, free / capacity, -org_id, free, capacity))
    if not venues:
        return None
    *_, neg_org, free, capacity = max(venues)
    reasons = [f"{GRADE_NAMES_ZH[level]} in {facts.skill_name}"]
    points: float = SKILL_POINTS_PER_GRADE * min(facts.apprentice_level - level, SKILL_MAX // SKILL_POINTS_PER_GRADE)

    honours = sorted(facts.honours_of.get(person_id, []), key=lambda h: (-HONOUR_POINTS[h[1]], -h[2]))
    points += min(HONOURS_MAX, sum(HONOUR_POINTS[h[1]] for h in honours))
    reasons += [f"{title} ({year})" for title, _level, year in honours[:HONOURS_SHOWN]]

    points += CAPACITY_MAX * free / capacity
    reasons.append(f"{free} of {capacity} places free")

    orgs = facts.orgs_of[person_id]
    if orgs & facts.apprentice_orgs:
        points += SAME_ORGANISATION
        reasons.append("same organisation")
    elif orgs & facts.alliance_peers:
        points += SAME_ALLIANCE
        reasons.append("same alliance")

    if person_id in facts.records:
        graduates, average = facts.records[person_id]
        points += RECORD_MAX * average / 100 * min(graduates, RECORD_FULL_AT) / RECORD_FULL_AT
        noun = "apprentice" if graduates == 1 else "apprentices"
        reasons.append(f"{graduates} {noun} graduated, average score {average:.0f}")

    return Suggestion(
        mentor_id=person_id,
        organisation_id=-neg_org,
        level=level,
        score=round(points, 1),
        reasons=reasons,
        free_places=free,
        capacity=capacity,
    )


async def suggest_mentors(rt: Runtime, apprentice_id: int, skill_id: int, first: int) -> list[Suggestion]:
    """The ``first`` best possible mentors of the apprentice in the skill, best first."""
    if not 0 <= first <= MAX_PAGE:
        raise UserInputError(core_errors.OUT_OF_RANGE, f"`first` must be between 0 and {MAX_PAGE}", "first")
    skill = await Skill.get_or_none(id=skill_id)
    if skill is None:
        raise UserInputError(core_errors.NOT_FOUND, "No skill with this `skillId`", "skillId")
    if not await Person.exists(id=apprentice_id):
        raise UserInputError(core_errors.NOT_FOUND, "No person with this `apprenticeId`", "apprenticeId")
    facts = await _facts(rt, apprentice_id, skill)
    scored = (s for s in (_score(facts, p) for p in facts.levels) if s is not None)
    return heapq.nlargest(first, scored, key=lambda s: (s.score, -s.level, -s.mentor_id))


async def suggest_mentors_as(ctx: Context, apprentice_id: int, skill_id: int, first: int) -> list[Suggestion]:
    """Any signed-in viewer may ask."""
    access.require_signed_in(ctx)
    return await suggest_mentors(ctx.rt, apprentice_id, skill_id, first)
