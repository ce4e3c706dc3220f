"""Sign-in, token rotation and sign-out."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import audit, errors
from core.auth import revocations, tokens
from core.auth.models import Account, RefreshToken
from core.auth.passwords import DEFAULT_CONCURRENCY, MIN_PASSWORD_LENGTH, hash_password_async, verify_password_async
from core.context import Viewer
from core.errors import UserInputError
from core.ratelimit import count_attempts
from core.redis import RedisUnavailable, redis_errors
from core.replica import mark_wrote
from core.runtime import Runtime

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
LOGIN_ATTEMPTS_KEY = "auth:login-attempts:{username}:{ip}"
LOGIN_IP_ATTEMPTS_KEY = "auth:login-attempts-ip:{ip}"
LOGIN_USER_ATTEMPTS_KEY = "auth:login-attempts-user:{username}"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenPair:
    account: Account
    access_token: str
    refresh_token: str


def check_credentials_format(username: str, password: str) -> None:
    if not USERNAME_RE.match(username):
        raise UserInputError(
            errors.BAD_USER_INPUT, "Usernames are 3-64 letters, digits or _ . @ -", "username"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserInputError(
            errors.PASSWORD_TOO_SHORT, f"Passwords have at least {MIN_PASSWORD_LENGTH} characters", "password"
        )


async def create_account(
    username: str, password: str, person_id: int | None, superuser: bool = False, *,
    rt: Runtime | None = None, actor: audit.Actor | Viewer = audit.SYSTEM, organisation_id: int | None = None,
    hash_concurrency: int = DEFAULT_CONCURRENCY,
) -> Account:
    """Create an account; call inside the caller's transaction when a person is made with it.
    ``actor`` and ``organisation_id`` (where the person was made) go to the audit log."""
    check_credentials_format(username, password)
    if await Account.exists(username=username):
        raise UserInputError(errors.USERNAME_TAKEN, "This username is taken", "username")
    password_hash = await hash_password_async(password, hash_concurrency)
    try:
        async with in_transaction():
            account = await Account.create(
                username=username,
                password_hash=password_hash,
                person_id=person_id,
                is_superuser=superuser,
            )
            await audit.record(rt, actor=actor, organisation_id=organisation_id, action="account.created",
                               target=audit.target("Account", account.id),
                               after={"username": username, "superuser": superuser,
                                      "person": audit.target("Person", person_id) if person_id else None})
            return account
    except IntegrityError:
        raise UserInputError(errors.USERNAME_TAKEN, "This username is taken", "username") from None


def _new_pair(rt: Runtime, account: Account) -> tuple[str, str]:
    access = tokens.issue_access_token(
        rt.settings.secret_key,
        rt.now(),
        rt.settings.access_token_seconds,
        account.id,
        account.person_id,
        account.is_superuser,
    )
    return access, tokens.new_refresh_token()


async def _store(rt: Runtime, account: Account, family: str, access: str, refresh: str) -> TokenPair:
    await RefreshToken.create(
        account_id=account.id,
        token_hash=tokens.digest(refresh),
        family=family,
        expires_at=rt.now() + timedelta(days=rt.settings.refresh_token_days),
    )
    return TokenPair(account, access, refresh)


async def _issue(rt: Runtime, account: Account, family: str) -> TokenPair:
    pair = await _store(rt, account, family, *_new_pair(rt, account))
    await mark_wrote(rt, account.id)  # its first queries read what sign-in or sign-up just wrote
    return pair


def _attempt_limits(rt: Runtime, username: str, ip: str) -> list[tuple[str, int]]:
    """(counter key, limit) for one sign-in attempt: per (username, IP) and per IP, so a
    stranger's failures from another address never lock the owner out; per username only
    when configured (it trades that guarantee for a cap on distributed guessing)."""
    s = rt.settings
    name = username.strip().lower()
    limits = [
        (LOGIN_ATTEMPTS_KEY.format(username=name, ip=ip), s.login_attempts_per_window),
        (LOGIN_IP_ATTEMPTS_KEY.format(ip=ip), s.login_attempts_per_ip),
    ]
    if s.login_attempts_per_username:
        limits.append((LOGIN_USER_ATTEMPTS_KEY.format(username=name), s.login_attempts_per_username))
    return limits


async def login(rt: Runtime, username: str, password: str, ip: str) -> TokenPair:
    """Unknown user and wrong password fail alike. Every attempt is counted before the
    password is checked (increment, then compare: of 100 parallel guesses at most the limit are
    evaluated); a successful sign-in gives its attempt back and clears its (username, IP) count.

    A username no account can have (see ``USERNAME_RE``) fails at once: it is never a database
    parameter (over-long ones broke the query) nor part of a Redis key."""
    if not USERNAME_RE.fullmatch(username.strip()):
        raise UserInputError(errors.INVALID_CREDENTIALS, "Wrong username or password", None)
    limits = _attempt_limits(rt, username, ip)
    try:  # Redis down: attempts are not counted meanwhile (core.redis explains the degradation)
        with redis_errors():
            counts = await count_attempts(rt.redis, [key for key, _ in limits], rt.settings.login_window_seconds)
    except RedisUnavailable as exc:
        log.warning("login rate limit not enforced, Redis is down: %s", exc)
        counts = [0 for _ in limits]
    if any(count > limit for count, (_, limit) in zip(counts, limits, strict=True)):
        raise UserInputError(errors.RATE_LIMITED, "Too many failed sign-ins; try again later", None)
    account = await Account.get_or_none(username=username.strip(), is_active=True)
    valid = await verify_password_async(
        account.password_hash if account else None, password, rt.settings.password_hash_concurrency
    )
    if not valid or account is None:
        raise UserInputError(errors.INVALID_CREDENTIALS, "Wrong username or password", None)
    with contextlib.suppress(RedisUnavailable), redis_errors():
        async with rt.redis.pipeline(transaction=True) as pipe:
            pipe.delete(limits[0][0])
            for key, _ in limits[1:]:
                pipe.decr(key)
            await pipe.execute()
    async with in_transaction():
        account.last_login_at = rt.now()
        await account.save(update_fields=["last_login_at"])
        return await _issue(rt, account, tokens.new_family())


def client_digest(client: str) -> str:
    return hashlib.sha256(client.encode()).hexdigest()


async def refresh(rt: Runtime, refresh_token: str, client: str = "") -> TokenPair:
    """Rotate: the presented token is spent; presenting a spent one revokes its whole family.

    Grace (``refresh_reuse_grace_seconds``): the same ``client`` (the app's User-Agent and
    address, see ``auth.mutations``) presenting the token again within the grace gets the very
    pair the first use issued, so two requests of one app refreshing together keep it signed
    in. That pair is kept sealed on the spent row (``tokens.seal_successor``: only the spent
    token, which is not stored, and the server secret open it) and erased once the grace is
    over. After the grace, or from another client, reuse still ends the sign-in.
    """
    now = rt.now()
    grace = timedelta(seconds=rt.settings.refresh_reuse_grace_seconds)
    row = await RefreshToken.get_or_none(token_hash=tokens.digest(refresh_token))
    invalid = UserInputError(errors.INVALID_TOKEN, "Refresh token is not valid; sign in again", "refreshToken")
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise invalid
    account = await Account.get_or_none(id=row.account_id, is_active=True)
    if account is None:
        raise invalid
    by = client_digest(client)
    if row.used_at is None:
        access, successor = _new_pair(rt, account)
        sealed = None
        if grace:
            pair = json.dumps({"access": access, "refresh": successor})
            sealed = tokens.seal_successor(rt.settings.secret_key, refresh_token, pair)
        async with in_transaction():
            # Conditional update: of two concurrent refreshes with one token, only one wins; the
            # other waits for its commit (PostgreSQL row lock, SQLite's single writer).
            spent = await RefreshToken.filter(id=row.id, used_at=None, revoked_at=None).update(
                used_at=now, used_by=by, successor_sealed=sealed
            )
            if spent:
                # Erase the sealed pairs of this family whose grace is over.
                await RefreshToken.filter(family=row.family, used_at__lte=now - grace).exclude(
                    successor_sealed=None).update(successor_sealed=None)
                return await _store(rt, account, row.family, access, successor)
        row = await RefreshToken.get(id=row.id)
    if row.revoked_at is None and row.used_at is not None and now - row.used_at <= grace and row.used_by == by \
            and row.successor_sealed is not None:
        opened = tokens.open_successor(rt.settings.secret_key, refresh_token, row.successor_sealed)
        if opened is not None:
            pair = json.loads(opened)
            return TokenPair(account, pair["access"], pair["refresh"])
    # A spent token came back: it may have been stolen, so end that whole sign-in.
    async with in_transaction():
        if await RefreshToken.filter(family=row.family, revoked_at=None).update(revoked_at=now, successor_sealed=None):
            await audit.record(rt, actor=audit.SYSTEM, organisation_id=None, action="auth.token_family_revoked",
                               target=audit.target("Account", row.account_id),
                               after={"family": row.family, "reason": "reuse"})
    raise invalid


async def logout(rt: Runtime, viewer: Viewer, refresh_token: str | None, all_sessions: bool) -> None:
    """Revoke the refresh token's family (or every session) and the access token in use."""
    now = rt.now()
    row = None
    if refresh_token:
        row = await RefreshToken.get_or_none(token_hash=tokens.digest(refresh_token))
        if row is None or (viewer.account_id is not None and row.account_id != viewer.account_id):
            raise UserInputError(errors.INVALID_TOKEN, "Unknown refresh token", "refreshToken")
    elif viewer.account_id is None:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in or give the refresh token", "refreshToken")
    account_id = row.account_id if row is not None else viewer.account_id
    assert account_id is not None
    async with in_transaction():
        if row is not None:
            await RefreshToken.filter(family=row.family, revoked_at=None).update(revoked_at=now)
        if all_sessions:
            await RefreshToken.filter(account_id=account_id, revoked_at=None).update(revoked_at=now)
        actor = viewer if viewer.is_authenticated else audit.Actor(account_id)
        await audit.record(rt, actor=actor, organisation_id=None, action="auth.logout",
                           target=audit.target("Account", account_id),
                           after={"family": row.family if row else None, "allSessions": all_sessions})
    if viewer.token_jti is not None:
        # The access token stays valid until it expires unless we deny-list it.
        await revocations.revoke_for(rt, viewer.token_jti)
