"""Demo data: a believable alliance, loaded once."""

from __future__ import annotations

from core.auth.models import Account
from core.organisations.models import AllianceMembership, AllianceRole, Organisation, OrganisationKind
from core.people.models import Honour, Person
from core.runtime import Runtime
from core.skills.models import PersonSkill
from host.demo import load_demo


async def test_demo_loads_the_alliance_world_once(rt: Runtime) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    kinds = await Organisation.all().values_list("kind", flat=True)
    assert kinds.count(OrganisationKind.STUDIO) == 4
    assert kinds.count(OrganisationKind.ENTERPRISE) == 2
    assert {OrganisationKind.FEDERATION, OrganisationKind.INDUSTRY_UNION, OrganisationKind.SCHOOL,
            OrganisationKind.ALLIANCE} <= set(kinds)
    alliance = await Organisation.get(kind=OrganisationKind.ALLIANCE)
    assert "自愿、共建、共享" in alliance.charter
    assert await AllianceMembership.filter(alliance=alliance, role=AllianceRole.LEAD).count() == 1
    assert 35 <= await Person.all().count() <= 45
    assert await Honour.filter(title="全国劳动模范").exists()
    assert await PersonSkill.filter(level=1).count() >= 2
    studios = await Organisation.filter(kind=OrganisationKind.STUDIO)
    assert all(studio.leader_id is not None for studio in studios)
    assert {username for username, _, _ in demo.accounts} <= set(await Account.all().values_list("username", flat=True))

    assert await load_demo(rt) is None
    assert await Organisation.filter(kind=OrganisationKind.ALLIANCE).count() == 1
