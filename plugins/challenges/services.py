"""Problems, offers and service teams: posting, publishing, withdrawing and closing problems;
publishing offers; forming service teams. Bids are in ``bids.py``; milestones, service visits
and outcomes in ``progress.py``; matching in ``matching.py``; figures in ``stats.py``.

Status machine of a problem (anything else is ``INVALID_TRANSITION``)::

    DRAFT --publish--> OPEN --bidAccept (first team)--> IN_PROGRESS --outcome accepted--> SOLVED
    DRAFT | OPEN --withdraw--> WITHDRAWN
    OPEN | IN_PROGRESS --close (with a reason: unsolved)--> CLOSED

Everywhere, ``rule(rt, ...)`` does the work without any permission check and ``rule_as(ctx,
...)`` checks the viewer (``access.py``), then calls it. Domain events are emitted after commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar, cast
from urllib.parse import urlparse

from pydantic import ValidationError
from tortoise.transactions import in_transaction

from core import errors, lookups
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.organisations.models import Organisation, OrganisationPlugin
from core.people.models import Honour, Person
from core.permissions import require_may_name
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime
from core.skills.models import Skill
from core.validation import Checks
from plugins.challenges import PLUGIN, access
from plugins.challenges import errors as challenge_errors
from plugins.challenges.models import (
    Offer,
    OfferKind,
    OfferSkill,
    Problem,
    ProblemSkill,
    ProblemStatus,
    ServiceTeam,
    ServiceTeamMember,
    Urgency,
    Visibility,
)
from plugins.challenges.settings import ChallengesSettings

TITLE_MAX = 200
TEXT_MAX = 5000
REGION_MAX = 100
CHAIN_MAX = 50
REASON_MAX = 500
URL_MAX = 500
AVAILABILITY_MAX = 200
MAX_ATTACHMENTS = 10
MAX_SKILLS = 10
MAX_LIST = 20
MAX_TEAM = 50
MAX_YUAN = 10**12
MAX_AHEAD = timedelta(days=5 * 365)


# Settings -------------------------------------------------------------------------------------


def parse_settings(stored: object) -> ChallengesSettings:
    """Defaults overlaid with the stored values; a value the model now refuses is dropped."""
    values = stored if isinstance(stored, dict) else {}
    try:
        return ChallengesSettings.model_validate(values)
    except ValidationError:
        kept = {}
        for key, value in values.items():
            try:
                ChallengesSettings.model_validate({key: value})
                kept[key] = value
            except ValidationError:
                continue
        return ChallengesSettings.model_validate(kept)


async def settings_of(org_ids: list[int]) -> dict[int, ChallengesSettings]:
    """Each organisation's effective settings, in one query (defaults where none are stored)."""
    found = {org_id: ChallengesSettings() for org_id in org_ids}
    rows = await OrganisationPlugin.filter(organisation_id__in=org_ids or [0], plugin=PLUGIN).values_list(
        "organisation_id", "settings"
    )
    for org_id, stored in rows:
        found[int(org_id)] = parse_settings(stored)
    return found


async def settings_for(org_id: int) -> ChallengesSettings:
    return (await settings_of([org_id]))[org_id]


async def lineage_ids(org_id: int) -> list[int]:
    """The organisation and its ancestors, nearest first."""
    chain: list[int] = []
    next_id: int | None = org_id
    while next_id is not None and next_id not in chain and len(chain) < access.MAX_TREE_DEPTH:
        chain.append(next_id)
        parent = await Organisation.filter(id=next_id).values_list("parent_id", flat=True)
        next_id = cast("list[int | None]", parent)[0] if parent else None
    return chain


async def industry_chains_for(org_id: int) -> list[str]:
    """The chains the organisation may name: its own setting, else the nearest ancestor's; empty
    means any name is accepted."""
    chain = await lineage_ids(org_id)
    settings = await settings_of(chain)
    for ancestor in chain:
        if settings[ancestor].industry_chains:
            return list(settings[ancestor].industry_chains)
    return []


# Problems -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    title: str
    url: str


@dataclass(frozen=True)
class SkillNeed:
    skill_id: int
    min_level: int


@dataclass
class ProblemFields:
    title: str
    description: str | None = None
    industry_chain: str | None = None
    urgency: Urgency = Urgency.NORMAL
    region: str | None = None
    reward: int | None = None
    deadline: date | None = None
    visibility: Visibility = Visibility.ALLIANCE
    attachments: list[Attachment] = field(default_factory=list)
    skills: list[SkillNeed] = field(default_factory=list)
    publish: bool = True


@dataclass
class ProblemChanges:
    """What ``problemUpdate`` changes: only the names in ``given`` (snake_case). A given null
    clears ``description``, ``industry_chain``, ``reward`` and ``deadline``, puts ``region`` back to
    the organisation's, empties ``attachments`` and ``skills``; ``title``, ``urgency`` and
    ``visibility`` may not be null (``BLANK``)."""

    title: str | None = None
    description: str | None = None
    industry_chain: str | None = None
    urgency: Urgency | None = None
    region: str | None = None
    reward: int | None = None
    deadline: date | None = None
    visibility: Visibility | None = None
    attachments: list[Attachment] | None = None
    skills: list[SkillNeed] | None = None
    given: set[str] = field(default_factory=set)


PROBLEM_FIELDS = {
    "title": "title",
    "description": "description",
    "industry_chain": "industryChain",
    "urgency": "urgency",
    "region": "region",
    "reward": "reward",
    "deadline": "deadline",
    "visibility": "visibility",
    "attachments": "attachments",
    "skills": "skills",
}


def invalid_transition(problem: Problem, action: str, field: str = "id") -> UserInputError:
    return UserInputError(
        challenge_errors.INVALID_TRANSITION, f"A {problem.status.value} problem cannot be {action}", field
    )


M = TypeVar("M")


async def _found(row: Awaitable[M | None], what: str, field: str) -> M:
    found = await row
    if found is None:
        raise UserInputError(errors.NOT_FOUND, f"No {what} with this `{field}`", field)
    return found


async def require_problem(problem_id: int, field: str = "id") -> Problem:
    return await _found(Problem.get_or_none(id=problem_id), "problem", field)


async def locked_problem(problem_id: int, field: str = "id") -> Problem:
    """The problem under a row lock: call inside the transaction that changes it."""
    return await _found(Problem.select_for_update().get_or_none(id=problem_id), "problem", field)


def check_url(checks: Checks, url: str | None, field: str) -> str:
    text = checks.text(url, field, URL_MAX, single_line=True)
    if text:
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            checks.add(challenge_errors.INVALID_URL, f"`{field}` must be an http(s) URL", field)
    return text


def check_yuan(checks: Checks, value: int | None, field: str) -> int | None:
    if value is not None and not 0 <= value <= MAX_YUAN:
        checks.add(errors.OUT_OF_RANGE, f"`{field}` must be between 0 and {MAX_YUAN} yuan", field)
    return value


def check_list(checks: Checks, values: list[str] | None, field: str, max_length: int) -> list[str]:
    items = [checks.text(v, field, max_length, single_line=True) for v in (values or [])]
    if len(items) > MAX_LIST:
        checks.add(errors.OUT_OF_RANGE, f"`{field}` has at most {MAX_LIST} entries", field)
    return list(dict.fromkeys(i for i in items if i))


async def _check_problem(
    rt: Runtime, org: Organisation, data: ProblemFields | ProblemChanges, given: set[str] | None = None
) -> tuple[dict[str, Any], Checks]:
    """The column values of ``data`` and the problems found. ``given``: on update, the names of the
    fields to check and set (the others are left alone); None (posting): all of them."""
    checks = Checks()
    values: dict[str, Any] = {}

    def wanted(name: str) -> bool:
        return given is None or name in given

    if wanted("title"):
        values["title"] = checks.text(data.title, "title", TITLE_MAX, single_line=True)
    if wanted("description"):
        values["description"] = checks.text(data.description, "description", TEXT_MAX, required=False)
    if wanted("region"):
        values["region"] = (
            checks.text(data.region, "region", REGION_MAX, required=False, single_line=True) or org.region
        )
    for name in ("urgency", "visibility"):
        if wanted(name):
            if getattr(data, name) is None:
                checks.add(errors.BLANK, f"`{name}` must not be null", name)
            values[name] = getattr(data, name)
    if wanted("reward"):
        values["reward"] = check_yuan(checks, data.reward, "reward")
    if wanted("industry_chain"):
        chain = checks.text(data.industry_chain, "industryChain", CHAIN_MAX, required=False, single_line=True)
        allowed = await industry_chains_for(org.id)
        if chain and allowed and chain not in allowed:
            checks.add(
                challenge_errors.UNKNOWN_INDUSTRY_CHAIN,
                f"`industryChain` must be one of the organisation's chains: {'、'.join(allowed)}",
                "industryChain",
            )
        values["industry_chain"] = chain
    if wanted("deadline"):
        values["deadline"] = data.deadline
        today = rt.now().date()
        if data.deadline is not None:
            if data.deadline < today:
                checks.add(challenge_errors.IN_THE_PAST, "`deadline` must not be in the past", "deadline")
            elif data.deadline > today + MAX_AHEAD:
                checks.add(errors.OUT_OF_RANGE, f"`deadline` must be within {MAX_AHEAD.days} days", "deadline")
    if wanted("attachments"):
        attachments = data.attachments or []
        if len(attachments) > MAX_ATTACHMENTS:
            checks.add(errors.OUT_OF_RANGE, f"A problem has at most {MAX_ATTACHMENTS} attachments", "attachments")
        values["attachments"] = [
            {
                "title": checks.text(a.title, "attachments.title", TITLE_MAX, single_line=True),
                "url": check_url(checks, a.url, "attachments.url"),
            }
            for a in attachments[:MAX_ATTACHMENTS]
        ]
    if wanted("skills"):
        skills = data.skills or []
        if len(skills) > MAX_SKILLS:
            checks.add(errors.OUT_OF_RANGE, f"A problem needs at most {MAX_SKILLS} skills", "skills")
        for need in skills:
            checks.in_range(need.min_level, "skills.minLevel", 1, 5)
        skill_ids = {need.skill_id for need in skills}
        if len(skill_ids) != len(skills):
            checks.add(errors.DUPLICATE, "A skill is named twice in `skills`", "skills.skillId")
        elif skill_ids and await Skill.filter(id__in=list(skill_ids)).count() != len(skill_ids):
            checks.add(errors.NOT_FOUND, "`skills` names a skill that does not exist", "skills.skillId")
    return values, checks


def problem_event(name: str, problem: Problem, **payload: Any) -> DomainEvent:
    body = {"problemId": to_global_id("Problem", problem.id), "title": problem.title, **payload}
    return DomainEvent(
        f"challenges.{name}", body, organisation_id=problem.organisation_id, subject=to_global_id("Problem", problem.id)
    )


async def create_problem(rt: Runtime, org_id: int, data: ProblemFields, by: int | None) -> Problem:
    """A DRAFT, or an OPEN problem when ``data.publish``."""
    org = await lookups.require_organisation(org_id)
    values, checks = await _check_problem(rt, org, data)
    checks.raise_if_any()
    now = rt.now()
    status = ProblemStatus.OPEN if data.publish else ProblemStatus.DRAFT
    async with in_transaction():
        problem = await Problem.create(
            organisation_id=org.id, posted_by_id=by, status=status, opened_at=now if data.publish else None, **values
        )
        await ProblemSkill.bulk_create(
            [
                ProblemSkill(problem_id=problem.id, skill_id=need.skill_id, min_level=need.min_level)
                for need in data.skills
            ]
        )
    if data.publish:
        await emit(rt, problem_event("problem_opened", problem, industryChain=problem.industry_chain))
    return problem


async def create_problem_as(ctx: Context, org_id: int, data: ProblemFields) -> Problem:
    """Admins of the posting organisation."""
    await lookups.require_organisation(org_id)
    access.require_signed_in(ctx)
    if not await access.can_manage(ctx, org_id):
        raise UserInputError(
            errors.PERMISSION_DENIED, "Only admins of the organisation may post its problems", "organisationId"
        )
    return await create_problem(ctx.rt, org_id, data, ctx.viewer.person_id)


async def publish_problem(rt: Runtime, problem_id: int) -> Problem:
    async with in_transaction():
        problem = await locked_problem(problem_id)
        if problem.status != ProblemStatus.DRAFT:
            raise invalid_transition(problem, "published")
        problem.status, problem.opened_at = ProblemStatus.OPEN, rt.now()
        await problem.save(update_fields=["status", "opened_at", "updated_at"])
    await emit(rt, problem_event("problem_opened", problem, industryChain=problem.industry_chain))
    return problem


async def publish_problem_as(ctx: Context, problem_id: int) -> Problem:
    await access.require_poster(ctx, await require_problem(problem_id))
    return await publish_problem(ctx.rt, problem_id)


async def withdraw_problem(rt: Runtime, problem_id: int, reason: str | None) -> Problem:
    checks = Checks()
    text = checks.text(reason, "reason", REASON_MAX, required=False)
    checks.raise_if_any()
    async with in_transaction():
        problem = await locked_problem(problem_id)
        if problem.status not in (ProblemStatus.DRAFT, ProblemStatus.OPEN):
            raise invalid_transition(problem, "withdrawn")
        problem.status, problem.close_reason, problem.closed_at = ProblemStatus.WITHDRAWN, text, rt.now()
        await problem.save(update_fields=["status", "close_reason", "closed_at", "updated_at"])
    await emit(rt, problem_event("problem_withdrawn", problem))
    return problem


async def withdraw_problem_as(ctx: Context, problem_id: int, reason: str | None) -> Problem:
    await access.require_poster(ctx, await require_problem(problem_id))
    return await withdraw_problem(ctx.rt, problem_id, reason)


async def close_problem(rt: Runtime, problem_id: int, reason: str) -> Problem:
    """Unsolved: an OPEN or IN_PROGRESS problem ends with a reason."""
    checks = Checks()
    text = checks.text(reason, "reason", REASON_MAX)
    checks.raise_if_any()
    async with in_transaction():
        problem = await locked_problem(problem_id)
        if problem.status not in (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS):
            raise invalid_transition(problem, "closed")
        problem.status, problem.close_reason, problem.closed_at = ProblemStatus.CLOSED, text, rt.now()
        await problem.save(update_fields=["status", "close_reason", "closed_at", "updated_at"])
    await emit(rt, problem_event("problem_closed", problem, reason=text))
    return problem


async def close_problem_as(ctx: Context, problem_id: int, reason: str) -> Problem:
    await access.require_poster(ctx, await require_problem(problem_id))
    return await close_problem(ctx.rt, problem_id, reason)


async def update_problem(rt: Runtime, problem_id: int, data: ProblemChanges) -> Problem:
    """Edit a DRAFT or OPEN problem (the fields in ``data.given``); the skills list is replaced.
    Emits ``challenges.problem_updated`` with the changed fields (camelCase) when anything changed."""
    unknown = data.given - set(PROBLEM_FIELDS)
    assert not unknown, unknown
    problem = await require_problem(problem_id)
    org = await lookups.require_organisation(problem.organisation_id)
    values, checks = await _check_problem(rt, org, data, data.given)
    checks.raise_if_any()
    async with in_transaction():
        problem = await locked_problem(problem_id)
        if problem.status not in (ProblemStatus.DRAFT, ProblemStatus.OPEN):
            raise invalid_transition(problem, "edited")
        changed = [name for name, value in values.items() if getattr(problem, name) != value]
        if changed:
            problem.update_from_dict({name: values[name] for name in changed})
            await problem.save(update_fields=[*changed, "updated_at"])
        if "skills" in data.given:
            needs = {(need.skill_id, need.min_level) for need in data.skills or []}
            before = set(
                cast(
                    "list[tuple[int, int]]",
                    await ProblemSkill.filter(problem_id=problem.id).values_list("skill_id", "min_level"),
                )
            )
            if needs != before:
                changed.append("skills")
                await ProblemSkill.filter(problem_id=problem.id).delete()
                await ProblemSkill.bulk_create(
                    [
                        ProblemSkill(problem_id=problem.id, skill_id=need.skill_id, min_level=need.min_level)
                        for need in data.skills or []
                    ]
                )
    if changed:
        await emit(
            rt,
            problem_event(
                "problem_updated",
                problem,
                status=problem.status.value,
                changed=[PROBLEM_FIELDS[name] for name in PROBLEM_FIELDS if name in changed],
                industryChain=problem.industry_chain,
            ),
        )
    return problem


async def update_problem_as(ctx: Context, problem_id: int, data: ProblemChanges) -> Problem:
    """The poster's admins."""
    await access.require_poster(ctx, await require_problem(problem_id))
    return await update_problem(ctx.rt, problem_id, data)


# Service teams --------------------------------------------------------------------------------


@dataclass
class TeamFields:
    name: str
    leader_id: int
    industry_chain: str
    region: str | None = None
    description: str | None = None
    member_ids: list[int] = field(default_factory=list)


async def _check_people(checks: Checks, people: list[int], field: str) -> bool:
    """At most ``MAX_TEAM`` people, each existing; False when a problem was added."""
    if len(people) > MAX_TEAM:
        checks.add(errors.OUT_OF_RANGE, f"A team has at most {MAX_TEAM} people", field)
        return False
    if people and await Person.filter(id__in=people).count() != len(people):
        checks.add(errors.NOT_FOUND, f"`{field}` names a person who does not exist", field)
        return False
    return True


async def _check_leader(checks: Checks, leader_id: int) -> None:
    if not await Honour.exists(person_id=leader_id):
        checks.add(
            challenge_errors.LEADER_NOT_HONOURED,
            "A service team is led by a model worker or craftsman (a person with an honour)",
            "leaderId",
        )


def _check_chain(checks: Checks, chain: str, allowed: list[str]) -> None:
    if chain and allowed and chain not in allowed:
        checks.add(
            challenge_errors.UNKNOWN_INDUSTRY_CHAIN,
            f"`industryChain` must be one of the organisation's chains: {'、'.join(allowed)}",
            "industryChain",
        )


async def require_team(team_id: int, field: str = "id") -> ServiceTeam:
    return await _found(ServiceTeam.get_or_none(id=team_id), "service team", field)


async def locked_team(team_id: int, field: str = "id") -> ServiceTeam:
    """The team under a row lock: call inside the transaction that changes it or its members."""
    return await _found(ServiceTeam.select_for_update().get_or_none(id=team_id), "service team", field)


async def require_may_name_all(ctx: Context, people: list[int], field: str) -> None:
    """Consent (``docs/consent.md``): a person is put on a team only by themself or by someone who
    may add them to an organisation directly (``core.permissions.require_may_name``)."""
    # Together, so the per-request membership loader reads everyone's memberships in one statement.
    await asyncio.gather(*(require_may_name(ctx, person_id, field) for person_id in people))


async def create_team(rt: Runtime, org_id: int, data: TeamFields) -> ServiceTeam:
    """A service team of ``org_id``, led by a person with an honour (a model worker or craftsman)."""
    org = await lookups.require_organisation(org_id)
    checks = Checks()
    name = checks.text(data.name, "name", TITLE_MAX, single_line=True)
    chain = checks.text(data.industry_chain, "industryChain", CHAIN_MAX, single_line=True)
    region = checks.text(data.region, "region", REGION_MAX, required=False, single_line=True) or org.region
    description = checks.text(data.description, "description", TEXT_MAX, required=False)
    _check_chain(checks, chain, await industry_chains_for(org.id))
    members = list(dict.fromkeys([data.leader_id, *data.member_ids]))
    if await _check_people(checks, members, "memberIds"):
        await _check_leader(checks, data.leader_id)
    checks.raise_if_any()
    async with in_transaction():
        team = await ServiceTeam.create(
            organisation_id=org.id,
            name=name,
            leader_id=data.leader_id,
            industry_chain=chain,
            region=region,
            description=description,
        )
        await ServiceTeamMember.bulk_create([ServiceTeamMember(team_id=team.id, person_id=p) for p in members])
    return team


async def create_team_as(ctx: Context, org_id: int, data: TeamFields) -> ServiceTeam:
    """Admins of the organisation (a union or an enterprise forming its 服务队); the leader and the
    members must be people the admin may name (``INVITATION_REQUIRED``)."""
    await lookups.require_organisation(org_id)
    access.require_signed_in(ctx)
    if not await access.can_manage(ctx, org_id):
        raise UserInputError(
            errors.PERMISSION_DENIED, "Only admins of the organisation may form its teams", "organisationId"
        )
    if await Person.filter(id__in=[data.leader_id, *data.member_ids]).count() == len(
        {data.leader_id, *data.member_ids}
    ):  # unknown people are NOT_FOUND (create_team), not a consent question
        await require_may_name(ctx, data.leader_id, "leaderId")
        await require_may_name_all(ctx, list(dict.fromkeys(data.member_ids)), "memberIds")
    return await create_team(ctx.rt, org_id, data)


@dataclass
class TeamChanges:
    """What ``serviceTeamUpdate`` changes: only the names in ``given``. ``name``, ``industry_chain``
    and ``leader_id`` may not be null; a null ``region`` is the organisation's, a null
    ``description`` clears it."""

    name: str | None = None
    industry_chain: str | None = None
    leader_id: int | None = None
    region: str | None = None
    description: str | None = None
    given: set[str] = field(default_factory=set)


async def update_team(rt: Runtime, team_id: int, data: TeamChanges) -> ServiceTeam:
    """A new leader must hold an honour and becomes a member (the former leader stays a member)."""
    team = await require_team(team_id)
    org = await lookups.require_organisation(team.organisation_id)
    checks = Checks()
    values: dict[str, Any] = {}
    if "name" in data.given:
        values["name"] = checks.text(data.name, "name", TITLE_MAX, single_line=True)
    if "industry_chain" in data.given:
        values["industry_chain"] = checks.text(data.industry_chain, "industryChain", CHAIN_MAX, single_line=True)
        _check_chain(checks, values["industry_chain"], await industry_chains_for(org.id))
    if "region" in data.given:
        values["region"] = (
            checks.text(data.region, "region", REGION_MAX, required=False, single_line=True) or org.region
        )
    if "description" in data.given:
        values["description"] = checks.text(data.description, "description", TEXT_MAX, required=False)
    if "leader_id" in data.given:
        if data.leader_id is None:
            checks.add(errors.BLANK, "`leaderId` must not be null", "leaderId")
        elif await _check_people(checks, [data.leader_id], "leaderId"):
            await _check_leader(checks, data.leader_id)
            values["leader_id"] = data.leader_id
    checks.raise_if_any()
    async with in_transaction():
        team = await locked_team(team_id)
        changed = [name for name, value in values.items() if getattr(team, name) != value]
        if changed:
            team.update_from_dict({name: values[name] for name in changed})
            await team.save(update_fields=changed)
        if "leader_id" in changed and not await ServiceTeamMember.exists(team_id=team.id, person_id=team.leader_id):
            await ServiceTeamMember.create(team_id=team.id, person_id=team.leader_id)
    return team


async def update_team_as(ctx: Context, team_id: int, data: TeamChanges) -> ServiceTeam:
    """Admins of the team's organisation; a new leader must be a person they may name."""
    team = await require_team(team_id)
    await access.require_team_admin(ctx, team)
    leader = data.leader_id if "leader_id" in data.given else None
    if leader is not None and leader != team.leader_id and await Person.exists(id=leader):
        await require_may_name(ctx, leader, "leaderId")
    return await update_team(ctx.rt, team_id, data)


async def set_team_members(
    rt: Runtime, team_id: int, member_ids: list[int], consented: set[int] | None = None
) -> tuple[ServiceTeam, list[int]]:
    """Replace the members: ``member_ids`` and the leader (who is always a member). Answers the
    team and the people added. ``consented``: when given, only these people (and the leader) may
    be added (``INVITATION_REQUIRED``), decided under the team's row lock."""
    await require_team(team_id)
    checks = Checks()
    wanted = list(dict.fromkeys(member_ids))
    await _check_people(checks, wanted, "memberIds")
    checks.raise_if_any()
    async with in_transaction():
        team = await locked_team(team_id)
        keep = set(wanted) | {team.leader_id}
        if len(keep) > MAX_TEAM:
            raise UserInputError(errors.OUT_OF_RANGE, f"A team has at most {MAX_TEAM} people", "memberIds")
        current = set(
            cast("list[int]", await ServiceTeamMember.filter(team_id=team.id).values_list("person_id", flat=True))
        )
        added = [p for p in dict.fromkeys([team.leader_id, *wanted]) if p not in current]
        if consented is not None and any(p not in consented and p != team.leader_id for p in added):
            raise UserInputError(
                errors.INVITATION_REQUIRED, "This person is not in your organisations: invite them first", "memberIds"
            )
        gone = current - keep
        if gone:
            await ServiceTeamMember.filter(team_id=team.id, person_id__in=list(gone)).delete()
        await ServiceTeamMember.bulk_create([ServiceTeamMember(team_id=team.id, person_id=p) for p in added])
    return team, added


async def set_team_members_as(ctx: Context, team_id: int, member_ids: list[int]) -> ServiceTeam:
    """Admins of the team's organisation and the team's leader; everyone added must be a person
    the caller may name (``INVITATION_REQUIRED``); removing needs no one's consent."""
    team = await require_team(team_id)
    await access.require_team_manager(ctx, team)
    wanted = list(dict.fromkeys(member_ids))
    consented: set[int] = set()
    if len(wanted) <= MAX_TEAM and await Person.filter(id__in=wanted).count() == len(wanted):
        current = set(
            cast("list[int]", await ServiceTeamMember.filter(team_id=team.id).values_list("person_id", flat=True))
        )
        newcomers = [p for p in wanted if p not in current]
        await require_may_name_all(ctx, newcomers, "memberIds")
        consented = set(newcomers)  # one removed meanwhile and named again is asked again
    team, _added = await set_team_members(ctx.rt, team_id, member_ids, consented)
    return team


# Offers ---------------------------------------------------------------------------------------


@dataclass
class OfferFields:
    kind: OfferKind
    title: str
    person_id: int | None = None
    organisation_id: int | None = None
    team_id: int | None = None
    description: str | None = None
    skill_ids: list[int] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)
    research_directions: list[str] = field(default_factory=list)
    industry_chain: str | None = None
    region: str | None = None
    availability: str | None = None


async def _owner(data: OfferFields, viewer_person: int | None) -> tuple[int | None, int | None, ServiceTeam | None]:
    """(person id, organisation id, team) of the owner the offer names, checked to exist."""
    if data.kind == OfferKind.PERSON:
        person_id = data.person_id or viewer_person
        if person_id is None:
            raise UserInputError(errors.BLANK, "A person offer names `personId`", "personId")
        await lookups.require_person(person_id)
        return person_id, None, None
    if data.kind == OfferKind.STUDIO:
        if data.organisation_id is None:
            raise UserInputError(errors.BLANK, "A studio offer names `organisationId`", "organisationId")
        await lookups.require_organisation(data.organisation_id)
        return None, data.organisation_id, None
    if data.team_id is None:
        raise UserInputError(errors.BLANK, "A team offer names `teamId`", "teamId")
    team = await ServiceTeam.get_or_none(id=data.team_id)
    if team is None:
        raise UserInputError(errors.NOT_FOUND, "No service team with this `teamId`", "teamId")
    return None, None, team


async def create_offer(rt: Runtime, data: OfferFields, by: int | None = None) -> Offer:
    person_id, org_id, team = await _owner(data, by)
    checks = Checks()
    values: dict[str, Any] = {
        "title": checks.text(data.title, "title", TITLE_MAX, single_line=True),
        "description": checks.text(data.description, "description", TEXT_MAX, required=False),
        "specialties": check_list(checks, data.specialties, "specialties", CHAIN_MAX),
        "research_directions": check_list(checks, data.research_directions, "researchDirections", TITLE_MAX),
        "industry_chain": checks.text(data.industry_chain, "industryChain", CHAIN_MAX, required=False, single_line=True)
        or (team.industry_chain if team else ""),
        "region": checks.text(data.region, "region", REGION_MAX, required=False, single_line=True)
        or (team.region if team else ""),
        "availability": checks.text(data.availability, "availability", AVAILABILITY_MAX, required=False),
    }
    skills = list(dict.fromkeys(data.skill_ids))
    if len(skills) > MAX_LIST:
        checks.add(errors.OUT_OF_RANGE, f"An offer lists at most {MAX_LIST} skills", "skillIds")
    elif skills and await Skill.filter(id__in=skills).count() != len(skills):
        checks.add(errors.NOT_FOUND, "`skillIds` names a skill that does not exist", "skillIds")
    checks.raise_if_any()
    async with in_transaction():
        offer = await Offer.create(
            kind=data.kind, person_id=person_id, organisation_id=org_id, team_id=team.id if team else None, **values
        )
        await OfferSkill.bulk_create([OfferSkill(offer_id=offer.id, skill_id=s) for s in skills])
    return offer


async def create_offer_as(ctx: Context, data: OfferFields) -> Offer:
    """A person for themself, a studio's admins, a team's leader (or its organisation's admins)."""
    access.require_signed_in(ctx)
    person_id, org_id, team = await _owner(data, ctx.viewer.person_id)
    await access.require_offer_owner_for_create(ctx, data.kind, person_id, org_id, team)
    return await create_offer(ctx.rt, data, ctx.viewer.person_id)


async def require_offer(offer_id: int, field: str = "offerId") -> Offer:
    offer = await Offer.get_or_none(id=offer_id)
    if offer is None:
        raise UserInputError(errors.NOT_FOUND, f"No offer with this `{field}`", field)
    return offer


@dataclass
class OfferChanges:
    """What ``offerUpdate`` changes: only the names in ``given``, with ``offerCreate``'s limits.
    ``title`` and ``active`` may not be null; a null list or text clears it (a team offer's chain
    and region fall back to the team's, as when it was published); ``skill_ids`` replaces the skills."""

    active: bool | None = None
    title: str | None = None
    description: str | None = None
    skill_ids: list[int] | None = None
    specialties: list[str] | None = None
    research_directions: list[str] | None = None
    industry_chain: str | None = None
    region: str | None = None
    availability: str | None = None
    given: set[str] = field(default_factory=set)


async def update_offer(rt: Runtime, offer_id: int, data: OfferChanges) -> Offer:
    offer = await require_offer(offer_id, "id")
    team = await ServiceTeam.get_or_none(id=offer.team_id) if offer.team_id else None
    checks = Checks()
    values: dict[str, Any] = {}
    given = data.given
    if "active" in given:
        if data.active is None:
            checks.add(errors.BLANK, "`active` must not be null", "active")
        values["active"] = data.active
    if "title" in given:
        values["title"] = checks.text(data.title, "title", TITLE_MAX, single_line=True)
    if "description" in given:
        values["description"] = checks.text(data.description, "description", TEXT_MAX, required=False)
    if "specialties" in given:
        values["specialties"] = check_list(checks, data.specialties, "specialties", CHAIN_MAX)
    if "research_directions" in given:
        values["research_directions"] = check_list(checks, data.research_directions, "researchDirections", TITLE_MAX)
    if "industry_chain" in given:
        values["industry_chain"] = checks.text(
            data.industry_chain, "industryChain", CHAIN_MAX, required=False, single_line=True
        ) or (team.industry_chain if team else "")
    if "region" in given:
        values["region"] = checks.text(data.region, "region", REGION_MAX, required=False, single_line=True) or (
            team.region if team else ""
        )
    if "availability" in given:
        values["availability"] = checks.text(data.availability, "availability", AVAILABILITY_MAX, required=False)
    skills = list(dict.fromkeys(data.skill_ids or []))
    if "skill_ids" in given:
        if len(skills) > MAX_LIST:
            checks.add(errors.OUT_OF_RANGE, f"An offer lists at most {MAX_LIST} skills", "skillIds")
        elif skills and await Skill.filter(id__in=skills).count() != len(skills):
            checks.add(errors.NOT_FOUND, "`skillIds` names a skill that does not exist", "skillIds")
    checks.raise_if_any()
    async with in_transaction():
        offer = await Offer.select_for_update().get(id=offer.id)
        if values:
            offer.update_from_dict(values)
            await offer.save(update_fields=[*values, "updated_at"])
        if "skill_ids" in given:
            await OfferSkill.filter(offer_id=offer.id).delete()
            await OfferSkill.bulk_create([OfferSkill(offer_id=offer.id, skill_id=s) for s in skills])
    return offer


async def update_offer_as(ctx: Context, offer_id: int, data: OfferChanges) -> Offer:
    """The offer's owner (``access.can_own_offer``)."""
    await access.require_own_offer(ctx, await require_offer(offer_id, "id"), "id")
    return await update_offer(ctx.rt, offer_id, data)
