"""Sign-in, token rotation and sign-out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import audit, errors
from core.auth import tokens
from core.auth.models import Account, RefreshToken
from core.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from core.context import REVOKED_JTI_KEY, Viewer
from core.errors import UserInputError
from core.runtime import Runtime

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
LOGIN_FAILURES_KEY = "auth:login-failures:{username}"


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
) -> Account:
    """Create an account; call inside the caller's transaction when a person is made with it.
    ``actor`` and ``organisation_id`` (where the person was made) go to the audit log."""
    check_credentials_format(username, password)
    if await Account.exists(username=username):
        raise UserInputError(errors.USERNAME_TAKEN, "This username is taken", "username")
    try:
        async with in_transaction():
            account = await Account.create(
                username=username,
                password_hash=hash_password(password),
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


async def _issue(rt: Runtime, account: Account, family: str) -> TokenPair:
    now = rt.now()
    refresh = tokens.new_refresh_token()
    await RefreshToken.create(
        account_id=account.id,
        token_hash=tokens.digest(refresh),
        family=family,
        expires_at=now + timedelta(days=rt.settings.refresh_token_days),
    )
    access = tokens.issue_access_token(
        rt.settings.secret_key,
        now,
        rt.settings.access_token_seconds,
        account.id,
        account.person_id,
        account.is_superuser,
    )
    return TokenPair(account, access, refresh)


async def login(rt: Runtime, username: str, password: str) -> TokenPair:
    """Unknown user and wrong password fail alike; repeated failures are rate-limited in Redis.

    A username no account can have (see ``USERNAME_RE``) fails at once: it is never a database
    parameter (over-long ones broke the query) nor part of a Redis key."""
    if not USERNAME_RE.fullmatch(username.strip()):
        raise UserInputError(errors.INVALID_CREDENTIALS, "Wrong username or password", None)
    failures_key = LOGIN_FAILURES_KEY.format(username=username.strip().lower())
    failures = int(await rt.redis.get(failures_key) or 0)
    if failures >= rt.settings.login_attempts_per_window:
        raise UserInputError(errors.RATE_LIMITED, "Too many failed sign-ins; try again later", None)
    account = await Account.get_or_none(username=username.strip(), is_active=True)
    if not verify_password(account.password_hash if account else None, password) or account is None:
        async with rt.redis.pipeline(transaction=True) as pipe:
            pipe.incr(failures_key)
            pipe.expire(failures_key, rt.settings.login_window_seconds)
            await pipe.execute()
        raise UserInputError(errors.INVALID_CREDENTIALS, "Wrong username or password", None)
    await rt.redis.delete(failures_key)
    async with in_transaction():
        account.last_login_at = rt.now()
        await account.save(update_fields=["last_login_at"])
        return await _issue(rt, account, tokens.new_family())


async def refresh(rt: Runtime, refresh_token: str) -> TokenPair:
    """Rotate: the presented token is spent; presenting a spent one revokes its whole family."""
    now = rt.now()
    row = await RefreshToken.get_or_none(token_hash=tokens.digest(refresh_token))
    invalid = UserInputError(errors.INVALID_TOKEN, "Refresh token is not valid; sign in again", "refreshToken")
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise invalid
    async with in_transaction():
        # Conditional update: of two concurrent refreshes with one token, only one wins.
        spent = await RefreshToken.filter(id=row.id, used_at=None, revoked_at=None).update(used_at=now)
        if spent:
            account = await Account.get_or_none(id=row.account_id, is_active=True)
            if account is None:
                raise invalid
            return await _issue(rt, account, row.family)
    # A spent token came back: it may have been stolen, so end that whole sign-in.
    async with in_transaction():
        if await RefreshToken.filter(family=row.family, revoked_at=None).update(revoked_at=now):
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
        await rt.redis.set(
            REVOKED_JTI_KEY.format(jti=viewer.token_jti), "1", ex=rt.settings.access_token_seconds
        )
