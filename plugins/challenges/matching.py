"""Explainable matching between the demand list and the resource list.

``problem_matches`` ranks the active offers (people, studios, service teams) for a problem;
``offer_matches`` ranks the open problems an offer may take. Both score 0–100 as the sum of six
parts, each with a reason in Chinese:

==============  =====  ==================================================================
skills          ≤ 40   per needed skill an equal share: in full at the minimum level or
                       better (the best level among the people behind the offer), half one
                       grade below; 20 when the problem names no skill
honours         ≤ 15   national 10, provincial 8, municipal 6, district 4, enterprise 3,
                       school 2, summed over the people behind the offer
industry chain  15     the offer serves the problem's chain
closeness       ≤ 10   10 the same region, 7 the same alliance circle (``access.circle_of``)
track record    ≤ 15   15 × min(solved, 3) / 3 × average rating / 5
current load    ≤ 5    5 with no problem in progress, 3 with one, 1 with two, 0 beyond
==============  =====  ==================================================================

The people behind an offer: the person; the studio's members and leader; the team's members
and leader. A poster is never matched with itself (the posting organisation's own studio
offers, the person who posted it); the posting organisation's own people (members, studios
under it) only when its ``allow_own_members`` setting says so.

The work is a fixed number of SQL statements whatever the number of offers or problems (each
list is read once, filtered by subqueries); ranking is ``heapq.nlargest`` in Python. Ties go to
the lower id.

**The prefilter** (``problem_matches``). Scoring every active offer in Python costs most of a
second at 20,000 people, so one SQL statement (``_plausible_offers``) first picks the offers
that can reach the page, and only those are read and scored (the Python scoring is unchanged, so
their scores and reasons are the same). For every eligible offer (the exclusions above are
applied in the SQL as well, so an excluded offer never sets the bar) the statement works out two
bounds of its score from the same data the Python reads:

- ``low``: skills (the best level per needed skill among the people behind the offer, the same
  full/half/none rule) + honours (summed over the distinct people, capped at 15) + the same
  chain 15 + the same region 10 + the track record (the same formula); all exact parts;
- ``high = low + 5 + (7 unless the same region)``: the two parts left out of ``low``, current
  load (at most 5) and the alliance circle (7, only when not in the same region), at their most.

So ``low ≤ score ≤ high`` for every offer. Let ``T`` be the ``first``-th largest ``low`` (capped at
100, as scores are). At least ``first`` offers score ``T`` or more, so the page's last score is at
least ``T``, and an offer whose ``high`` is below ``T`` scores less than every offer on the page
and cannot enter it. The statement keeps the offers with ``high ≥ T - 0.1`` (scores are rounded to
one decimal, so one just under ``T`` could round to a tie, which the lower id would win); with
fewer than ``first`` eligible offers it keeps them all. Nothing that could be on the page is
dropped: when many offers are alike the kept set is larger, never wrong (past ``KEPT_MAX`` the
reads that follow take every active offer rather than a long list of ids: the same statements,
as slow as before the prefilter). At 20,000 people it keeps a few dozen.
``problem_matches(..., exhaustive=True)`` scores every offer instead (the tests compare the two on
random pools).

The statement writes numbers into its text (skill ids, levels, organisation ids, constants: all
passed through ``int``/``float``) and passes text (chain, region) as parameters.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.expressions import Q, Subquery

from core import errors as core_errors
from core.context import Context
from core.errors import UserInputError
from core.organisations.models import Organisation, OrganisationPlugin
from core.people.models import Honour, HonourLevel, Membership
from core.relay import MAX_PAGE
from core.skills.models import GRADE_NAMES_ZH, PersonSkill
from plugins.challenges import PLUGIN, access, services
from plugins.challenges.models import (
    Bid,
    BidStatus,
    Offer,
    OfferKind,
    Problem,
    ProblemSkill,
    ProblemStatus,
    ServiceTeam,
    ServiceTeamMember,
)

HONOUR_POINTS = {
    HonourLevel.NATIONAL: 10,
    HonourLevel.PROVINCIAL: 8,
    HonourLevel.MUNICIPAL: 6,
    HonourLevel.DISTRICT: 4,
    HonourLevel.ENTERPRISE: 3,
    HonourLevel.SCHOOL: 2,
}
SKILLS_MAX, NO_SKILLS = 40.0, 20.0
HONOURS_MAX = 15
CHAIN = 15
SAME_REGION, SAME_CIRCLE = 10, 7
RECORD_MAX, RECORD_FULL_AT = 15.0, 3
LOAD_POINTS = {0: 5, 1: 3, 2: 1}
HONOURS_SHOWN = 2
PREFILTER_MARGIN = 0.1  # scores are rounded to 0.1: a bound this close may still tie
KEPT_MAX = 2000  # more offers kept than this (many alike): read every active offer instead of a list of ids
KINDS = {kind.value: kind for kind in OfferKind}


@dataclass(frozen=True)
class Need:
    skill_id: int
    min_level: int
    name: str


@dataclass(frozen=True)
class Side:
    """What is known of one offer: the people behind it and where it comes from."""

    offer_id: int
    kind: OfferKind
    owner_id: int
    people: frozenset[int]
    home: frozenset[int]  # organisations it comes from
    chain: str
    region: str


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OfferMatch:
    offer_id: int
    kind: OfferKind
    owner_id: int
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class ProblemMatch:
    problem_id: int
    score: float
    reasons: list[str]


def _grade(level: int) -> str:
    return GRADE_NAMES_ZH.get(level, "无等级")


def score(
    needs: list[Need],
    levels: dict[int, int],
    honours: list[tuple[str, HonourLevel, int]],
    same_chain: str | None,
    closeness: str | None,
    same_region: bool,
    record: tuple[int, int],
    load: int,
    explain: bool = True,
) -> Scored:
    """The six parts for one (problem, offer) pair; ``levels``: best level per skill id. Without
    ``explain`` only the score is worked out (ranking thousands; the page is then explained)."""
    points = 0.0
    reasons: list[str] = []
    if not needs:
        points += NO_SKILLS
        if explain:
            reasons.append("难题未列技能要求")
    for need in needs:
        share = SKILLS_MAX / len(needs)
        level = levels.get(need.skill_id)
        if level is not None and level <= need.min_level:
            points += share
            if explain:
                better = "高于" if level < need.min_level else "达到"
                reasons.append(f"{need.name}:{_grade(level)},{better}要求({_grade(need.min_level)})")
        elif level is not None and level == need.min_level + 1:
            points += share / 2
            if explain:
                reasons.append(f"{need.name}:{_grade(level)},略低于要求({_grade(need.min_level)})")
        elif explain:
            reasons.append(f"缺少{need.name}技能(要求{_grade(need.min_level)})")
    if honours:
        points += min(HONOURS_MAX, sum(HONOUR_POINTS[h[1]] for h in honours))
        if explain:
            ranked = sorted(honours, key=lambda h: (-HONOUR_POINTS[h[1]], -h[2], h[0]))
            reasons += [f"{title}({year})" for title, _level, year in ranked[:HONOURS_SHOWN]]
    if same_chain:
        points += CHAIN
        if explain:
            reasons.append(f"同属{same_chain}产业链")
    if same_region:
        points += SAME_REGION
        if explain:
            reasons.append(f"同在{closeness}")
    elif closeness:
        points += SAME_CIRCLE
        if explain:
            reasons.append("同一联盟")
    solved, rating_sum = record
    if solved:
        average = rating_sum / solved
        points += RECORD_MAX * min(solved, RECORD_FULL_AT) / RECORD_FULL_AT * average / 5
        if explain:
            reasons.append(f"已解决{solved}个难题,平均评分{average:.1f}")
    points += LOAD_POINTS.get(load, 0)
    if explain:
        reasons.append("当前无在办难题" if load == 0 else f"当前在办{load}项" + (",负荷较重" if load > 2 else ""))
    return Scored(round(min(points, 100.0), 1), reasons)


def _check_first(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise UserInputError(core_errors.OUT_OF_RANGE, f"`first` must be between 0 and {MAX_PAGE}", "first")


async def _records(offer_filter: Q) -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    """(solved count, rating sum) and problems in progress, per offer: two statements."""
    records: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for offer_id, rating in await Bid.filter(
        offer_filter, status=BidStatus.ACCEPTED, problem__status=ProblemStatus.SOLVED
    ).values_list("offer_id", "problem__rating"):
        records[int(offer_id)][0] += 1
        records[int(offer_id)][1] += int(rating or 0)
    loads: dict[int, int] = defaultdict(int)
    for (offer_id,) in await Bid.filter(
        offer_filter, status=BidStatus.ACCEPTED, problem__status=ProblemStatus.IN_PROGRESS
    ).values_list("offer_id"):
        loads[int(offer_id)] += 1
    return {k: (v[0], v[1]) for k, v in records.items()}, dict(loads)


async def _sides(offers: Any) -> list[Side]:
    """The people behind and the home organisations of every offer ``offers`` (a queryset)
    selects: five statements whatever their number."""
    rows = await offers.values_list("id", "kind", "person_id", "organisation_id", "team_id", "industry_chain", "region")
    team_ids = Subquery(offers.filter(kind=OfferKind.TEAM).values("team_id"))
    studio_ids = Subquery(offers.filter(kind=OfferKind.STUDIO).values("organisation_id"))
    person_ids = Subquery(offers.filter(kind=OfferKind.PERSON).values("person_id"))
    teams = {t["id"]: t for t in await ServiceTeam.filter(id__in=team_ids).values("id", "leader_id", "organisation_id")}
    team_people: dict[int, set[int]] = defaultdict(set)
    for team_id, person_id in await ServiceTeamMember.filter(team_id__in=team_ids).values_list("team_id", "person_id"):
        team_people[int(team_id)].add(int(person_id))
    studio_people: dict[int, set[int]] = defaultdict(set)
    for org_id, person_id in await Membership.filter(organisation_id__in=studio_ids).values_list(
        "organisation_id", "person_id"
    ):
        studio_people[int(org_id)].add(int(person_id))
    for org_id, leader_id in await Organisation.filter(id__in=studio_ids, leader_id__not_isnull=True).values_list(
        "id", "leader_id"
    ):
        studio_people[int(org_id)].add(int(leader_id))
    person_orgs: dict[int, set[int]] = defaultdict(set)
    for person_id, org_id in await Membership.filter(person_id__in=person_ids).values_list(
        "person_id", "organisation_id"
    ):
        person_orgs[int(person_id)].add(int(org_id))
    sides = []
    for offer_id, kind_value, person_id, org_id, team_id, chain, region in rows:
        kind = KINDS[kind_value]
        if kind == OfferKind.PERSON:
            owner, people, home = person_id, {person_id}, person_orgs.get(person_id, set())
        elif kind == OfferKind.STUDIO:
            owner, people, home = org_id, studio_people.get(org_id, set()), {org_id}
        else:
            team = teams.get(team_id)
            if team is None:
                continue
            owner = team["id"]
            people = team_people.get(owner, set()) | {team["leader_id"]}
            home = {team["organisation_id"]}
        sides.append(Side(offer_id, kind, owner, frozenset(people), frozenset(home), chain or "", region or ""))
    return sides


def _people_filter(offers: Any) -> Q:
    """Everyone behind the offers ``offers`` selects, as a filter on a ``person_id`` column."""
    teams = Subquery(offers.filter(kind=OfferKind.TEAM).values("team_id"))
    studios = Subquery(offers.filter(kind=OfferKind.STUDIO).values("organisation_id"))
    return (
        Q(person_id__in=Subquery(offers.filter(kind=OfferKind.PERSON).values("person_id")))
        | Q(person_id__in=Subquery(ServiceTeamMember.filter(team_id__in=teams).values("person_id")))
        | Q(person_id__in=Subquery(ServiceTeam.filter(id__in=teams).values("leader_id")))
        | Q(person_id__in=Subquery(Membership.filter(organisation_id__in=studios).values("person_id")))
        | Q(person_id__in=Subquery(Organisation.filter(id__in=studios).values("leader_id")))
    )


async def _honours(people: Q) -> dict[int, list[tuple[str, HonourLevel, int]]]:
    found: dict[int, list[tuple[str, HonourLevel, int]]] = defaultdict(list)
    for person_id, title, level, year in await Honour.filter(people).values_list("person_id", "title", "level", "year"):
        found[int(person_id)].append((str(title), HonourLevel(level), int(year)))
    return found


HonourRow = tuple[str, HonourLevel, int]


def _side_honours(side: Side, honours: dict[int, list[HonourRow]]) -> list[HonourRow]:
    return [h for p in side.people for h in honours.get(p, ())]


def _side_levels(side: Side, levels: dict[int, dict[int, int]]) -> dict[int, int]:
    best: dict[int, int] = {}
    for person_id in side.people:
        for skill_id, level in levels.get(person_id, {}).items():
            if skill_id not in best or level < best[skill_id]:
                best[skill_id] = level
    return best


async def _levels(query: Any) -> dict[int, dict[int, int]]:
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    for person_id, skill_id, level in await query.values_list("person_id", "skill_id", "level"):
        levels[int(person_id)][int(skill_id)] = int(level)
    return levels


async def _allow_own() -> set[int]:
    """Organisations whose setting lets their own people take their problems (one statement)."""
    rows = await OrganisationPlugin.filter(plugin=PLUGIN).values_list("organisation_id", "settings")
    return {int(org_id) for org_id, stored in rows if services.parse_settings(stored).allow_own_members}


async def _ancestors(org_ids: set[int]) -> set[int]:
    """The organisations and all their ancestors (one statement per level)."""
    found, frontier = set(org_ids), set(org_ids)
    for _ in range(access.MAX_TREE_DEPTH):
        if not frontier:
            break
        parents = {
            int(p)
            for (p,) in await Organisation.filter(id__in=list(frontier), parent_id__not_isnull=True).values_list(
                "parent_id"
            )
        } - found
        found |= parents
        frontier = parents
    return found


def _marks() -> tuple[Any, Any]:
    """The default connection and a function giving its next parameter placeholder."""
    conn = connections.get("default")
    numbers = iter(range(1, 10**6))
    if conn.capabilities.dialect == "postgres":
        return conn, lambda: f"${next(numbers)}"
    return conn, lambda: "?"


# The people behind each active studio and team offer (as ``_sides`` reads them; a person may come
# twice, e.g. a leader who is also a member: skills take the best level, honours count each person
# once); a person offer's one person is joined directly.
_GROUP_BEHIND = """
  SELECT o.id AS offer_id, m.person_id AS person_id FROM challenges_offer o
    JOIN core_membership m ON m.organisation_id = o.organisation_id WHERE o.active AND o.kind = 'STUDIO'
  UNION ALL SELECT o.id, g.leader_id FROM challenges_offer o
    JOIN core_organisation g ON g.id = o.organisation_id
   WHERE o.active AND o.kind = 'STUDIO' AND g.leader_id IS NOT NULL
  UNION ALL SELECT o.id, t.leader_id FROM challenges_offer o
    JOIN challenges_service_team t ON t.id = o.team_id WHERE o.active AND o.kind = 'TEAM'
  UNION ALL SELECT o.id, tm.person_id FROM challenges_offer o
    JOIN challenges_service_team_member tm ON tm.team_id = o.team_id WHERE o.active AND o.kind = 'TEAM'
"""

_PLAUSIBLE = """
WITH group_behind AS MATERIALIZED ({group_behind}),
levels AS (SELECT person_id, skill_id, level FROM core_person_skill WHERE skill_id IN ({skill_ids})),
person_skill AS (SELECT person_id, SUM({skill_points}) AS points FROM levels GROUP BY person_id),
person_honour AS (SELECT person_id, SUM({honour_points}) AS points FROM core_honour GROUP BY person_id),
group_skill AS (
  SELECT offer_id, SUM({skill_points}) AS points FROM (
    SELECT g.offer_id, l.skill_id, MIN(l.level) AS level FROM group_behind g
      JOIN levels l ON l.person_id = g.person_id GROUP BY g.offer_id, l.skill_id) best
   GROUP BY offer_id),
group_honour AS (
  SELECT offer_id, SUM(points) AS points FROM (
    SELECT DISTINCT g.offer_id, g.person_id, h.points FROM group_behind g
      JOIN person_honour h ON h.person_id = g.person_id) honoured
   GROUP BY offer_id),
record AS (
  SELECT b.offer_id, COUNT(*) AS solved, SUM(COALESCE(p.rating, 0)) AS ratings FROM challenges_bid b
    JOIN challenges_problem p ON p.id = b.problem_id
   WHERE b.status = 'ACCEPTED' AND p.status = 'SOLVED' GROUP BY b.offer_id),
candidate AS MATERIALIZED (
  SELECT o.id,
         {skills}
         + CASE WHEN COALESCE(ph.points, gh.points, 0) > {honours_max} THEN {honours_max}
                ELSE COALESCE(ph.points, gh.points, 0) END
         + {chain}
         + {region}
         + CASE WHEN record.solved IS NULL THEN 0
                ELSE {record_max} * (CASE WHEN record.solved > {record_full} THEN {record_full} ELSE record.solved END)
                     * record.ratings / ({record_full}.0 * 5.0 * record.solved) END AS low,
         {slack} AS slack
    FROM challenges_offer o
    LEFT JOIN person_skill ps ON o.kind = 'PERSON' AND ps.person_id = o.person_id
    LEFT JOIN person_honour ph ON o.kind = 'PERSON' AND ph.person_id = o.person_id
    LEFT JOIN group_skill gs ON gs.offer_id = o.id
    LEFT JOIN group_honour gh ON gh.offer_id = o.id
    LEFT JOIN record ON record.offer_id = o.id
   WHERE o.active
     AND NOT (o.kind = 'TEAM' AND (o.team_id IS NULL
              OR o.team_id NOT IN (SELECT id FROM challenges_service_team)))
     AND NOT (o.kind = 'STUDIO' AND o.organisation_id = {poster_org})
     {not_poster} {not_own})
{select}"""

# The offers that may reach the page: ``high`` at least the ``first``-th largest (capped) ``low``.
_KEEP = """SELECT id FROM candidate
 WHERE low + slack >= COALESCE(
   (SELECT CASE WHEN low > 100 THEN 100 ELSE low END FROM candidate ORDER BY low DESC LIMIT 1 OFFSET {offset}),
   -1) - {margin}
"""
_BOUNDS = "SELECT id, low, low + slack AS high FROM candidate"

_NOT_OWN = """
     AND NOT (o.kind = 'PERSON' AND o.person_id IN (SELECT person_id FROM core_membership
                                                    WHERE organisation_id IN ({own})))
     AND NOT (o.kind = 'STUDIO' AND o.organisation_id IN ({own}))
     AND NOT (o.kind = 'TEAM' AND o.team_id IN (SELECT id FROM challenges_service_team
                                                WHERE organisation_id IN ({own})))"""


async def _plausible_offers(
    problem: Problem, needs: list[Need], own_allowed: bool, own_tree: set[int], first: int
) -> list[int]:
    """The prefilter (one statement): the ids of the eligible active offers whose score may reach
    the ``first`` best; see the module docstring."""
    select = _KEEP.format(offset=int(first) - 1, margin=PREFILTER_MARGIN)
    return [int(row["id"]) for row in await _candidates(problem, needs, own_allowed, own_tree, select)]


async def offer_bounds(
    problem: Problem, needs: list[Need], own_allowed: bool, own_tree: set[int]
) -> dict[int, tuple[float, float]]:
    """``(low, high)`` of every eligible active offer (what the prefilter compares; for tests)."""
    rows = await _candidates(problem, needs, own_allowed, own_tree, _BOUNDS)
    return {int(row["id"]): (float(row["low"]), float(row["high"])) for row in rows}


async def _candidates(
    problem: Problem, needs: list[Need], own_allowed: bool, own_tree: set[int], select: str
) -> list[Any]:
    """The bounds statement ending in ``select`` (on the ``candidate`` rows). Numbers are written
    into the SQL (ids and constants, all through ``int``/``float``), text passed as parameters."""
    conn, mark = _marks()
    values: list[Any] = []

    def param(value: Any) -> str:
        values.append(value)
        return str(mark())

    if needs:
        share = SKILLS_MAX / len(needs)
        cases = " ".join(
            f"WHEN skill_id = {int(n.skill_id)} AND level <= {int(n.min_level)} THEN {float(share)!r} "
            f"WHEN skill_id = {int(n.skill_id)} AND level = {int(n.min_level) + 1} THEN {float(share / 2)!r}"
            for n in needs
        )
        skill_points, skills = f"CASE {cases} ELSE 0 END", "COALESCE(ps.points, gs.points, 0)"
    else:
        skill_points, skills = "0", f"{float(NO_SKILLS)!r}"
    honour_points = (
        "CASE level "
        + " ".join(f"WHEN '{level.value}' THEN {int(points)}" for level, points in HONOUR_POINTS.items())
        + " ELSE 0 END"
    )
    chain = "0"
    if problem.industry_chain:
        chain = f"CASE WHEN o.industry_chain = {param(problem.industry_chain)} THEN {CHAIN} ELSE 0 END"
    load_max = max(LOAD_POINTS.values())
    region, slack = "0", f"{load_max + SAME_CIRCLE}"
    if problem.region:
        region = f"CASE WHEN o.region = {param(problem.region)} THEN {SAME_REGION} ELSE 0 END"
        slack = f"{load_max} + CASE WHEN o.region = {param(problem.region)} THEN 0 ELSE {SAME_CIRCLE} END"
    not_poster = (
        f"AND NOT (o.kind = 'PERSON' AND o.person_id = {int(problem.posted_by_id)})"
        if problem.posted_by_id is not None
        else ""
    )
    own = ", ".join(str(int(org_id)) for org_id in sorted(own_tree)) or "0"
    sql = _PLAUSIBLE.format(
        group_behind=_GROUP_BEHIND,
        skill_ids=", ".join(str(int(n.skill_id)) for n in needs) or "0",
        skill_points=skill_points,
        honour_points=honour_points,
        skills=skills,
        honours_max=HONOURS_MAX,
        chain=chain,
        region=region,
        record_max=float(RECORD_MAX),
        record_full=RECORD_FULL_AT,
        slack=slack,
        poster_org=int(problem.organisation_id),
        not_poster=not_poster,
        not_own="" if own_allowed else _NOT_OWN.format(own=own),
        select=select,
    )
    _, rows = await conn.execute_query(sql, values)
    return list(rows)


async def problem_matches(problem_id: int, first: int, *, exhaustive: bool = False) -> list[OfferMatch]:
    """The ``first`` best offers for a problem, best first. ``exhaustive`` scores every active
    offer instead of the prefiltered ones (the reference the tests compare the prefilter with)."""
    _check_first(first)
    problem = await services.require_problem(problem_id, "problemId")
    if first == 0:
        return []
    needs = [
        Need(int(s), int(m), str(n))
        for s, m, n in await ProblemSkill.filter(problem_id=problem.id)
        .order_by("id")
        .values_list("skill_id", "min_level", "skill__name")
    ]
    own_allowed = problem.organisation_id in await _allow_own()
    circle = await access.circle_of({problem.organisation_id})
    own_tree = await access.descendants({problem.organisation_id})
    offer_ids = None if exhaustive else await _plausible_offers(problem, needs, own_allowed, own_tree, first)
    if offer_ids is None or len(offer_ids) > KEPT_MAX:  # every active offer: the same statements
        offers, chosen = Offer.filter(active=True), Q(offer__active=True)
    else:
        offers, chosen = Offer.filter(id__in=offer_ids), Q(offer_id__in=offer_ids)
    sides = await _sides(offers)
    levels = await _levels(PersonSkill.filter(_people_filter(offers), skill_id__in=[n.skill_id for n in needs] or [0]))
    honours = await _honours(_people_filter(offers))
    records, loads = await _records(chosen)

    def rank(side: Side, explain: bool = False) -> OfferMatch | None:
        if side.kind == OfferKind.STUDIO and side.owner_id == problem.organisation_id:
            return None  # never the poster with itself
        if side.kind == OfferKind.PERSON and side.owner_id == problem.posted_by_id:
            return None
        if not own_allowed and side.home & own_tree:
            return None
        same_region = bool(problem.region) and side.region == problem.region
        near = problem.region if same_region else ("联盟" if side.home & circle else None)
        result = score(
            needs,
            _side_levels(side, levels),
            _side_honours(side, honours),
            problem.industry_chain if problem.industry_chain and side.chain == problem.industry_chain else None,
            near,
            same_region,
            records.get(side.offer_id, (0, 0)),
            loads.get(side.offer_id, 0),
            explain,
        )
        return OfferMatch(side.offer_id, side.kind, side.owner_id, result.score, result.reasons)

    scored = ((m, side) for m, side in ((rank(side), side) for side in sides) if m is not None)
    top = heapq.nlargest(first, scored, key=lambda pair: (pair[0].score, -pair[0].offer_id))
    return [m for m in (rank(side, explain=True) for _, side in top) if m is not None]


async def offer_matches(offer_id: int, first: int, visible: Q) -> list[ProblemMatch]:
    """The ``first`` best OPEN problems (of those ``visible`` keeps) for an offer, best first."""
    _check_first(first)
    offer = await services.require_offer(offer_id)
    one = Offer.filter(id=offer.id)
    sides = await _sides(one)
    if not sides:
        return []  # a team offer whose team is gone
    side = sides[0]
    levels = await _levels(PersonSkill.filter(person_id__in=list(side.people) or [0]))
    honours = await _honours(Q(person_id__in=list(side.people) or [0]))
    best = _side_levels(side, levels)
    side_honours = _side_honours(side, honours)
    records, loads = await _records(Q(offer_id=offer.id))
    circle = await access.circle_of(set(side.home))
    home_and_up = await _ancestors(set(side.home))
    own_allowed = await _allow_own()
    problems = Problem.filter(visible, status=ProblemStatus.OPEN)
    rows = await problems.values("id", "organisation_id", "posted_by_id", "industry_chain", "region")
    needs: dict[int, list[Need]] = defaultdict(list)
    for pid, skill_id, min_level, name in (
        await ProblemSkill.filter(problem_id__in=Subquery(problems.values("id")))
        .order_by("id")
        .values_list("problem_id", "skill_id", "min_level", "skill__name")
    ):
        needs[int(pid)].append(Need(int(skill_id), int(min_level), str(name)))
    record, load = records.get(offer.id, (0, 0)), loads.get(offer.id, 0)

    def rank(row: dict[str, Any], explain: bool = False) -> ProblemMatch | None:
        poster = row["organisation_id"]
        if (side.kind == OfferKind.STUDIO and side.owner_id == poster) or (
            side.kind == OfferKind.PERSON and side.owner_id == row["posted_by_id"]
        ):
            return None
        if poster in home_and_up and poster not in own_allowed:
            return None
        same_region = bool(row["region"]) and side.region == row["region"]
        near = row["region"] if same_region else ("联盟" if poster in circle else None)
        chain = row["industry_chain"]
        result = score(
            needs.get(row["id"], []),
            best,
            side_honours,
            chain if chain and chain == side.chain else None,
            near,
            same_region,
            record,
            load,
            explain,
        )
        return ProblemMatch(row["id"], result.score, result.reasons)

    scored = ((m, row) for m, row in ((rank(row), row) for row in rows) if m is not None)
    top = heapq.nlargest(first, scored, key=lambda pair: (pair[0].score, -pair[0].problem_id))
    return [m for m in (rank(row, explain=True) for _, row in top) if m is not None]


async def problem_matches_as(ctx: Context, problem_id: int, first: int) -> list[OfferMatch]:
    """Signed-in viewers who may see the problem."""
    access.require_signed_in(ctx)
    await access.require_see_problem(ctx, await services.require_problem(problem_id, "problemId"), "problemId")
    return await problem_matches(problem_id, first)


async def offer_matches_as(ctx: Context, offer_id: int, first: int) -> list[ProblemMatch]:
    """Signed-in viewers; only problems they may see are ranked."""
    access.require_signed_in(ctx)
    return await offer_matches(offer_id, first, await access.visible_problems(ctx))
