"""Figures of studios: the achievements' own ``studio_metrics``, and the statistics officials
report upwards (``federationStats`` / ``allianceStats`` and their exports).

The studios of a federation are every studio in its subtree; those of an alliance every studio
among its members or below them. Per studio and year: level and status, members (distinct
people), honours those people hold (awarded up to that year), and every plugin's figures through
``core.organisations.metrics.studio_metrics`` (apprentices graduated, training sessions and
attendances, salons, problems solved, achievements, economic benefit). A fixed number of SQL
statements answers a whole report, whatever the number of studios (one more per tree level).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import cast

from core import errors, lookups
from core.context import Context
from core.errors import UserInputError
from core.organisations.metrics import studio_metrics
from core.organisations.models import (
    AllianceMembership,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    StudioStatus,
)
from core.people.models import Honour, Membership
from core.plugin_api import StudioMetric
from core.runtime import Runtime
from plugins.assessment import errors as assessment_errors
from plugins.assessment.access import require_manage
from plugins.assessment.models import INNOVATION_KINDS, Achievement, StatsGroupBy
from plugins.assessment.services import FIRST_YEAR, last_year
from plugins.assessment.settings import level_bucket

LEVEL_LABELS = {
    OrganisationLevel.MUNICIPAL: "市级",
    OrganisationLevel.DISTRICT: "区级",
    OrganisationLevel.ENTERPRISE: "企业级",
}
UNKNOWN = "未填写"


async def achievement_metrics(organisation_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """This plugin's ``studio_metrics``: achievements of the year, those of innovation kinds (all
    but papers), and their economic benefit (direct + indirect yuan). One statement."""
    rows = await Achievement.filter(organisation_id__in=list(organisation_ids), year=year).values(
        "organisation_id", "kind", "direct_benefit", "indirect_benefit"
    )
    found: dict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        figures = found[row["organisation_id"]]
        figures[StudioMetric.ACHIEVEMENTS] += 1
        figures[StudioMetric.INNOVATION_PROJECTS] += row["kind"] in INNOVATION_KINDS
        figures[StudioMetric.ECONOMIC_BENEFIT] += row["direct_benefit"] + row["indirect_benefit"]
    return {org_id: dict(figures) for org_id, figures in found.items()}


async def subtree_ids(root_ids: Iterable[int]) -> set[int]:
    """The organisations and every one below them: one statement per tree level."""
    found = set(root_ids)
    frontier = set(found)
    while frontier:
        children = await Organisation.filter(parent_id__in=list(frontier)).values_list("id", flat=True)
        frontier = set(cast("list[int]", children)) - found  # flat=True: ids, not the tuples tortoise's types say
        found |= frontier
    return found


async def studios_under(root_ids: Iterable[int]) -> list[Organisation]:
    """Every studio among ``root_ids`` or below them, by id."""
    ids = await subtree_ids(root_ids)
    return list(await Organisation.filter(id__in=list(ids), kind=OrganisationKind.STUDIO).order_by("id"))


@dataclass
class StatsRow:
    """One line of a report; ``COLUMNS`` names each figure in Chinese, in report order."""

    key: str
    label: str
    studios: int = 0
    municipal_studios: int = 0
    district_studios: int = 0
    enterprise_studios: int = 0
    active_studios: int = 0
    warned_studios: int = 0
    delisted_studios: int = 0
    members: int = 0
    honours: int = 0
    apprentices_graduated: int = 0
    training_sessions: int = 0
    training_attendances: int = 0
    salons_held: int = 0
    problems_solved: int = 0
    achievements: int = 0
    economic_benefit: int = 0
    people: set[int] = field(default_factory=set, repr=False)


COLUMNS: tuple[tuple[str, str], ...] = (
    ("studios", "工作室数"),
    ("municipal_studios", "市级工作室"),
    ("district_studios", "区级工作室"),
    ("enterprise_studios", "企业级工作室"),
    ("active_studios", "正常运行"),
    ("warned_studios", "风险提示"),
    ("delisted_studios", "摘牌"),
    ("members", "成员人数"),
    ("honours", "荣誉称号"),
    ("apprentices_graduated", "出师徒弟"),
    ("training_sessions", "培训场次"),
    ("training_attendances", "培训人次"),
    ("salons_held", "交流沙龙"),
    ("problems_solved", "解决技术难题"),
    ("achievements", "创新成果"),
    ("economic_benefit", "经济效益(元)"),
)
FIGURES = tuple(name for name, _ in COLUMNS)
# Figures that come from the plugins (``studio_metrics``), by the row's attribute.
METRIC_FIGURES = {
    "apprentices_graduated": StudioMetric.APPRENTICES_GRADUATED,
    "training_sessions": StudioMetric.TRAINING_SESSIONS,
    "training_attendances": StudioMetric.TRAINING_ATTENDANCES,
    "salons_held": StudioMetric.SALONS_HELD,
    "problems_solved": StudioMetric.PROBLEMS_SOLVED,
    "achievements": StudioMetric.ACHIEVEMENTS,
    "economic_benefit": StudioMetric.ECONOMIC_BENEFIT,
}
assert {f.name for f in fields(StatsRow)} >= set(FIGURES)


@dataclass(frozen=True)
class StatsReport:
    organisation: Organisation
    year: int
    group_by: StatsGroupBy
    totals: StatsRow
    groups: list[StatsRow]


def _group(studio: Organisation, group_by: StatsGroupBy) -> tuple[str, str]:
    if group_by == StatsGroupBy.STUDIO_LEVEL:
        bucket = level_bucket(studio.level)
        return bucket.value, LEVEL_LABELS[bucket]
    value = (studio.region if group_by == StatsGroupBy.REGION else studio.industry) or UNKNOWN
    return value, value


def _add_studio(row: StatsRow, studio: Organisation, metrics: Counter[str], people: set[int]) -> None:
    row.studios += 1
    bucket = level_bucket(studio.level)
    if bucket == OrganisationLevel.MUNICIPAL:
        row.municipal_studios += 1
    elif bucket == OrganisationLevel.DISTRICT:
        row.district_studios += 1
    else:
        row.enterprise_studios += 1
    if studio.status == StudioStatus.DELISTED:
        row.delisted_studios += 1
    elif studio.status == StudioStatus.WARNED:
        row.warned_studios += 1
    else:
        row.active_studios += 1
    for attribute, metric in METRIC_FIGURES.items():
        setattr(row, attribute, getattr(row, attribute) + metrics[metric])
    row.people |= people


async def report(
    rt: Runtime, organisation: Organisation, studios: list[Organisation], year: int, group_by: StatsGroupBy
) -> StatsReport:
    """The figures of ``studios`` in ``year``, grouped, with a total line (合计)."""
    ids = [studio.id for studio in studios]
    metrics = await studio_metrics(rt, ids, year)
    people: dict[int, set[int]] = defaultdict(set)
    for org_id, person_id in await Membership.filter(organisation_id__in=ids).values_list(
        "organisation_id", "person_id"
    ):
        people[org_id].add(person_id)
    everyone = set().union(*people.values()) if people else set()
    honour_people = await Honour.filter(person_id__in=list(everyone), year__lte=year).values_list(
        "person_id", flat=True
    )
    honours = Counter(cast("list[int]", honour_people))  # flat=True: ids, not tuples
    totals = StatsRow(key="TOTAL", label="合计")
    groups: dict[str, StatsRow] = {}
    for studio in studios:
        key, label = _group(studio, group_by)
        row = groups.setdefault(key, StatsRow(key=key, label=label))
        for target in (row, totals):
            _add_studio(target, studio, metrics[studio.id], people[studio.id])
    for row in [*groups.values(), totals]:
        row.members = len(row.people)
        row.honours = sum(honours[person_id] for person_id in row.people)
    ordered = sorted(groups.values(), key=lambda r: (-r.studios, r.key))
    return StatsReport(organisation, year, group_by, totals, ordered)


def _check_year(rt: Runtime, year: int) -> None:
    if not FIRST_YEAR <= year <= last_year(rt):
        raise UserInputError(errors.OUT_OF_RANGE, f"`year` must be between {FIRST_YEAR} and {last_year(rt)}", "year")


async def federation_report(
    rt: Runtime, federation_id: int, year: int, group_by: StatsGroupBy, field: str = "federationId"
) -> StatsReport:
    federation = await lookups.require_organisation(federation_id, field)
    if federation.kind != OrganisationKind.FEDERATION:
        raise UserInputError(assessment_errors.NOT_A_FEDERATION, "This organisation is not a federation", field)
    _check_year(rt, year)
    return await report(rt, federation, await studios_under([federation_id]), year, group_by)


async def alliance_report(
    rt: Runtime, alliance_id: int, year: int, group_by: StatsGroupBy, field: str = "allianceId"
) -> StatsReport:
    alliance = await lookups.require_organisation(alliance_id, field)
    if alliance.kind != OrganisationKind.ALLIANCE:
        raise UserInputError(errors.NOT_AN_ALLIANCE, "This organisation is not an alliance", field)
    _check_year(rt, year)
    members = await AllianceMembership.filter(alliance_id=alliance_id).values_list("organisation_id", flat=True)
    return await report(rt, alliance, await studios_under(cast("list[int]", members)), year, group_by)


async def federation_report_as(
    ctx: Context, federation_id: int, year: int, group_by: StatsGroupBy, field: str = "federationId"
) -> StatsReport:
    await lookups.require_organisation(federation_id, field)
    await require_manage(ctx, federation_id, field, "this federation")
    return await federation_report(ctx.rt, federation_id, year, group_by, field)


async def alliance_report_as(
    ctx: Context, alliance_id: int, year: int, group_by: StatsGroupBy, field: str = "allianceId"
) -> StatsReport:
    await lookups.require_organisation(alliance_id, field)
    await require_manage(ctx, alliance_id, field, "this alliance")
    return await alliance_report(ctx.rt, alliance_id, year, group_by, field)


async def report_as(ctx: Context, org_id: int, year: int, group_by: StatsGroupBy, field: str) -> StatsReport:
    """A federation's or an alliance's report, by the organisation's kind (the exports)."""
    org = await lookups.require_organisation(org_id, field)
    if org.kind == OrganisationKind.ALLIANCE:
        return await alliance_report_as(ctx, org_id, year, group_by, field)
    return await federation_report_as(ctx, org_id, year, group_by, field)
