"""The agreement's rules: who may act, the status machine, and the capacity gate.

Status machine (anything else is ``INVALID_TRANSITION``)::

    PROPOSED --accept (both sides signed)--> ACTIVE --complete--> COMPLETED
    PROPOSED --decline--> DECLINED           ACTIVE --terminate--> TERMINATED
    PROPOSED --cancel--> CANCELLED

Who may act. A party (the mentor or the apprentice) always acts as that party, even when they
also administer the organisation; "admin" below means an admin of the organisation (or of an
ancestor, or a superuser) who is neither party.

=============  ==========================================================================
propose        mentor, apprentice, admin (a party proposing signs their own side)
accept         a party whose side is not signed yet; an admin (countersigns missing sides)
decline        a party who did not propose; an admin
cancel         the person who proposed; an admin
complete       mentor; admin
terminate      mentor, apprentice; admin
=============  ==========================================================================

Capacity: a mentor's ACTIVE agreements *in one organisation* may not exceed that
organisation's ``mentor_capacity`` (the setting is the organisation's, so is the count). The
gate is a counter row per (mentor, organisation) taken with one conditional UPDATE
(``active < capacity``) inside the activating transaction, and given back in the transaction
that ends an ACTIVE agreement, so it holds under concurrent accepts on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import errors as core_errors
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.organisations.activation import plugin_settings
from plugins.mentorship.settings import MentorshipSettings
from core.organisations.models import Organisation
from core.people.models import Membership, Person
from core.permissions import can_manage_org, lineage
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.skills.models import PersonSkill, Skill
from core.validation import Checks
from plugins.mentorship import errors
from plugins.mentorship.models import (
    PLUGIN,
    MentorLoad,
    Mentorship,
    MentorshipStatus,
    open_key,
)

# Someone without a level in the skill ranks below 初级工 (5).
NO_LEVEL = 6
GOALS_MAX = 4000
REASON_MAX = 2000
COMMENT_MAX = 4000


@dataclass(frozen=True)
class Actor:
    """How the viewer stands to one agreement."""

    person_id: int | None
    is_mentor: bool
    is_apprentice: bool
    is_admin: bool

    @property
    def is_party(self) -> bool:
        return self.is_mentor or self.is_apprentice

    @property
    def is_outside_admin(self) -> bool:
        return self.is_admin and not self.is_party


@dataclass(frozen=True)
class ProposeData:
    mentor_id: int
    apprentice_id: int
    organisation_id: int
    skill_id: int
    goals: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None


def require_signed_in(ctx: Context) -> int | None:
    if not ctx.viewer.is_authenticated:
        raise UserInputError(core_errors.UNAUTHENTICATED, "Sign in first", None)
    return ctx.viewer.person_id


def denied(message: str, field: str | None = "id") -> UserInputError:
    return UserInputError(core_errors.PERMISSION_DENIED, message, field)


def invalid_transition(m: Mentorship, action: str) -> UserInputError:
    return UserInputError(
        errors.INVALID_TRANSITION, f"A {m.status.value} mentorship cannot be {action}", "id"
    )


def today(ctx: Context) -> date:
    return ctx.rt.now().date()


async def actor_for(ctx: Context, m: Mentorship) -> Actor:
    person_id = ctx.viewer.person_id
    is_mentor = person_id is not None and person_id == m.mentor_id
    is_apprentice = person_id is not None and person_id == m.apprentice_id
    is_admin = await can_manage_org(ctx, m.organisation_id)
    return Actor(person_id, is_mentor, is_apprentice, is_admin)


async def get_mentorship(mentorship_id: int, field: str = "id") -> Mentorship:
    m = await Mentorship.get_or_none(id=mentorship_id)
    if m is None:
        raise UserInputError(core_errors.NOT_FOUND, f"No mentorship with this `{field}`", field)
    return m


async def open_for_work(ctx: Context, mentorship_id: int, field: str = "id") -> tuple[Mentorship, Actor]:
    """The agreement and the viewer's standing (the host has checked the plugin is on)."""
    require_signed_in(ctx)
    m = await get_mentorship(mentorship_id, field)
    return m, await actor_for(ctx, m)


async def level_in(person_id: int, skill_id: int) -> int:
    level = await PersonSkill.filter(person_id=person_id, skill_id=skill_id).values_list("level", flat=True)
    return level[0] if level else NO_LEVEL


async def require_qualified(mentor_id: int, apprentice_id: int, skill_id: int) -> None:
    mentor_level = await level_in(mentor_id, skill_id)
    if mentor_level >= await level_in(apprentice_id, skill_id):
        raise UserInputError(
            errors.MENTOR_NOT_QUALIFIED,
            "The mentor's level in this skill must be better than the apprentice's",
            "mentorId",
        )


async def capacity_of(ctx: Context, org_id: int) -> int:
    return (await plugin_settings(ctx.rt, org_id, MentorshipSettings, PLUGIN)).mentor_capacity


def at_capacity(capacity: int) -> UserInputError:
    return UserInputError(
        errors.MENTOR_AT_CAPACITY,
        f"The mentor already has {capacity} active apprentices in this organisation",
        "mentorId",
    )


async def take_place(mentor_id: int, org_id: int, capacity: int) -> None:
    """Count one more ACTIVE apprentice, or refuse: call inside the activating transaction."""
    await MentorLoad.bulk_create(
        [MentorLoad(mentor_id=mentor_id, organisation_id=org_id, active=0)], ignore_conflicts=True
    )
    taken = await MentorLoad.filter(
        mentor_id=mentor_id, organisation_id=org_id, active__lt=capacity
    ).update(active=F("active") + 1)
    if not taken:
        raise at_capacity(capacity)


async def give_place(mentor_id: int, org_id: int) -> None:
    await MentorLoad.filter(mentor_id=mentor_id, organisation_id=org_id, active__gt=0).update(
        active=F("active") - 1
    )


async def sync_load(mentor_id: int, org_id: int) -> None:
    """Set the counter from the agreements (demo data and repairs; not a capacity check)."""
    active = await Mentorship.filter(
        mentor_id=mentor_id, organisation_id=org_id, status=MentorshipStatus.ACTIVE
    ).count()
    await MentorLoad.bulk_create(
        [MentorLoad(mentor_id=mentor_id, organisation_id=org_id, active=0)], ignore_conflicts=True
    )
    await MentorLoad.filter(mentor_id=mentor_id, organisation_id=org_id).update(active=active)


async def _belongs_to(ctx: Context, person_ids: list[int], org_id: int) -> bool:
    """Is one of the people a member of the organisation or of an organisation under it?"""
    org_ids = await Membership.filter(person_id__in=person_ids).values_list("organisation_id", flat=True)
    for member_org in set(org_ids):
        if any(org.id == org_id for org in await lineage(ctx, member_org)):
            return True
    return False


async def _require_exists(model: type, pk: int, field: str, what: str) -> None:
    if not await model.exists(id=pk):
        raise UserInputError(core_errors.NOT_FOUND, f"No {what} with this `{field}`", field)


def event(name: str, m: Mentorship, **extra: object) -> DomainEvent:
    payload = {
        "mentorshipId": to_global_id("Mentorship", m.id),
        "status": m.status.value,
        "mentorId": to_global_id("Person", m.mentor_id),
        "apprenticeId": to_global_id("Person", m.apprentice_id),
        "skillId": to_global_id("Skill", m.skill_id),
        **extra,
    }
    return DomainEvent(f"mentorship.{name}", payload, organisation_id=m.organisation_id)


async def propose(ctx: Context, data: ProposeData) -> Mentorship:
    person_id = require_signed_in(ctx)
    checks = Checks()
    goals = checks.text(data.goals, "goals", GOALS_MAX, required=False)
    start = data.planned_start or today(ctx)
    if data.planned_end is not None and data.planned_end <= start:
        checks.add(core_errors.OUT_OF_RANGE, "`plannedEnd` must be after the start", "plannedEnd")
    checks.raise_if_any()
    if data.mentor_id == data.apprentice_id:
        raise UserInputError(errors.SELF_MENTORSHIP, "Nobody can be their own mentor", "apprenticeId")
    await _require_exists(Person, data.mentor_id, "mentorId", "person")
    await _require_exists(Person, data.apprentice_id, "apprenticeId", "person")
    await _require_exists(Organisation, data.organisation_id, "organisationId", "organisation")
    await _require_exists(Skill, data.skill_id, "skillId", "skill")
    is_party = person_id in (data.mentor_id, data.apprentice_id)
    if not is_party and not await can_manage_org(ctx, data.organisation_id):
        raise denied("Only the mentor, the apprentice or an admin may propose", "organisationId")
    if not await _belongs_to(ctx, [data.mentor_id, data.apprentice_id], data.organisation_id):
        raise UserInputError(
            core_errors.NOT_MEMBER,
            "The mentor or the apprentice must belong to the organisation",
            "organisationId",
        )
    await require_qualified(data.mentor_id, data.apprentice_id, data.skill_id)
    # Early answer only; the race-free check is the one at activation.
    capacity = await capacity_of(ctx, data.organisation_id)
    load = await MentorLoad.get_or_none(mentor_id=data.mentor_id, organisation_id=data.organisation_id)
    if load is not None and load.active >= capacity:
        raise at_capacity(capacity)
    now = ctx.rt.now()
    try:
        async with in_transaction():
            m = await Mentorship.create(
                mentor_id=data.mentor_id,
                apprentice_id=data.apprentice_id,
                organisation_id=data.organisation_id,
                skill_id=data.skill_id,
                goals=goals,
                planned_start=start,
                planned_end=data.planned_end,
                created_by_id=person_id,
                mentor_signed_at=now if person_id == data.mentor_id else None,
                apprentice_signed_at=now if person_id == data.apprentice_id else None,
                open_key=open_key(data.mentor_id, data.apprentice_id, data.skill_id),
            )
    except IntegrityError:
        raise UserInputError(
            errors.DUPLICATE_MENTORSHIP,
            "These two already have a proposed or active mentorship in this skill",
            "apprenticeId",
        ) from None
    ctx.loaders.clear()
    await emit(ctx.rt, event("proposed", m))
    return m


async def accept(ctx: Context, mentorship_id: int) -> Mentorship:
    """Sign the viewer's side (an admin signs every missing side); ACTIVE once both signed."""
    m, actor = await open_for_work(ctx, mentorship_id)
    if not actor.is_party and not actor.is_admin:
        raise denied("Only the other side or an admin may accept")
    async with in_transaction():
        m = await Mentorship.select_for_update().get(id=m.id)
        if m.status is not MentorshipStatus.PROPOSED:
            raise invalid_transition(m, "accepted")
        now = ctx.rt.now()
        signed = []
        if (actor.is_mentor or actor.is_outside_admin) and m.mentor_signed_at is None:
            m.mentor_signed_at = now
            signed.append("mentor_signed_at")
        if (actor.is_apprentice or actor.is_outside_admin) and m.apprentice_signed_at is None:
            m.apprentice_signed_at = now
            signed.append("apprentice_signed_at")
        if not signed:
            raise denied("You have signed already: the other side accepts")
        fields = [*signed, "updated_at"]
        if m.mentor_signed_at is not None and m.apprentice_signed_at is not None:
            await require_qualified(m.mentor_id, m.apprentice_id, m.skill_id)
            await take_place(m.mentor_id, m.organisation_id, await capacity_of(ctx, m.organisation_id))
            m.status = MentorshipStatus.ACTIVE
            m.started_at = now
            fields += ["status", "started_at"]
        await m.save(update_fields=fields)
    ctx.loaders.clear()
    await emit(ctx.rt, event("accepted" if m.status is MentorshipStatus.ACTIVE else "signed", m))
    return m


async def _end(
    ctx: Context,
    mentorship_id: int,
    source: MentorshipStatus,
    target: MentorshipStatus,
    verb: str,
    *,
    refusal: str | None = None,
    reason: str = "",
) -> Mentorship:
    """``source`` → ``target`` under a row lock; ``refusal`` (if any) explains PERMISSION_DENIED."""
    async with in_transaction():
        m = await Mentorship.select_for_update().get(id=mentorship_id)
        if m.status is not source:
            raise invalid_transition(m, verb)
        if refusal is not None:
            raise denied(refusal)
        if source is MentorshipStatus.ACTIVE:
            await give_place(m.mentor_id, m.organisation_id)
        m.status = target
        m.ended_at = ctx.rt.now()
        m.end_reason = reason
        m.open_key = None
        await m.save(update_fields=["status", "ended_at", "end_reason", "open_key", "updated_at"])
    ctx.loaders.clear()
    await emit(ctx.rt, event(verb, m))
    return m


async def decline(ctx: Context, mentorship_id: int, reason: str | None = None) -> Mentorship:
    checks = Checks()
    clean = checks.text(reason, "reason", REASON_MAX, required=False)
    checks.raise_if_any()
    m, actor = await open_for_work(ctx, mentorship_id)
    proposer = actor.person_id is not None and actor.person_id == m.created_by_id
    if not actor.is_party and not actor.is_admin:
        raise denied("Only the other side or an admin may decline")
    allowed = (actor.is_party and not proposer) or actor.is_outside_admin
    return await _end(
        ctx, m.id, MentorshipStatus.PROPOSED, MentorshipStatus.DECLINED, "declined",
        refusal=None if allowed else "You proposed it: withdraw it with mentorshipCancel", reason=clean,
    )


async def cancel(ctx: Context, mentorship_id: int) -> Mentorship:
    m, actor = await open_for_work(ctx, mentorship_id)
    proposer = actor.person_id is not None and actor.person_id == m.created_by_id
    if not actor.is_party and not actor.is_admin:
        raise denied("Only the proposer or an admin may cancel")
    allowed = proposer or actor.is_outside_admin
    return await _end(
        ctx, m.id, MentorshipStatus.PROPOSED, MentorshipStatus.CANCELLED, "cancelled",
        refusal=None if allowed else "Only the proposer may withdraw: decline it instead",
    )


async def terminate(ctx: Context, mentorship_id: int, reason: str) -> Mentorship:
    checks = Checks()
    clean = checks.text(reason, "reason", REASON_MAX)
    checks.raise_if_any()
    m, actor = await open_for_work(ctx, mentorship_id)
    if not actor.is_party and not actor.is_admin:
        raise denied("Only the mentor, the apprentice or an admin may terminate")
    return await _end(
        ctx, m.id, MentorshipStatus.ACTIVE, MentorshipStatus.TERMINATED, "terminated", reason=clean
    )


async def _raise_level(m: Mentorship) -> int | None:
    """One grade up for the apprentice (a smaller number), never better than the mentor."""
    mentor_level = await level_in(m.mentor_id, m.skill_id)
    row = await PersonSkill.select_for_update().get_or_none(person_id=m.apprentice_id, skill_id=m.skill_id)
    current = row.level if row is not None else NO_LEVEL
    new = max(current - 1, mentor_level)
    if new >= current:
        return None
    if row is None:
        await PersonSkill.create(person_id=m.apprentice_id, skill_id=m.skill_id, level=new)
    else:
        row.level = new
        await row.save(update_fields=["level", "updated_at"])
    return new


async def complete(
    ctx: Context, mentorship_id: int, score: int, comment: str, raise_level: bool = False
) -> Mentorship:
    """Graduation (出师): score 0–100, a comment, and optionally a raised skill level."""
    checks = Checks()
    checks.in_range(score, "score", 0, 100)
    clean = checks.text(comment, "comment", COMMENT_MAX)
    checks.raise_if_any()
    m, actor = await open_for_work(ctx, mentorship_id)
    if not actor.is_party and not actor.is_admin:
        raise denied("Only the mentor or an admin may complete")
    async with in_transaction():
        m = await Mentorship.select_for_update().get(id=m.id)
        if m.status is not MentorshipStatus.ACTIVE:
            raise invalid_transition(m, "completed")
        if not (actor.is_mentor or actor.is_outside_admin):
            raise denied("Only the mentor or an admin may complete")
        await give_place(m.mentor_id, m.organisation_id)
        m.status = MentorshipStatus.COMPLETED
        m.ended_at = ctx.rt.now()
        m.score = score
        m.comment = clean
        m.open_key = None
        m.raised_level = await _raise_level(m) if raise_level else None
        await m.save(
            update_fields=["status", "ended_at", "score", "comment", "open_key", "raised_level", "updated_at"]
        )
    ctx.loaders.clear()
    await emit(ctx.rt, event("completed", m, score=score, raisedLevel=m.raised_level))
    return m
