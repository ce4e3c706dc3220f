"""The audit log (issue 8, item 5): security-relevant actions, appended and never changed.

Services call ``await audit.record(rt, actor=..., organisation_id=..., action=..., target=...,
before=..., after=...)`` inside the transaction that makes the change, so a change never
happens without its entry and an undone change leaves none. ``docs/audit.md`` lists the actions.
"""

from core.audit.services import SYSTEM, Actor, record, target

__all__ = ["SYSTEM", "Actor", "record", "target"]
