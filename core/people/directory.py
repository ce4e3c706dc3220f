"""The people directory: who holds which honour, skill and level, where, found by any of them.

``people(...)`` applies ``PeopleFilter`` to one queryset (one COUNT, one SELECT per page). Search
looks at public fields only (names, honour titles, skill names and grade titles); contact
details are never matched, so a search cannot reveal them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry
from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.queryset import QuerySet

from core import errors
from core.directory import (
    alliance_sql,
    filter_text,
    reach_sql,
    search_terms,
    term_variants,
)
from core.errors import PublicError
from core.organisations.models import Organisation
from core.people import models
from core.skills.models import GRADE_NAMES_ZH, PersonSkill

MIN_GRADE, MAX_GRADE = 1, 5
NO_RANK = 9  # sorts after every level and honour rank


@strawberry.enum(description="Order of a people list.")
class PersonOrder(Enum):
    ID = "ID"
    NAME = "NAME"
    LEVEL = strawberry.enum_value(
        "LEVEL",
        description="Best skill level first (in `skillId` when given), then highest honour, then name.",
    )


# Best honour first: the order of HonourLevel.
HONOUR_RANK = {level: rank for rank, level in enumerate(models.HonourLevel, start=1)}


@dataclass
class PeopleFilter:
    search: str | None = None
    skill_id: int | None = None
    min_level: int | None = None
    organisation_id: int | None = None
    alliance_id: int | None = None
    region: str | None = None
    honour_level: models.HonourLevel | None = None
    honour_title: str | None = None
    order_by: PersonOrder = PersonOrder.ID


def check_level(value: int | None) -> int | None:
    if value is not None and not MIN_GRADE <= value <= MAX_GRADE:
        raise PublicError(f"`minLevel` must be between {MIN_GRADE} and {MAX_GRADE}", errors.OUT_OF_RANGE, "minLevel")
    return value


def _in(queryset: QuerySet[Any]) -> Q:
    return Q(id__in=Subquery(queryset.values("person_id")))


def _term(term: str) -> Q:
    """People whose name, an honour title, a skill name or a grade title (高级技师) holds the term."""
    found = Q()
    for variant in term_variants(term):
        grades = [grade for grade, title in GRADE_NAMES_ZH.items() if variant in title]
        found |= (
            Q(name__icontains=variant)
            | _in(models.Honour.filter(title__icontains=variant))
            | _in(PersonSkill.filter(skill__name__icontains=variant))
        )
        if grades:
            found |= _in(PersonSkill.filter(level__in=grades))
    return found


def _order(queryset: QuerySet[models.Person], data: PeopleFilter) -> QuerySet[models.Person]:
    if data.order_by == PersonOrder.NAME:
        return queryset.order_by("name", "id")
    if data.order_by == PersonOrder.ID:
        return queryset.order_by("id")
    skill = f" AND ps.skill_id = {int(data.skill_id)}" if data.skill_id is not None else ""
    ranks = " ".join(f"WHEN '{level.value}' THEN {rank}" for level, rank in HONOUR_RANK.items())
    best_level = RawSQL(
        "COALESCE((SELECT MIN(ps.level) FROM core_person_skill ps "
        f'WHERE ps.person_id = "core_person"."id"{skill}), {NO_RANK})'
    )
    best_honour = RawSQL(
        f"COALESCE((SELECT MIN(CASE h.level {ranks} ELSE {NO_RANK} END) FROM core_honour h "
        f'WHERE h.person_id = "core_person"."id"), {NO_RANK})'
    )
    return queryset.annotate(directory_level=best_level, directory_honour=best_honour).order_by(
        "directory_level", "directory_honour", "name", "id"
    )


def people_queryset(data: PeopleFilter) -> QuerySet[models.Person]:
    """People matching every given filter, in the asked order."""
    queryset = models.Person.all()
    for term in search_terms(data.search):
        queryset = queryset.filter(_term(term))
    if data.skill_id is not None or data.min_level is not None:
        skills = PersonSkill.all()
        if data.skill_id is not None:
            skills = skills.filter(skill_id=data.skill_id)
        if data.min_level is not None:  # 1 is the highest: "at least 技师" is level <= 2
            skills = skills.filter(level__lte=data.min_level)
        queryset = queryset.filter(_in(skills))
    if data.organisation_id is not None:
        queryset = queryset.filter(
            _in(models.Membership.filter(organisation_id__in=RawSQL(reach_sql(data.organisation_id))))
        )
    if data.alliance_id is not None:
        queryset = queryset.filter(
            _in(models.Membership.filter(organisation_id__in=RawSQL(alliance_sql(data.alliance_id))))
        )
    region = filter_text(data.region, "region")
    if region is not None:
        regions = Organisation.filter(region__icontains=region).values("id")
        queryset = queryset.filter(_in(models.Membership.filter(organisation_id__in=Subquery(regions))))
    title = filter_text(data.honour_title, "honourTitle")
    if title is not None or data.honour_level is not None:
        honours = models.Honour.all()
        if data.honour_level is not None:
            honours = honours.filter(level=data.honour_level)
        if title is not None:
            title_match = Q()
            for variant in term_variants(title):
                title_match |= Q(title__icontains=variant)
            honours = honours.filter(title_match)
        queryset = queryset.filter(_in(honours))
    return _order(queryset, data)
