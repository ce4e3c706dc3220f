"""Check-in with a short rotating code, valid only around the session.

The code is derived, never stored: ``HMAC-SHA256(secret_key, "training.check-in:<session id>:<step>")``
truncated to 6 digits as in TOTP (RFC 4226 dynamic truncation), where ``step`` counts
``STEP_SECONDS`` periods since the epoch. The current and the previous step are accepted, so a
code shown on a screen or in a QR stays good for one to two steps. Codes are accepted only in
the window [starts_at − ``check_in_opens_minutes`` (default 30), ends_at]. Wrong codes are
counted per person and session in Redis; after ``MAX_FAILURES`` in ``FAILURE_WINDOW_SECONDS``
further attempts get ``RATE_LIMITED`` (6 digits must not be guessable by trying them all). Every
attempt increments the counter before its code is compared (one atomic step, so parallel guesses
cannot slip past the limit); a right code gives its increment back.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.runtime import Runtime
from plugins.training import errors as training_errors
from plugins.training.access import require_person, require_teach
from plugins.training.models import EnrolmentStatus, SessionStatus, TrainingEnrolment, TrainingSession
from plugins.training.services import require_session, settings_for

STEP_SECONDS = 60
DIGITS = 6
MAX_FAILURES = 10
FAILURE_WINDOW_SECONDS = 10 * 60
FAILURES_KEY = "training:check-in:failures:{session}:{person}"


def step_at(when: datetime) -> int:
    return int(when.timestamp()) // STEP_SECONDS


def code_for(secret: str, session_id: int, step: int) -> str:
    mac = hmac.new(secret.encode(), f"training.check-in:{session_id}:{step}".encode(), hashlib.sha256).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def code_matches(secret: str, session_id: int, code: str, now: datetime) -> bool:
    given = code.strip().encode()  # bytes: compare_digest refuses non-ASCII text
    step = step_at(now)
    # Compare against both accepted steps whatever happens, in constant time.
    results = [hmac.compare_digest(code_for(secret, session_id, s).encode(), given) for s in (step, step - 1)]
    return any(results)


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime

    def contains(self, when: datetime) -> bool:
        return self.opens_at <= when <= self.closes_at


async def window_for(rt: Runtime, session: TrainingSession) -> Window:
    minutes = (await settings_for(rt, session.organisation_id)).check_in_opens_minutes
    return Window(session.starts_at - timedelta(minutes=minutes), session.ends_at)


def is_open(session: TrainingSession, window: Window, now: datetime) -> bool:
    return session.status == SessionStatus.SCHEDULED and window.contains(now)


@dataclass(frozen=True)
class CheckInCode:
    session_id: int
    opens_at: datetime
    closes_at: datetime
    # None while check-in is closed.
    code: str | None
    refresh_at: datetime | None
    expires_at: datetime | None


async def current_code(rt: Runtime, session_id: int) -> CheckInCode:
    """The code to show now (trainers show it on a screen or as a QR code)."""
    session = await require_session(session_id)
    now = rt.now()
    window = await window_for(rt, session)
    if not is_open(session, window, now):
        return CheckInCode(session.id, window.opens_at, window.closes_at, None, None, None)
    step = step_at(now)
    refresh_at = datetime.fromtimestamp((step + 1) * STEP_SECONDS, UTC)
    return CheckInCode(
        session_id=session.id,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        code=code_for(rt.settings.secret_key, session.id, step),
        refresh_at=refresh_at,
        expires_at=min(refresh_at + timedelta(seconds=STEP_SECONDS), window.closes_at),
    )


async def current_code_as(ctx: Context, session_id: int) -> CheckInCode:
    """Trainers of the session's course and managers of its organisation."""
    await require_teach(ctx, await require_session(session_id), "sessionId")
    return await current_code(ctx.rt, session_id)


async def _count_attempt(rt: Runtime, key: str) -> int:
    """Count one attempt, keeping the count for ``FAILURE_WINDOW_SECONDS`` after the last one."""
    async with rt.redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, FAILURE_WINDOW_SECONDS)
        count, _ = await pipe.execute()
    return int(count)


async def check_in(rt: Runtime, session_id: int, person_id: int, code: str) -> tuple[TrainingEnrolment, bool]:
    """Mark the person's confirmed seat ATTENDED; returns (enrolment, already checked in)."""
    session = await require_session(session_id)
    if session.status == SessionStatus.CANCELLED:
        raise UserInputError(training_errors.SESSION_CANCELLED, "This session was cancelled", "sessionId")
    now = rt.now()
    window = await window_for(rt, session)
    if not is_open(session, window, now):
        raise UserInputError(
            training_errors.CHECK_IN_CLOSED,
            f"Check-in is open from {window.opens_at.isoformat()} to {window.closes_at.isoformat()}",
            "sessionId",
        )
    failures_key = FAILURES_KEY.format(session=session_id, person=person_id)
    if await _count_attempt(rt, failures_key) > MAX_FAILURES:
        raise UserInputError(errors.RATE_LIMITED, "Too many wrong codes: ask the trainer", "code")
    if not code_matches(rt.settings.secret_key, session_id, code, now):
        raise UserInputError(training_errors.INVALID_CODE, "This code is wrong or has expired", "code")
    await rt.redis.decr(failures_key)  # a right code is not a failure
    enrolment = await TrainingEnrolment.get_or_none(session_id=session_id, person_id=person_id)
    if enrolment is None or enrolment.status == EnrolmentStatus.CANCELLED:
        raise UserInputError(training_errors.NOT_ENROLLED, "You have no seat in this session", "sessionId")
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        raise UserInputError(
            training_errors.WAITLISTED, "You are on the waitlist: only confirmed seats check in", "sessionId"
        )
    if enrolment.status == EnrolmentStatus.ATTENDED:
        return enrolment, True
    # Conditional: a concurrent cancellation (before the start) wins or loses cleanly.
    updated = await TrainingEnrolment.filter(id=enrolment.id, status=EnrolmentStatus.CONFIRMED).update(
        status=EnrolmentStatus.ATTENDED, checked_in_at=now
    )
    enrolment = await TrainingEnrolment.get(id=enrolment.id)
    if not updated and enrolment.status != EnrolmentStatus.ATTENDED:
        raise UserInputError(training_errors.NOT_ENROLLED, "You have no seat in this session", "sessionId")
    return enrolment, not updated


async def check_in_as(ctx: Context, session_id: int, code: str) -> tuple[TrainingEnrolment, bool]:
    """The viewer checks themself in."""
    return await check_in(ctx.rt, session_id, require_person(ctx), code)
