"""A small studio world for the mentorship tests: a master, an apprentice, an admin, a stranger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from core.organisations.models import Organisation, OrganisationKind, OrganisationPlugin
from core.people.models import MembershipRole, Person
from core.skills.models import PersonSkill, Skill
from tests.support import GraphQLClient, User, gid, make_org

# PROPOSE, ACCEPT, DECLINE and COMPLETE are the mobile app's operations, verbatim.
PROPOSE = """
mutation Propose($input: MentorshipProposeInput!) {
  mentorshipPropose(input: $input) { mentorship { id status } errors { code message field } }
}"""
ACCEPT = """
mutation Accept($id: ID!) { mentorshipAccept(input: {id: $id}) { mentorship { id status } errors { code message } } }"""
DECLINE = """
mutation Decline($id: ID!) { mentorshipDecline(input: {id: $id}) { mentorship { id status } errors { code message } } }"""  # noqa: E501
CANCEL = """
mutation Cancel($id: ID!) {
  mentorshipCancel(input: {id: $id}) { mentorship { id status } errors { code message } }
}"""
TERMINATE = """
mutation Terminate($id: ID!, $reason: String!) {
  mentorshipTerminate(input: {id: $id, reason: $reason}) {
    mentorship { id status endReason } errors { code message field } }
}"""
COMPLETE = """
mutation Complete($input: MentorshipCompleteInput!) {
  mentorshipComplete(input: $input) { mentorship { id status } errors { code message } }
}"""


async def enable(org: Organisation, **settings: Any) -> None:
    await OrganisationPlugin.create(organisation=org, plugin="mentorship", settings=settings)


async def set_level(person: Person | None, skill: Skill, level: int) -> None:
    assert person is not None
    await PersonSkill.update_or_create(person=person, skill=skill, defaults={"level": level})


@dataclass
class World:
    gql: GraphQLClient
    studio: Organisation
    skill: Skill
    mentor: User
    apprentice: User
    admin: User
    stranger: User
    # Everyone made with ``person()``, by person global ID.
    users: dict[str, User] = field(default_factory=dict)

    @property
    def studio_id(self) -> str:
        return gid("Organisation", self.studio.id)

    @property
    def skill_id(self) -> str:
        return gid("Skill", self.skill.id)

    async def person(self, name: str, level: int | None = None, org: Organisation | None = None,
                     role: MembershipRole = MembershipRole.MEMBER) -> User:
        user = await self.gql.user(name, org=org or self.studio, role=role)
        if level is not None:
            await set_level(user.person, self.skill, level)
        self.users[user.person_gid] = user
        return user

    async def propose(self, by: User, mentor: User | None = None, apprentice: User | None = None,
                      **fields: Any) -> dict[str, Any]:
        """The propose payload; ``fields`` override the input (camelCase)."""
        mentor = mentor or self.mentor
        apprentice = apprentice or self.apprentice
        variables = {
            "mentorId": mentor.person_gid,
            "apprenticeId": apprentice.person_gid,
            "organisationId": self.studio_id,
            "skillId": self.skill_id,
            "goals": "掌握焊接基本功",
            "plannedEnd": "2099-12-31",
            **fields,
        }
        data = await self.gql(PROPOSE, {"input": variables}, user=by)
        return data["mentorshipPropose"]

    async def proposed(self, by: User | None = None, **kw: Any) -> str:
        """The id of a new PROPOSED agreement (proposed by the mentor unless ``by``)."""
        payload = await self.propose(by or kw.get("mentor") or self.mentor, **kw)
        assert payload["errors"] == [], payload
        return str(payload["mentorship"]["id"])

    async def active(self, **kw: Any) -> str:
        """The id of a new ACTIVE agreement: proposed by the mentor, accepted by the apprentice."""
        mentorship_id = await self.proposed(**kw)
        payload = await self.act(ACCEPT, mentorship_id, kw.get("apprentice") or self.apprentice)
        assert payload["errors"] == [] and payload["mentorship"]["status"] == "ACTIVE", payload
        return mentorship_id

    async def act(self, operation: str, mentorship_id: str, by: User, **variables: Any) -> dict[str, Any]:
        data = await self.gql(operation, {"id": mentorship_id, **variables}, user=by)
        return next(iter(data.values()))

    async def complete(self, mentorship_id: str, by: User, score: int = 90, comment: str = "准予出师",
                       raise_level: bool = False) -> dict[str, Any]:
        variables = {"input": {"id": mentorship_id, "score": score, "comment": comment, "raiseLevel": raise_level}}
        return (await self.gql(COMPLETE, variables, user=by))["mentorshipComplete"]


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]


@pytest.fixture
async def world(gql: GraphQLClient) -> World:
    studio = await make_org("王建国劳模创新工作室", kind=OrganisationKind.STUDIO)
    await enable(studio)
    skill = await Skill.create(name="焊接", category="机械制造")
    mentor = await gql.user("王建国", org=studio)
    apprentice = await gql.user("李小军", org=studio)
    await set_level(mentor.person, skill, 1)
    await set_level(apprentice.person, skill, 4)
    admin = await gql.user("周管理", org=studio, role=MembershipRole.ADMIN)
    stranger = await gql.user("路人甲")
    return World(gql, studio, skill, mentor, apprentice, admin, stranger)
