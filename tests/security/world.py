"""Two organisations and an alliance, with objects of every kind in A made by A's own people.

``build(gql, rt)`` answers a ``World``: A's records by GraphQL type name (``world.of["Mentorship"]``
lists the global IDs of A's agreements in every state), the organisations, and the viewers
(anonymous, a member of B, an admin of B, a plain member of A) plus A's own actors (its admin,
the parties), who are the controls: what a foreign viewer is refused, one of them may do.

Challenges: A lets its own people take its problems (``allow_own_members``), so the poster (A's
admin), the offers' owners (the mentor, A's studio, A's service team led by the mentor) and the
people the bids name (the apprentice) are all A's; ``world.of["Problem"]`` is public (open),
alliance-only (open), a draft, and two in progress (one with a submitted outcome, one with a
returned one), in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from core.notifications.models import Notification
from core.organisations.models import (
    AllianceInvitation,
    AllianceMembership,
    AllianceRole,
    Organisation,
    OrganisationKind,
    OrganisationPlugin,
)
from core.people import invitations
from core.people.models import HonourLevel, InvitationStatus, MembershipRole, Person
from core.people.services import record_honour
from core.relay import to_global_id
from core.runtime import Runtime
from core.skills.models import Skill
from core.skills.services import record_skill_level
from host.testing.support import GraphQLClient, User, make_org
from plugins.assessment import assessment
from plugins.assessment import services as achievement_services
from plugins.assessment.models import AchievementKind
from plugins.challenges import bids as challenge_bids
from plugins.challenges import progress as challenge_progress
from plugins.challenges import services as challenges
from plugins.challenges.models import OfferKind, Visibility
from plugins.forum import salons
from plugins.forum import services as forum_services
from plugins.forum.models import ForumSalon, ForumSalonMaterial
from plugins.mentorship import progress, services
from plugins.training import calendar, seats
from plugins.training.models import (
    EnrolmentStatus,
    TrainingCertificate,
    TrainingCourse,
    TrainingCourseTrainer,
    TrainingEnrolment,
    TrainingSession,
)

PLUGINS = ("mentorship", "training", "assessment", "forum", "challenges")


@dataclass
class World:
    a: Organisation
    b: Organisation
    alliance: Organisation
    c: Organisation
    # Viewers who must not change or read A's private data.
    anonymous: None
    b_member: User
    b_admin: User
    a_member: User
    # A's own actors (controls).
    a_admin: User
    superuser: User
    parties: dict[str, User]
    # A's records: GraphQL type name -> global IDs (first: the most "open" one).
    of: dict[str, list[str]] = field(default_factory=dict)

    def add(self, type_name: str, pk: int) -> str:
        global_id = to_global_id(type_name, pk)
        self.of.setdefault(type_name, []).append(global_id)
        return global_id

    @property
    def foreign(self) -> dict[str, User | None]:
        """Viewers outside A (and a member of A for A's admin-only data)."""
        return {"anonymous": None, "b_member": self.b_member, "b_admin": self.b_admin, "a_member": self.a_member}

    def own(self, viewer_name: str | None) -> dict[str, str]:
        """The viewer's own person and organisation, by type name (none for anonymous callers)."""
        viewer = self.foreign.get(viewer_name or "")
        if viewer is None or viewer.person is None:
            return {}
        org = self.b if viewer_name in ("b_member", "b_admin") else self.a
        return {
            "Person": to_global_id("Person", viewer.person.id),
            "Organisation": to_global_id("Organisation", org.id),
        }

    @property
    def controls(self) -> list[User]:
        return [self.a_admin, *self.parties.values(), self.superuser]


async def _user(
    gql: GraphQLClient,
    name: str,
    org: Organisation | None,
    role: MembershipRole = MembershipRole.MEMBER,
    **contact: str,
) -> User:
    user = await gql.user(name, org=org, role=role)
    assert user.person is not None
    if contact:
        await Person.filter(id=user.person.id).update(**contact)
    return user


def _pid(user: User) -> int:
    assert user.person is not None
    return user.person.id


async def build(gql: GraphQLClient, rt: Runtime) -> World:
    federation = await make_org("甲市总工会", OrganisationKind.FEDERATION)
    a = await make_org("甲工作室", OrganisationKind.STUDIO, parent=federation)
    b = await make_org("乙企业", OrganisationKind.ENTERPRISE)
    c = await make_org("丙学校", OrganisationKind.SCHOOL)
    alliance = await make_org("创新联盟", OrganisationKind.ALLIANCE)
    for org in (federation, a, b, c):
        for plugin in PLUGINS:
            await OrganisationPlugin.create(organisation=org, plugin=plugin, settings={})
    await AllianceMembership.create(alliance=alliance, organisation=a, role=AllianceRole.LEAD)
    # A's own people and studio may take A's problems: the bids, team and outcome stay inside A.
    await OrganisationPlugin.filter(organisation=a, plugin="challenges").update(settings={"allow_own_members": True})

    a_admin = await _user(gql, "甲管理员", a, MembershipRole.ADMIN, phone="13900000001", email="admin@a.cn")
    mentor = await _user(gql, "甲师傅", a, phone="13900000002", email="shifu@a.cn")
    apprentice = await _user(gql, "甲徒弟", a, phone="13900000003", email="tudi@a.cn")
    second = await _user(gql, "甲二徒", a, phone="13900000004", email="ertu@a.cn")
    trainer = await _user(gql, "甲讲师", a, phone="13900000005", email="jiangshi@a.cn")
    outsider = await _user(gql, "待邀请", None, phone="13900000006", email="invitee@x.cn")
    a_member = await _user(gql, "甲组员", a)  # a viewer: no secrets of their own to find
    b_admin = await _user(gql, "乙管理员", b, MembershipRole.ADMIN)
    b_member = await _user(gql, "乙组员", b)
    superuser = await gql.superuser()

    world = World(
        a=a,
        b=b,
        alliance=alliance,
        c=c,
        anonymous=None,
        b_member=b_member,
        b_admin=b_admin,
        a_member=a_member,
        a_admin=a_admin,
        superuser=superuser,
        parties={
            "mentor": mentor,
            "apprentice": apprentice,
            "second": second,
            "trainer": trainer,
            "outsider": outsider,
        },
    )
    world.add("Organisation", a.id)
    world.add("Organisation", alliance.id)
    world.add("Organisation", federation.id)  # A's federation (no admin of its own here)
    # A's own sub-studio, not in the alliance yet: A's admin may join it (a control).
    workshop = await make_org("甲分工作室", OrganisationKind.STUDIO, parent=a)
    world.add("Organisation", workshop.id)
    for user in (apprentice, mentor, second, trainer, a_admin, outsider):
        world.add("Person", _pid(user))

    # Skills and honours, recorded by A in its name.
    weld = await Skill.create(name="焊接")
    lathe = await Skill.create(name="车工")
    world.add("Skill", weld.id)
    for skill in (weld, lathe):
        for user, level in ((mentor, 1), (apprentice, 4), (second, 5)):
            await record_skill_level(
                rt,
                person_id=_pid(user),
                skill_id=skill.id,
                level=level,
                organisation_id=a.id,
                awarded_by_account_id=a_admin.account_id,
                source="test",
            )
    await record_honour(
        rt,
        person_id=_pid(mentor),
        title="齐鲁大工匠",
        level=HonourLevel.PROVINCIAL,
        year=2020,
        issuer="省总工会",
        organisation_id=a.id,
        awarded_by_account_id=a_admin.account_id,
    )

    # Invitations: A invites an outsider; the alliance invites C (neither answered by B).
    invitation = await invitations.invite(
        rt,
        organisation_id=a.id,
        person_id=_pid(outsider),
        role=MembershipRole.MEMBER,
        invited_by_account_id=a_admin.account_id,
    )
    world.add("MembershipInvitation", invitation.id)
    alliance_invitation = await AllianceInvitation.create(
        alliance=alliance,
        organisation=c,
        role=AllianceRole.MEMBER,
        status=InvitationStatus.PENDING,
        invited_at=rt.now(),
        invited_by_account_id=a_admin.account_id,
    )
    world.add("AllianceInvitation", alliance_invitation.id)

    # Mentorships in every state, with milestones open, done and approved, and a session log.
    def propose(apprentice_user: User, skill: Skill) -> services.ProposeData:
        return services.ProposeData(_pid(mentor), _pid(apprentice_user), a.id, skill.id, goals="私密的目标")

    active = await services.propose(rt, propose(apprentice, weld), _pid(mentor))
    await services.accept(rt, active.id, _pid(apprentice))
    proposed = await services.propose(rt, propose(second, weld), _pid(mentor))
    world.add("Mentorship", active.id)
    world.add("Mentorship", proposed.id)
    opened = await progress.add_milestone(rt, active.id, "开放里程碑", by=_pid(mentor))
    done = await progress.add_milestone(rt, active.id, "已完成里程碑", by=_pid(mentor))
    await progress.complete_milestone(rt, done.id)
    approved = await progress.add_milestone(rt, active.id, "已批准里程碑", by=_pid(mentor))
    await progress.complete_milestone(rt, approved.id)
    await progress.approve_milestone(rt, approved.id)
    for milestone in (opened, done, approved):
        world.add("MentorshipMilestone", milestone.id)
    session = await progress.log_session(rt, active.id, rt.now().date(), 2, "私密的带徒记录", by=_pid(mentor))
    world.add("MentorshipSession", session.id)
    for verb in ("complete", "terminate", "decline", "cancel"):
        m = await services.propose(rt, propose(second, lathe), _pid(mentor))
        if verb in ("complete", "terminate"):
            await services.accept(rt, m.id, _pid(second))
        if verb == "complete":
            await services.complete(rt, m.id, 88, "私密的评语", raise_level=False)
        elif verb == "terminate":
            await services.terminate(rt, m.id, "私密的终止原因")
        elif verb == "decline":
            await services.decline(rt, m.id, "私密的拒绝原因")
        else:
            await services.cancel(rt, m.id)
        world.add("Mentorship", m.id)

    # Training: a published course with its trainer, a draft, sessions, an enrolment, a certificate.
    course = await TrainingCourse.create(organisation=a, title="公开课程", hours=8, published=True)
    draft = await TrainingCourse.create(organisation=a, title="草稿课程", hours=8, published=False)
    for row in (course, draft):
        await TrainingCourseTrainer.create(course=row, person_id=_pid(trainer))
        world.add("TrainingCourse", row.id)
    starts = rt.now() + timedelta(days=2)
    published_session = await TrainingSession.create(
        course=course,
        organisation=a,
        capacity=5,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="一号车间",
    )
    draft_session = await TrainingSession.create(
        course=draft,
        organisation=a,
        capacity=5,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="保密车间",
    )
    started = rt.now() - timedelta(hours=1)
    running_session = await TrainingSession.create(
        course=course,
        organisation=a,
        capacity=5,
        starts_at=started,
        ends_at=started + timedelta(hours=2),
        venue="二号车间",
    )
    world.add("TrainingSession", published_session.id)
    world.add("TrainingSession", draft_session.id)
    world.add("TrainingSession", running_session.id)
    enrolment = (await seats.enrol(rt, published_session.id, _pid(apprentice))).enrolment
    world.add("TrainingEnrolment", enrolment.id)
    # The session has started: its seat was taken and checked in before (no rule enrols now).
    attended = await TrainingEnrolment.create(
        session=running_session,
        person_id=_pid(second),
        status=EnrolmentStatus.ATTENDED,
        enrolled_at=started - timedelta(days=1),
        confirmed_at=started - timedelta(days=1),
        checked_in_at=rt.now(),
    )
    await TrainingSession.filter(id=running_session.id).update(seats_taken=1)
    world.add("TrainingEnrolment", attended.id)
    certificate = await TrainingCertificate.create(
        enrolment=enrolment,
        holder_id=_pid(apprentice),
        course_id=course.id,
        organisation_id=a.id,
        code="ABCDEFGHJKLMNPQR",
        issued_at=rt.now(),
    )
    world.add("TrainingCertificate", certificate.id)
    await calendar.reset_feed(rt, _pid(apprentice))

    # Assessment: an achievement of A's studio and last year's assessment by the federation.
    achievement = await achievement_services.create_achievement(
        rt,
        a.id,
        achievement_services.AchievementFields(
            title="焊接机器人改造",
            kind=next(iter(AchievementKind)),
            year=rt.now().year - 1,
            patent_number="ZL2024000001",
            contributor_ids=[_pid(mentor)],
        ),
        a_admin.account_id,
    )
    world.add("Achievement", achievement.id)
    for row in await assessment.run(rt, federation.id, rt.now().year - 1):
        world.add("StudioAssessment", row.id)

    # Forum: a thread and a reply on A's board, an upcoming salon and an ended one with material.
    created = await forum_services.create_thread(rt, a.id, _pid(mentor), "焊接参数讨论", "大家的经验", None)
    world.add("ForumThread", created.thread.id)
    world.add("ForumPost", created.post.id)
    reply = await forum_services.create_post(rt, created.thread.id, _pid(apprentice), "学习了", created.post.id)
    world.add("ForumPost", reply.id)
    upcoming = await salons.create_salon(
        rt,
        a.id,
        salons.SalonFields(
            title="技能沙龙",
            starts_at=rt.now() + timedelta(days=5),
            ends_at=rt.now() + timedelta(days=5, hours=2),
            venue="会议室",
            speaker_ids=[_pid(mentor)],
        ),
        _pid(a_admin),
    )
    ended = await ForumSalon.create(
        organisation=a,
        title="上月沙龙",
        starts_at=rt.now() - timedelta(days=30),
        ends_at=rt.now() - timedelta(days=30) + timedelta(hours=2),
        venue="会议室",
    )
    world.add("Salon", upcoming.id)
    world.add("Salon", ended.id)
    material = await ForumSalonMaterial.create(salon=ended, title="讲义", url="https://example.com/a.pdf")
    world.add("SalonMaterial", material.id)
    # A moderator hides the reply: its body and the reason are the moderators' only.
    hidden = await forum_services.create_post(rt, created.thread.id, _pid(second), "私密的隐藏帖子", None)
    await forum_services.hide_post(rt, hidden.id, _pid(a_admin), True, "私密的隐藏原因")
    world.add("ForumPost", hidden.id)

    await _challenges(rt, world, weld)

    # The inbox: what A's people were notified of while all this happened.
    for notification in await Notification.all().order_by("id"):
        world.add("Notification", notification.id)
    return world


async def _challenges(rt: Runtime, world: World, weld: Skill) -> None:
    """A's problems in every state and visibility (public first, an alliance-only one, a draft,
    two in progress), A's offers (a person's, the studio's, its service team's), bids pending,
    declined and accepted, milestones planned, done and approved, a visit and outcomes."""
    a, admin, mentor, apprentice = world.a, world.a_admin, world.parties["mentor"], world.parties["apprentice"]

    async def problem(title: str, visibility: Visibility, publish: bool = True) -> int:
        fields = challenges.ProblemFields(
            title=title,
            visibility=visibility,
            publish=publish,
            skills=[challenges.SkillNeed(weld.id, 3)],
            description=f"{title}的说明",
        )
        row = await challenges.create_problem(rt, a.id, fields, _pid(admin))
        world.add("Problem", row.id)
        return row.id

    public = await problem("公开难题", Visibility.PUBLIC)
    alliance_only = await problem("联盟内难题", Visibility.ALLIANCE)
    await problem("草稿难题", Visibility.ALLIANCE, publish=False)
    working = await problem("攻关中难题", Visibility.PUBLIC)
    returned = await problem("返工难题", Visibility.PUBLIC)

    team = await challenges.create_team(
        rt, a.id, challenges.TeamFields(name="甲服务队", leader_id=_pid(mentor), industry_chain="高端装备")
    )
    world.add("ServiceTeam", team.id)
    person_offer = await challenges.create_offer(
        rt, challenges.OfferFields(kind=OfferKind.PERSON, title="师傅的专长", person_id=_pid(mentor)), _pid(mentor)
    )
    studio_offer = await challenges.create_offer(
        rt, challenges.OfferFields(kind=OfferKind.STUDIO, title="工作室攻关", organisation_id=a.id), _pid(admin)
    )
    team_offer = await challenges.create_offer(
        rt, challenges.OfferFields(kind=OfferKind.TEAM, title="服务队上门", team_id=team.id), _pid(mentor)
    )
    for offer in (person_offer, studio_offer, team_offer):
        world.add("Offer", offer.id)

    async def bid(problem_id: int, offer_id: int, plan: str) -> int:
        fields = challenge_bids.BidFields(problem_id, offer_id, plan, member_ids=[_pid(apprentice)])
        row = await challenge_bids.create_bid(rt, fields, _pid(mentor))
        world.add("Bid", row.id)
        return row.id

    accepted = await bid(working, person_offer.id, "私密的揭榜方案")
    await challenge_bids.accept_bid(rt, accepted)
    await bid(alliance_only, studio_offer.id, "私密的待定方案")
    declined = await bid(public, team_offer.id, "私密的落选方案")
    await challenge_bids.decline_bid(rt, declined, "私密的落选原因")
    second = await bid(returned, studio_offer.id, "私密的返工方案")
    await challenge_bids.accept_bid(rt, second)

    planned = await challenge_progress.add_milestone(rt, working, "计划节点", None)
    done = await challenge_progress.add_milestone(rt, working, "完成节点", None)
    await challenge_progress.complete_milestone(rt, done.id)
    approved = await challenge_progress.add_milestone(rt, working, "批准节点", None)
    await challenge_progress.complete_milestone(rt, approved.id)
    await challenge_progress.approve_milestone(rt, approved.id)
    for milestone in (planned, done, approved):
        world.add("ProblemMilestone", milestone.id)
    visit = await challenge_progress.log_visit(
        rt, challenge_progress.VisitFields(accepted, rt.now().date(), 3.0, 2, notes="上门记录"), _pid(mentor)
    )
    world.add("ServiceVisit", visit.id)
    submitted = await challenge_progress.submit_outcome(rt, accepted, "私密的成果总结")
    sent_back = await challenge_progress.submit_outcome(rt, second, "私密的返工总结")
    await challenge_progress.return_outcome(rt, returned, "私密的返工原因")
    world.add("ProblemOutcome", submitted.id)
    world.add("ProblemOutcome", sent_back.id)
