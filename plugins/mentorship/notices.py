"""The mentorship plugin's notices (its ``notifications`` hook).

``mentorship.proposed``: the party who did not propose signs next, so each of the mentor and the
apprentice gets a notice (kind ``mentorship.proposed``) naming the proposer as actor; core drops
the one addressed to the proposer, so a party who proposed is not told, and when an admin
proposed both parties are. The notice links to the Mentorship (public, see docs/permissions.md).
"""

from __future__ import annotations

from core.notifications.notices import pk_in
from core.people.models import Person
from core.plugin_api import DomainEvent, Notice
from core.relay import to_global_id
from core.skills.models import Skill


async def notices(event: DomainEvent) -> list[Notice]:
    if event.name != "mentorship.proposed":
        return []
    payload = event.payload
    mentorship_id = pk_in(payload, "mentorshipId", "Mentorship")
    mentor_id, apprentice_id = pk_in(payload, "mentorId"), pk_in(payload, "apprenticeId")
    if mentorship_id is None or mentor_id is None or apprentice_id is None:
        return []
    proposer_id = pk_in(payload, "proposedById")
    wanted = {mentor_id, apprentice_id} | ({proposer_id} if proposer_id else set())
    names = {int(pk): str(name) for pk, name in await Person.filter(id__in=wanted).values_list("id", "name")}
    skill_id = pk_in(payload, "skillId", "Skill")
    skill = await Skill.get_or_none(id=skill_id) if skill_id is not None else None
    skill_name = skill.name if skill is not None else ""
    mentor, apprentice = names.get(mentor_id, ""), names.get(apprentice_id, "")
    by = (names.get(proposer_id, "") if proposer_id is not None else "") or "管理员"
    to_mentor = f"{apprentice}希望拜你为师" if proposer_id == apprentice_id else f"{by}提议你收{apprentice}为徒"
    to_apprentice = f"{mentor}提议收你为徒" if proposer_id == mentor_id else f"{by}提议你拜{mentor}为师"
    subject = to_global_id("Mentorship", mentorship_id)
    return [
        Notice(
            recipient_id=mentor_id,
            kind="mentorship.proposed",
            subject=subject,
            actor_id=proposer_id,
            summary=f"{to_mentor}，学习{skill_name}",
        ),
        Notice(
            recipient_id=apprentice_id,
            kind="mentorship.proposed",
            subject=subject,
            actor_id=proposer_id,
            summary=f"{to_apprentice}，学习{skill_name}",
        ),
    ]
