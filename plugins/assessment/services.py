"""Achievements (成果库): recording them with their people, awards and benefit, promoting them to
competitions, rationalisation proposal tallies, and achievements made from solved challenges.

The yearly assessment is in ``assessment.py``, the statistics in ``stats.py`` and their files
in ``exports.py``. Everywhere, ``rule(rt, ...)`` does the work without any permission check
(callable without GraphQL) and ``rule_as(ctx, ...)`` checks the viewer (``access.py``), then
calls it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from core import errors, lookups
from core.context import Context
from core.errors import UserInputError
from core.organisations.models import Organisation, OrganisationKind
from core.people.models import Membership, Person
from core.plugin_api import STUDIO_YEAR_ZONE
from core.relay import MAX_KEY
from core.runtime import Runtime
from core.validation import Checks
from plugins.assessment import errors as assessment_errors
from plugins.assessment.access import require_manage, require_promote
from plugins.assessment.models import (
    PATENT_KINDS,
    Achievement,
    AchievementAward,
    AchievementContributor,
    AchievementKind,
    AchievementSource,
    AwardLevel,
    ProposalTally,
)

log = logging.getLogger(__name__)

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
PATENT_NUMBER_MAX = 40
CHAIN_MAX = 100
NOTE_MAX = 500
RANK_MAX = 50
MAX_CONTRIBUTORS = 50
MAX_BENEFIT = 10**13  # yuan: ten trillion, far above any studio
MAX_PROPOSALS = 10_000_000
FIRST_YEAR = 1950


@dataclass
class AchievementFields:
    title: str
    kind: AchievementKind
    year: int
    patent_number: str | None = None
    description: str | None = None
    industry_chain: str | None = None
    direct_benefit: float = 0
    indirect_benefit: float = 0
    contributor_ids: list[int] = field(default_factory=list)


def last_year(rt: Runtime) -> int:
    """The current studio year (Asia/Shanghai): nothing is recorded for later years."""
    return rt.now().astimezone(STUDIO_YEAR_ZONE).year


def _benefit(checks: Checks, value: float, name: str) -> int:
    if not (0 <= value <= MAX_BENEFIT) or value != int(value):
        checks.add(errors.OUT_OF_RANGE, f"`{name}` must be whole yuan between 0 and {MAX_BENEFIT}", name)
        return 0
    return int(value)


async def require_studio(org_id: int, field: str = "organisationId") -> Organisation:
    org = await lookups.require_organisation(org_id, field)
    if org.kind != OrganisationKind.STUDIO:
        raise UserInputError(errors.NOT_A_STUDIO, "Achievements belong to studios", field)
    return org


async def require_achievement(achievement_id: int, field: str = "id") -> Achievement:
    row = await Achievement.get_or_none(id=achievement_id) if 0 < achievement_id <= MAX_KEY else None
    if row is None:
        raise UserInputError(errors.NOT_FOUND, f"No achievement with this `{field}`", field)
    return row


async def create_achievement(
    rt: Runtime, org_id: int, data: AchievementFields, by_account_id: int | None = None
) -> Achievement:
    """An achievement of the studio ``org_id``, its contributors members of the studio."""
    studio = await require_studio(org_id)
    checks = Checks()
    title = checks.text(data.title, "title", TITLE_MAX, single_line=True)
    description = checks.text(data.description, "description", DESCRIPTION_MAX, required=False)
    chain = checks.text(data.industry_chain, "industryChain", CHAIN_MAX, required=False, single_line=True)
    number = checks.text(data.patent_number, "patentNumber", PATENT_NUMBER_MAX, required=False, single_line=True)
    if data.kind in PATENT_KINDS and not number:
        checks.add(assessment_errors.PATENT_NUMBER_REQUIRED, "A patent needs its number (专利号)", "patentNumber")
    checks.in_range(data.year, "year", FIRST_YEAR, last_year(rt))
    direct = _benefit(checks, data.direct_benefit, "directBenefit")
    indirect = _benefit(checks, data.indirect_benefit, "indirectBenefit")
    people = list(dict.fromkeys(data.contributor_ids))
    if len(people) > MAX_CONTRIBUTORS:
        checks.add(errors.OUT_OF_RANGE, f"At most {MAX_CONTRIBUTORS} contributors", "contributorIds")
    elif people:
        if await Person.filter(id__in=people).count() != len(people):
            checks.add(errors.NOT_FOUND, "`contributorIds` names a person who does not exist", "contributorIds")
        elif await Membership.filter(organisation_id=org_id, person_id__in=people).count() != len(people):
            checks.add(errors.NOT_MEMBER, "Every contributor must be a member of the studio", "contributorIds")
    checks.raise_if_any()
    async with in_transaction():
        row = await Achievement.create(
            organisation_id=org_id,
            title=title,
            kind=data.kind,
            year=data.year,
            description=description,
            patent_number=number if data.kind in PATENT_KINDS else "",
            industry_chain=chain or studio.industry,
            direct_benefit=direct,
            indirect_benefit=indirect,
            created_by_account_id=by_account_id,
        )
        await AchievementContributor.bulk_create(
            [AchievementContributor(achievement_id=row.id, person_id=pid) for pid in people]
        )
    return row


async def create_achievement_as(ctx: Context, org_id: int, data: AchievementFields) -> Achievement:
    await require_manage(ctx, org_id, "organisationId", "this studio")
    return await create_achievement(ctx.rt, org_id, data, ctx.viewer.account_id)


async def add_award(
    rt: Runtime, achievement_id: int, name: str, level: AwardLevel, rank: str | None, year: int
) -> AchievementAward:
    await require_achievement(achievement_id, "achievementId")
    checks = Checks()
    name = checks.text(name, "name", TITLE_MAX, single_line=True)
    rank = checks.text(rank, "rank", RANK_MAX, required=False, single_line=True)
    checks.in_range(year, "year", FIRST_YEAR, last_year(rt))
    checks.raise_if_any()
    return await AchievementAward.create(achievement_id=achievement_id, name=name, level=level, rank=rank, year=year)


async def add_award_as(
    ctx: Context, achievement_id: int, name: str, level: AwardLevel, rank: str | None, year: int
) -> AchievementAward:
    achievement = await require_achievement(achievement_id, "achievementId")
    await require_manage(ctx, achievement.organisation_id, "achievementId", "this studio")
    return await add_award(ctx.rt, achievement_id, name, level, rank, year)


async def set_promoted(rt: Runtime, achievement_id: int, promoted: bool, note: str | None) -> Achievement:
    """Recommend the achievement to competitions (优先推荐参赛), or withdraw the recommendation."""
    row = await require_achievement(achievement_id)
    checks = Checks()
    note = checks.text(note, "note", NOTE_MAX, required=False)
    checks.raise_if_any()
    row.promoted = promoted
    row.promoted_at = rt.now() if promoted else None
    row.promotion_note = note if promoted else ""
    await row.save(update_fields=["promoted", "promoted_at", "promotion_note"])
    return row


async def set_promoted_as(ctx: Context, achievement_id: int, promoted: bool, note: str | None) -> Achievement:
    row = await require_achievement(achievement_id)
    await require_promote(ctx, row.organisation_id, "id")
    return await set_promoted(ctx.rt, achievement_id, promoted, note)


async def set_proposals(
    rt: Runtime, org_id: int, year: int, quarter: int, received: int, adopted: int
) -> ProposalTally:
    """The studio's proposals received and adopted in a quarter (1-4) or a whole year (0)."""
    await require_studio(org_id)
    checks = Checks()
    checks.in_range(year, "year", FIRST_YEAR, last_year(rt))
    checks.in_range(quarter, "quarter", 0, 4)
    checks.in_range(received, "received", 0, MAX_PROPOSALS)
    checks.in_range(adopted, "adopted", 0, MAX_PROPOSALS)
    if 0 <= received < adopted:
        checks.add(assessment_errors.ADOPTED_EXCEEDS_RECEIVED, "More proposals adopted than received", "adopted")
    checks.raise_if_any()
    async with in_transaction():
        # Insert-or-nothing, then update under the row: concurrent calls end with one row.
        await ProposalTally.bulk_create(
            [ProposalTally(organisation_id=org_id, year=year, quarter=quarter, received=received, adopted=adopted)],
            ignore_conflicts=True,
        )
        await ProposalTally.filter(organisation_id=org_id, year=year, quarter=quarter).update(
            received=received, adopted=adopted
        )
        return await ProposalTally.get(organisation_id=org_id, year=year, quarter=quarter)


async def set_proposals_as(
    ctx: Context, org_id: int, year: int, quarter: int, received: int, adopted: int
) -> ProposalTally:
    await require_manage(ctx, org_id, "organisationId", "this studio")
    return await set_proposals(ctx.rt, org_id, year, quarter, received, adopted)


# Solved challenges ---------------------------------------------------------------------------


def _ints(value: Any) -> list[int]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_KEY]


async def record_solved_problem(payload: dict[str, Any]) -> list[Achievement]:
    """One SOLVED_PROBLEM achievement per solving studio of a ``challenges.problem_solved`` event,
    with the solvers who are members of that studio; the benefit is shared out evenly.

    Idempotent (a unique source key per problem and studio): a repeated or concurrent event adds
    nothing. A payload without a problem or a time is ignored with a warning.
    """
    problem = str(payload.get("problemId") or "")[:80]
    try:
        solved_at = datetime.fromisoformat(str(payload.get("solvedAt")))
    except ValueError:
        solved_at = None
    if not problem or solved_at is None:
        log.warning("challenges.problem_solved without problemId or solvedAt: ignored")
        return []
    studios = await Organisation.filter(
        id__in=_ints(payload.get("solverOrganisationIds")), kind=OrganisationKind.STUDIO
    ).order_by("id")
    if not studios:
        return []
    benefit = payload.get("economicBenefit")
    benefit = benefit if isinstance(benefit, int) and 0 <= benefit <= MAX_BENEFIT else 0
    share, rest = divmod(benefit, len(studios))
    title = " ".join(str(payload.get("title") or "技术攻关").split())[:TITLE_MAX] or "技术攻关"
    chain = str(payload.get("industryChain") or "")[:CHAIN_MAX]
    year = (
        (solved_at if solved_at.tzinfo else solved_at.replace(tzinfo=STUDIO_YEAR_ZONE))
        .astimezone(STUDIO_YEAR_ZONE)
        .year
    )
    keys = {studio.id: f"challenges:{problem}:{studio.id}" for studio in studios}
    members = await Membership.filter(
        organisation_id__in=list(keys), person_id__in=_ints(payload.get("solverPersonIds"))
    ).values_list("organisation_id", "person_id")
    async with in_transaction():
        await Achievement.bulk_create(
            [
                Achievement(
                    organisation_id=studio.id,
                    title=title,
                    kind=AchievementKind.SOLVED_PROBLEM,
                    year=year,
                    industry_chain=chain or studio.industry,
                    direct_benefit=share + (rest if i == 0 else 0),
                    source=AchievementSource.CHALLENGE,
                    source_key=keys[studio.id],
                )
                for i, studio in enumerate(studios)
            ],
            ignore_conflicts=True,
        )
        rows = await Achievement.filter(source_key__in=list(keys.values())).order_by("id")
        by_studio = {row.organisation_id: row.id for row in rows}
        await AchievementContributor.bulk_create(
            [
                AchievementContributor(achievement_id=by_studio[org_id], person_id=person_id)
                for org_id, person_id in members
                if org_id in by_studio
            ],
            ignore_conflicts=True,
        )
    return list(rows)
