"""The agreement's rules: the status machine and the capacity gate.

Status machine (anything else is ``INVALID_TRANSITION``)::

    PROPOSED --accept (both sides signed)--> ACTIVE --complete--> COMPLETED
    PROPOSED --decline--> DECLINED           ACTIVE --terminate--> TERMINATED
    PROPOSED --cancel--> CANCELLED

Each rule is a plain function over the runtime, ``propose(rt, data, proposer_id)``, callable
without GraphQL and without a permission check; ``propose_as(ctx, data)`` checks the viewer
first (``access.py``) and then calls it.

Capacity: a mentor's ACTIVE agreements *in one organisation* may not exceed that
organisation's ``mentor_capacity`` (the setting is the organisation's, so is the count). The
gate is a counter row per (mentor, organisation) taken with one conditional UPDATE
(``active < capacity``) inside the activating transaction, and given back in the transaction
that ends an ACTIVE agreement, so it holds under concurrent accepts on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core import audit
from core import errors as core_errors
from core.auth.models import Account
from core.context import Context, Viewer
from core.errors import UserInputError
from core.events import emit
from core.organisations.activation import plugin_settings
from core.organisations.models import Organisation
from core.people.models import Membership, Person
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from core.skills.services import record_skill_level
from core.validation import Checks
from plugins.mentorship import PLUGIN, access, errors
from plugins.mentorship.models import MentorLoad, Mentorship, MentorshipStatus, open_key
from plugins.mentorship.settings import MentorshipSettings

# Someone without a level in the skill ranks below 初级工 (5).
NO_LEVEL = 6
GOALS_MAX = 4000
REASON_MAX = 2000
COMMENT_MAX = 4000


@dataclass(frozen=True)
class ProposeData:
    mentor_id: int
    apprentice_id: int
    organisation_id: int
    skill_id: int
    goals: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None


def invalid_transition(m: Mentorship, action: str) -> UserInputError:
    return UserInputError(
        errors.INVALID_TRANSITION, f"A {m.status.value} mentorship cannot be {action}", "id"
    )


def _not_found(field: str) -> UserInputError:
    return UserInputError(core_errors.NOT_FOUND, f"No mentorship with this `{field}`", field)


async def get_mentorship(mentorship_id: int, field: str = "id") -> Mentorship:
    m = await Mentorship.get_or_none(id=mentorship_id)
    if m is None:
        raise _not_found(field)
    return m


async def _locked(mentorship_id: int) -> Mentorship:
    """The agreement under a row lock: call inside the transaction that changes it."""
    m = await Mentorship.select_for_update().get_or_none(id=mentorship_id)
    if m is None:
        raise _not_found("id")
    return m


async def level_in(person_id: int, skill_id: int) -> int:
    row = await PersonSkill.filter(person_id=person_id, skill_id=skill_id).first().values("level")
    return int(row["level"]) if row else NO_LEVEL


async def require_qualified(mentor_id: int, apprentice_id: int, skill_id: int) -> None:
    mentor_level = await level_in(mentor_id, skill_id)
    if mentor_level >= await level_in(apprentice_id, skill_id):
        raise UserInputError(
            errors.MENTOR_NOT_QUALIFIED,
            "The mentor's level in this skill must be better than the apprentice's",
            "mentorId",
        )


async def capacity_of(rt: Runtime, org_id: int) -> int:
    return (await plugin_settings(rt, org_id, MentorshipSettings, PLUGIN)).mentor_capacity


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


async def _belongs_to(person_id: int, org_id: int) -> bool:
    """Is the person a member of the organisation or of an organisation under it?

    One query for the memberships, then one per level up the tree until the answer is known.
    """
    rows = await Membership.filter(person_id=person_id).values_list("organisation_id")
    frontier = {member_org for (member_org,) in rows}
    seen: set[int] = set()
    while frontier:
        if org_id in frontier:
            return True
        seen |= frontier
        parents = await Organisation.filter(id__in=list(frontier)).values_list("parent_id")
        frontier = {parent for (parent,) in parents if parent is not None} - seen
    return False


async def require_both_belong(mentor_id: int, apprentice_id: int, org_id: int, field: str) -> None:
    """The mentor and the apprentice must each belong to the organisation (or one under it):
    an agreement binds two of its people, never someone from elsewhere."""
    for person_id, side in ((mentor_id, "mentor"), (apprentice_id, "apprentice")):
        if not await _belongs_to(person_id, org_id):
            raise UserInputError(
                core_errors.NOT_MEMBER,
                f"The {side} must belong to the organisation holding the agreement",
                field,
            )


async def _require_exists(model: type[Model], pk: int, field: str, what: str) -> None:
    if not await model.exists(id=pk):
        raise UserInputError(core_errors.NOT_FOUND, f"No {what} with this `{field}`", field)


# Payload keys of mentorship events that only the pair and admins receive (``access.can_see_private``).
PRIVATE_EVENT_KEYS = ("score", "raisedLevel", "milestoneTitle", "hours")


def event(name: str, m: Mentorship, **extra: object) -> DomainEvent:
    payload = {
        "mentorshipId": to_global_id("Mentorship", m.id),
        "status": m.status.value,
        "mentorId": to_global_id("Person", m.mentor_id),
        "apprenticeId": to_global_id("Person", m.apprentice_id),
        "skillId": to_global_id("Skill", m.skill_id),
        **extra,
    }
    return DomainEvent(
        f"mentorship.{name}",
        payload,
        organisation_id=m.organisation_id,
        subject=to_global_id("Mentorship", m.id),
        private=tuple(key for key in PRIVATE_EVENT_KEYS if key in payload),
        audience=(m.mentor_id, m.apprentice_id),
    )


# The rules ---------------------------------------------------------------------------------------


async def propose(rt: Runtime, data: ProposeData, proposer_id: int | None) -> Mentorship:
    """A new PROPOSED agreement; a proposer who is one of the parties signs their side."""
    checks = Checks()
    goals = checks.text(data.goals, "goals", GOALS_MAX, required=False)
    start = data.planned_start or rt.now().date()
    if data.planned_end is not None and data.planned_end <= start:
        checks.add(core_errors.OUT_OF_RANGE, "`plannedEnd` must be after the start", "plannedEnd")
    checks.raise_if_any()
    if data.mentor_id == data.apprentice_id:
        raise UserInputError(errors.SELF_MENTORSHIP, "Nobody can be their own mentor", "apprenticeId")
    await _require_exists(Person, data.mentor_id, "mentorId", "person")
    await _require_exists(Person, data.apprentice_id, "apprenticeId", "person")
    await _require_exists(Organisation, data.organisation_id, "organisationId", "organisation")
    await _require_exists(Skill, data.skill_id, "skillId", "skill")
    await require_both_belong(data.mentor_id, data.apprentice_id, data.organisation_id, "organisationId")
    await require_qualified(data.mentor_id, data.apprentice_id, data.skill_id)
    # Early answer only; the race-free check is the one at activation.
    capacity = await capacity_of(rt, data.organisation_id)
    load = await MentorLoad.get_or_none(mentor_id=data.mentor_id, organisation_id=data.organisation_id)
    if load is not None and load.active >= capacity:
        raise at_capacity(capacity)
    now = rt.now()
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
                created_by_id=proposer_id,
                mentor_signed_at=now if proposer_id == data.mentor_id else None,
                apprentice_signed_at=now if proposer_id == data.apprentice_id else None,
                open_key=open_key(data.mentor_id, data.apprentice_id, data.skill_id),
            )
    except IntegrityError:
        raise UserInputError(
            errors.DUPLICATE_MENTORSHIP,
            "These two already have a proposed or active mentorship in this skill",
            "apprenticeId",
        ) from None
    proposer = to_global_id("Person", m.created_by_id) if m.created_by_id is not None else None
    await emit(rt, event("proposed", m, proposedById=proposer))
    return m


async def accept(rt: Runtime, mentorship_id: int, signer_id: int | None) -> Mentorship:
    """``signer_id`` signs their own side, and nobody else's. ACTIVE once the mentor and the
    apprentice have both signed, if both still belong to the organisation and the mentor has a
    free place."""
    async with in_transaction():
        m = await _locked(mentorship_id)
        if m.status is not MentorshipStatus.PROPOSED:
            raise invalid_transition(m, "accepted")
        now = rt.now()
        signed = []
        if signer_id == m.mentor_id and m.mentor_signed_at is None:
            m.mentor_signed_at = now
            signed.append("mentor_signed_at")
        if signer_id == m.apprentice_id and m.apprentice_signed_at is None:
            m.apprentice_signed_at = now
            signed.append("apprentice_signed_at")
        if not signed:
            raise UserInputError(
                core_errors.PERMISSION_DENIED, "You have signed already: the other side accepts", "id"
            )
        fields = [*signed, "updated_at"]
        if m.mentor_signed_at is not None and m.apprentice_signed_at is not None:
            await require_qualified(m.mentor_id, m.apprentice_id, m.skill_id)
            await require_both_belong(m.mentor_id, m.apprentice_id, m.organisation_id, "id")
            await take_place(m.mentor_id, m.organisation_id, await capacity_of(rt, m.organisation_id))
            m.status = MentorshipStatus.ACTIVE
            m.started_at = now
            fields += ["status", "started_at"]
        await m.save(update_fields=fields)
    await emit(rt, event("accepted" if m.status is MentorshipStatus.ACTIVE else "signed", m))
    return m


async def _end(
    rt: Runtime,
    mentorship_id: int,
    source: MentorshipStatus,
    target: MentorshipStatus,
    verb: str,
    reason: str = "",
    administrative: audit.Actor | Viewer | None = None,
) -> Mentorship:
    """``source`` → ``target`` under a row lock; ``administrative``: the admin who ended it for
    the parties (audited in the same transaction, and said in the event both parties receive)."""
    async with in_transaction():
        m = await _locked(mentorship_id)
        if m.status is not source:
            raise invalid_transition(m, verb)
        if source is MentorshipStatus.ACTIVE:
            await give_place(m.mentor_id, m.organisation_id)
        m.status = target
        m.ended_at = rt.now()
        m.end_reason = reason
        m.open_key = None
        await m.save(update_fields=["status", "ended_at", "end_reason", "open_key", "updated_at"])
        if administrative is not None:
            await audit.record(rt, actor=administrative, organisation_id=m.organisation_id,
                               action=f"mentorship.{verb}_by_admin", target=audit.target("Mentorship", m.id),
                               before={"status": source}, after={"status": target, "reason": reason})
    extra = {"administrative": True} if administrative is not None else {}
    await emit(rt, event(verb, m, **extra))
    return m


async def decline(rt: Runtime, mentorship_id: int, reason: str | None = None) -> Mentorship:
    checks = Checks()
    clean = checks.text(reason, "reason", REASON_MAX, required=False)
    checks.raise_if_any()
    return await _end(rt, mentorship_id, MentorshipStatus.PROPOSED, MentorshipStatus.DECLINED, "declined", clean)


async def cancel(rt: Runtime, mentorship_id: int) -> Mentorship:
    return await _end(rt, mentorship_id, MentorshipStatus.PROPOSED, MentorshipStatus.CANCELLED, "cancelled")


async def terminate(rt: Runtime, mentorship_id: int, reason: str,
                    administrative: audit.Actor | Viewer | None = None) -> Mentorship:
    """Ends an ACTIVE agreement with a reason (required, and what both parties read as
    ``endReason``); ``administrative`` names the admin when neither party ended it."""
    checks = Checks()
    clean = checks.text(reason, "reason", REASON_MAX)
    checks.raise_if_any()
    return await _end(
        rt, mentorship_id, MentorshipStatus.ACTIVE, MentorshipStatus.TERMINATED, "terminated", clean,
        administrative,
    )


async def _raise_level(rt: Runtime, m: Mentorship) -> int | None:
    """One grade up for the apprentice (a smaller number), never better than the mentor; the
    record names this agreement, its organisation and the mentor's account (audited by core)."""
    mentor_level = await level_in(m.mentor_id, m.skill_id)
    current = await level_in(m.apprentice_id, m.skill_id)
    new = max(current - 1, mentor_level)
    if new >= current:
        return None
    accounts = await Account.filter(person_id=m.mentor_id).values_list("id", flat=True)
    await record_skill_level(
        rt, person_id=m.apprentice_id, skill_id=m.skill_id, level=new, organisation_id=m.organisation_id,
        awarded_by_account_id=cast(int, accounts[0]) if accounts else None, source=f"mentorship:{m.id}",
    )
    return new


async def complete(
    rt: Runtime, mentorship_id: int, score: int, comment: str, raise_level: bool = False
) -> Mentorship:
    """Graduation (出师): score 0–100, a comment, and optionally a raised skill level; the mentor
    and the apprentice must both still belong to the organisation holding the agreement."""
    checks = Checks()
    checks.in_range(score, "score", 0, 100)
    clean = checks.text(comment, "comment", COMMENT_MAX)
    checks.raise_if_any()
    async with in_transaction():
        m = await _locked(mentorship_id)
        if m.status is not MentorshipStatus.ACTIVE:
            raise invalid_transition(m, "completed")
        await require_both_belong(m.mentor_id, m.apprentice_id, m.organisation_id, "id")
        await give_place(m.mentor_id, m.organisation_id)
        m.status = MentorshipStatus.COMPLETED
        m.ended_at = rt.now()
        m.score = score
        m.comment = clean
        m.open_key = None
        m.raised_level = await _raise_level(rt, m) if raise_level else None
        await m.save(
            update_fields=["status", "ended_at", "score", "comment", "open_key", "raised_level", "updated_at"]
        )
    await emit(rt, event("completed", m, score=score, raisedLevel=m.raised_level))
    return m


# As the viewer: the access check, then the rule ------------------------------------------------


async def mentorship_for(ctx: Context, mentorship_id: int, field: str = "id") -> Mentorship:
    """The agreement a signed-in viewer acts on (the host has checked the plugin is on)."""
    access.require_signed_in(ctx)
    return await get_mentorship(mentorship_id, field)


async def propose_as(ctx: Context, data: ProposeData) -> Mentorship:
    await access.require_propose(ctx, data.mentor_id, data.apprentice_id, data.organisation_id)
    return await propose(ctx.rt, data, ctx.viewer.person_id)


async def accept_as(ctx: Context, mentorship_id: int) -> Mentorship:
    standing = await access.require_accept(ctx, await mentorship_for(ctx, mentorship_id))
    return await accept(ctx.rt, mentorship_id, standing.person_id)


async def decline_as(ctx: Context, mentorship_id: int, reason: str | None = None) -> Mentorship:
    await access.require_decline(ctx, await mentorship_for(ctx, mentorship_id))
    return await decline(ctx.rt, mentorship_id, reason)


async def cancel_as(ctx: Context, mentorship_id: int) -> Mentorship:
    await access.require_cancel(ctx, await mentorship_for(ctx, mentorship_id))
    return await cancel(ctx.rt, mentorship_id)


async def terminate_as(ctx: Context, mentorship_id: int, reason: str) -> Mentorship:
    standing = await access.require_terminate(ctx, await mentorship_for(ctx, mentorship_id))
    return await terminate(ctx.rt, mentorship_id, reason, None if standing.is_party else ctx.viewer)


async def complete_as(
    ctx: Context, mentorship_id: int, score: int, comment: str, raise_level: bool = False
) -> Mentorship:
    await access.require_complete(ctx, await mentorship_for(ctx, mentorship_id))
    return await complete(ctx.rt, mentorship_id, score, comment, raise_level)
