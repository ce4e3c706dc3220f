"""Core's own notices (its ``notifications`` hook): invitations.

- ``membership.invited``: the invited person (kind ``membership.invited``);
- ``alliance.invited``: the admins and leaders of the invited organisation (kind ``alliance.invited``).

Both link to the invitation itself (a Relay node that exactly the invited may see), so a client
opens it to accept or decline, and the notice disappears for whoever may no longer see it.
"""

from __future__ import annotations

from typing import Any, cast

from core.organisations.models import Organisation
from core.people.models import Membership
from core.permissions import MANAGING_ROLES
from core.plugin_api import DomainEvent, Notice
from core.relay import parse_global_id


def pk_in(payload: dict[str, Any], key: str, type_name: str = "Person") -> int | None:
    """The primary key of the ``type_name`` global ID at ``payload[key]``, or None."""
    parsed = parse_global_id(str(payload.get(key) or ""))
    return parsed[1] if parsed is not None and parsed[0] == type_name else None


async def _names(*org_ids: int) -> dict[int, str]:
    rows = await Organisation.filter(id__in=list(org_ids)).values_list("id", "name")
    return {int(pk): str(name) for pk, name in rows}


async def _membership_invited(event: DomainEvent) -> list[Notice]:
    person_id = pk_in(event.payload, "personId")
    org_id = pk_in(event.payload, "organisationId", "Organisation")
    if person_id is None or org_id is None or "invitationId" not in event.payload:
        return []
    name = (await _names(org_id)).get(org_id, "")
    return [
        Notice(
            recipient_id=person_id,
            kind="membership.invited",
            subject=str(event.payload["invitationId"]),
            actor_id=pk_in(event.payload, "invitedById"),
            summary=f"{name} 邀请你加入",
        )
    ]


async def _alliance_invited(event: DomainEvent) -> list[Notice]:
    alliance_id = pk_in(event.payload, "allianceId", "Organisation")
    org_id = pk_in(event.payload, "organisationId", "Organisation")
    if alliance_id is None or org_id is None or "invitationId" not in event.payload:
        return []
    admins = cast(
        "list[int]",
        await Membership.filter(organisation_id=org_id, role__in=MANAGING_ROLES).values_list("person_id", flat=True),
    )
    if not admins:
        return []
    names = await _names(alliance_id, org_id)
    summary = f"{names.get(alliance_id, '')} 邀请 {names.get(org_id, '')} 加入联盟"
    actor = pk_in(event.payload, "invitedById")
    return [
        Notice(
            recipient_id=admin,
            kind="alliance.invited",
            subject=str(event.payload["invitationId"]),
            actor_id=actor,
            summary=summary,
        )
        for admin in sorted(set(admins))
    ]


async def core_notices(event: DomainEvent) -> list[Notice]:
    if event.name == "membership.invited":
        return await _membership_invited(event)
    if event.name == "alliance.invited":
        return await _alliance_invited(event)
    return []
