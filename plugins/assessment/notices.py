"""Notices for studio leaders (``notifications`` hook) from the assessment's domain events."""

from __future__ import annotations

from core.plugin_api import DomainEvent, Notice

SUMMARIES = {
    "assessment.risk_warning": "{name}{year}年度考核未达标,已被风险提示",
    "assessment.delisting_proposed": "{name}连续两年考核未达标,拟予摘牌",
    "assessment.delisting_confirmed": "{name}{year}年度考核:确认摘牌",
    "assessment.delisting_overridden": "{name}{year}年度考核:总工会决定不予摘牌",
}


def notices_for(event: DomainEvent) -> list[Notice]:
    """One notice for the studio's leader per assessment event; none for other events."""
    template = SUMMARIES.get(event.name)
    leader = event.payload.get("leaderId")
    if template is None or not isinstance(leader, int) or event.subject is None:
        return []
    summary = template.format(name=event.payload.get("studioName", ""), year=event.payload.get("year", ""))
    return [Notice(recipient_id=leader, kind=event.name, subject=event.subject, summary=summary[:200])]
