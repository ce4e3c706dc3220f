"""The yearly assessment (动态管理, 年度考核) of every studio under a federation.

- The federation's settings hold the targets per studio level (``settings.py``); the figures come
  from every installed plugin (``core.organisations.metrics.studio_metrics``). A studio passes when
  every figure with a target above 0 reaches it.
- A failing year is a RISK_WARNING (风险提示, the studio's status becomes WARNED); a failing year
  after a failing previous year is DELISTED (摘牌) with the decision PROPOSED, which an admin of the
  federation confirms (status DELISTED) or overrides with a reason (the studio stays WARNED). A
  passing year makes a WARNED studio ACTIVE again. Delisted studios are no longer assessed.
- One row per studio and year (``StudioAssessment``) keeps the history. Running a year again
  updates its rows from the new figures, except rows whose delisting was decided; runs of the same
  federation queue on a lock of the federation's row, and the unique (studio, year) row and
  ``core.organisations.status.change_status`` (no change, no history entry) keep concurrent runs
  from doubling anything.
- Status changes go through core (history on ``Organisation.statusHistory``, the audit log);
  after commit, each new or changed warning or proposal is a domain event (``assessment.*``) that
  ``notifications.py`` turns into a notice for the studio's leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from core import audit, errors, lookups
from core.audit.services import Actor
from core.context import Context, Viewer
from core.errors import UserInputError
from core.events import emit
from core.organisations.activation import plugin_settings
from core.organisations.metrics import studio_metrics
from core.organisations.models import Organisation, OrganisationKind, StudioStatus
from core.organisations.status import change_status
from core.plugin_api import DomainEvent
from core.relay import MAX_KEY, to_global_id
from core.runtime import Runtime
from core.validation import Checks
from plugins.assessment import PLUGIN
from plugins.assessment import errors as assessment_errors
from plugins.assessment.access import require_manage
from plugins.assessment.models import AssessmentResult, DelistingDecision, StudioAssessment
from plugins.assessment.services import FIRST_YEAR, last_year
from plugins.assessment.settings import AssessmentSettings
from plugins.assessment.stats import studios_under

REASON_MAX = 1000
FAILING = (AssessmentResult.RISK_WARNING, AssessmentResult.DELISTED)
STATUS_AFTER = {
    AssessmentResult.PASS: StudioStatus.ACTIVE,
    AssessmentResult.RISK_WARNING: StudioStatus.WARNED,
    AssessmentResult.DELISTED: StudioStatus.WARNED,
}
RESULT_LABELS = {
    AssessmentResult.PASS: "达标",
    AssessmentResult.RISK_WARNING: "风险提示",
    AssessmentResult.DELISTED: "拟摘牌",
}


@dataclass(frozen=True)
class Evaluation:
    level: str
    targets: dict[str, int]
    actuals: dict[str, int]
    shortfalls: list[str]
    result: AssessmentResult


def evaluate(
    settings: AssessmentSettings, studio: Organisation, figures: dict[str, int], failed_before: bool
) -> Evaluation:
    """One studio's result from its figures and whether its previous year failed."""
    level, targets = settings.targets_for(studio.level)
    wanted = {name: value for name, value in targets.model_dump().items() if value > 0}
    actuals = {name: int(figures.get(name, 0)) for name in targets.model_dump()}
    shortfalls = sorted(name for name, target in wanted.items() if actuals[name] < target)
    if not shortfalls:
        result = AssessmentResult.PASS
    else:
        result = AssessmentResult.DELISTED if failed_before else AssessmentResult.RISK_WARNING
    return Evaluation(level.value, wanted, actuals, shortfalls, result)


async def require_federation(federation_id: int, field: str = "federationId") -> Organisation:
    federation = await lookups.require_organisation(federation_id, field)
    if federation.kind != OrganisationKind.FEDERATION:
        raise UserInputError(assessment_errors.NOT_A_FEDERATION, "Only a federation runs the assessment", field)
    return federation


def _event(name: str, row: StudioAssessment, studio: Organisation) -> DomainEvent:
    return DomainEvent(
        name,
        {
            "assessmentId": to_global_id("StudioAssessment", row.id),
            "studioId": to_global_id("Organisation", studio.id),
            "studioName": studio.name,
            "year": row.year,
            "result": row.result.value,
            "decision": row.decision.value if row.decision else None,
            "shortfalls": list(row.shortfalls),
            "leaderId": studio.leader_id,
        },
        organisation_id=studio.id,
        subject=to_global_id("StudioAssessment", row.id),
    )


async def run(
    rt: Runtime, federation_id: int, year: int, actor: Actor | Viewer | None = None
) -> list[StudioAssessment]:
    """Assess every studio under the federation for ``year``; answers the year's rows by studio."""
    await require_federation(federation_id)
    checks = Checks()
    checks.in_range(year, "year", FIRST_YEAR, last_year(rt))
    checks.raise_if_any()
    settings = await plugin_settings(rt, federation_id, AssessmentSettings, PLUGIN)
    events: list[DomainEvent] = []
    async with in_transaction():
        # Runs of one federation queue here; everything below reads what the previous one wrote.
        await Organisation.select_for_update().get(id=federation_id)
        studios = await studios_under([federation_id])
        ids = [studio.id for studio in studios]
        figures = await studio_metrics(rt, ids, year)
        rows = await StudioAssessment.filter(organisation_id__in=ids, year__in=[year - 1, year])
        previous = {row.organisation_id: row for row in rows if row.year == year - 1}
        current = {row.organisation_id: row for row in rows if row.year == year}
        answered: list[StudioAssessment] = []
        for studio in studios:
            row = current.get(studio.id)
            if row is not None and row.decision in (DelistingDecision.CONFIRMED, DelistingDecision.OVERRIDDEN):
                answered.append(row)  # decided: final
                continue
            if studio.status == StudioStatus.DELISTED:
                if row is not None:
                    answered.append(row)
                continue  # delisted: no longer assessed, and an earlier year re-run leaves it delisted
            before = previous.get(studio.id)
            found = evaluate(
                settings, studio, dict(figures[studio.id]), before is not None and before.result in FAILING
            )
            decision = DelistingDecision.PROPOSED if found.result == AssessmentResult.DELISTED else None
            values: dict[str, Any] = {
                "federation_id": federation_id,
                "level": found.level,
                "targets": found.targets,
                "actuals": found.actuals,
                "shortfalls": found.shortfalls,
                "result": found.result,
                "decision": decision,
                "evaluated_at": rt.now(),
            }
            changed = row is None or row.result != found.result
            if row is None:
                row = await StudioAssessment.create(organisation_id=studio.id, year=year, **values)
            else:
                await StudioAssessment.filter(id=row.id).update(**values)
                row.update_from_dict(values)
            answered.append(row)
            reason = f"{year}年度考核:{RESULT_LABELS[found.result]}"
            if found.shortfalls:
                reason += "(未达标:" + "、".join(found.shortfalls) + ")"
            await change_status(rt, studio.id, STATUS_AFTER[found.result], reason=reason, actor=actor)
            if changed and found.result in FAILING:
                name = (
                    "assessment.risk_warning"
                    if found.result == AssessmentResult.RISK_WARNING
                    else ("assessment.delisting_proposed")
                )
                events.append(_event(name, row, studio))
    for event in events:
        await emit(rt, event)
    return answered


async def run_as(ctx: Context, federation_id: int, year: int) -> list[StudioAssessment]:
    await lookups.require_organisation(federation_id, "federationId")
    await require_manage(ctx, federation_id, "federationId", "this federation")
    return await run(ctx.rt, federation_id, year, ctx.viewer)


async def require_assessment(assessment_id: int, field: str = "id") -> StudioAssessment:
    row = await StudioAssessment.get_or_none(id=assessment_id) if 0 < assessment_id <= MAX_KEY else None
    if row is None:
        raise UserInputError(errors.NOT_FOUND, f"No assessment with this `{field}`", field)
    return row


async def decide(
    rt: Runtime, assessment_id: int, confirm: bool, reason: str | None, actor: Actor | Viewer | None = None
) -> StudioAssessment:
    """Confirm a proposed delisting (the studio is DELISTED) or override it with a reason (it stays
    WARNED). ``NOT_PROPOSED`` for anything else, including a second decision."""
    await require_assessment(assessment_id)
    checks = Checks()
    reason = checks.text(reason, "reason", REASON_MAX, required=not confirm)
    checks.raise_if_any()
    decision = DelistingDecision.CONFIRMED if confirm else DelistingDecision.OVERRIDDEN
    async with in_transaction():
        row = await StudioAssessment.select_for_update().get(id=assessment_id)
        if row.decision != DelistingDecision.PROPOSED:
            raise UserInputError(
                assessment_errors.NOT_PROPOSED, "This assessment proposes no delisting to decide", "id"
            )
        row.decision = decision
        row.decision_reason = reason
        row.decided_at = rt.now()
        row.decided_by_account_id = actor.account_id if actor else None
        await row.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by_account_id"])
        label = "确认摘牌" if confirm else "保留(不予摘牌)"
        status = StudioStatus.DELISTED if confirm else StudioStatus.WARNED
        await change_status(
            rt, row.organisation_id, status, reason=f"{row.year}年度考核:{label}。{reason}".rstrip("。"), actor=actor
        )
        await audit.record(
            rt,
            actor=actor or audit.SYSTEM,
            organisation_id=row.organisation_id,
            action="assessment.delisting_confirmed" if confirm else "assessment.delisting_overridden",
            target=audit.target("StudioAssessment", row.id),
            before={"decision": DelistingDecision.PROPOSED},
            after={"decision": decision, "reason": reason},
        )
    studio = await Organisation.get(id=row.organisation_id)
    name = "assessment.delisting_confirmed" if confirm else "assessment.delisting_overridden"
    await emit(rt, _event(name, row, studio))
    return row


async def decide_as(ctx: Context, assessment_id: int, confirm: bool, reason: str | None) -> StudioAssessment:
    row = await require_assessment(assessment_id)
    await require_manage(ctx, row.federation_id, "id", "the federation that assessed this studio")
    return await decide(ctx.rt, assessment_id, confirm, reason, ctx.viewer)
