"""Access tokens (short-lived JWTs) and opaque refresh tokens (stored as digests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"
AUDIENCE = "guildhall"


@dataclass(frozen=True)
class AccessClaims:
    account_id: int
    person_id: int | None
    is_superuser: bool
    jti: str
    expires_at: datetime


class InvalidToken(Exception):
    pass


def issue_access_token(
    secret: str, now: datetime, ttl_seconds: int, account_id: int, person_id: int | None, superuser: bool
) -> str:
    payload = {
        "sub": str(account_id),
        "pid": person_id,
        "su": superuser,
        "jti": uuid.uuid4().hex,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        "aud": AUDIENCE,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read_access_token(secret: str, token: str, now: datetime) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "exp", "jti"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    # Expiry (and issue time) are judged by our clock, controllable in tests, not the wall clock.
    if claims["exp"] <= int(now.timestamp()):
        raise InvalidToken("token expired")
    return AccessClaims(
        account_id=int(claims["sub"]),
        person_id=claims.get("pid"),
        is_superuser=bool(claims.get("su")),
        jti=claims["jti"],
        expires_at=datetime.fromtimestamp(claims["exp"], tz=now.tzinfo),
    )


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """SHA-256 is enough for a 256-bit random token: no dictionary to guess from."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_family() -> str:
    return uuid.uuid4().hex


def _successor_keys(secret: str, spent_token: str) -> tuple[bytes, bytes]:
    base = hmac.new(secret.encode(), b"successor|" + spent_token.encode(), hashlib.sha256).digest()
    return hashlib.sha256(b"stream|" + base).digest(), hashlib.sha256(b"mac|" + base).digest()


def seal_successor(secret: str, spent_token: str, plaintext: str) -> str:
    """Encrypt ``plaintext`` (the successor pair) under a key only the spent token (which the
    server does not keep) and the server secret give: a SHAKE-256 keystream, used once (one
    successor per token), and an HMAC-SHA256 tag."""
    stream_key, mac_key = _successor_keys(secret, spent_token)
    data = plaintext.encode()
    cipher = bytes(a ^ b for a, b in zip(data, hashlib.shake_256(stream_key).digest(len(data)), strict=True))
    tag = hmac.new(mac_key, cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(tag + cipher).decode()


def open_successor(secret: str, spent_token: str, sealed: str) -> str | None:
    """The sealed plaintext, or None when it was not sealed with this token."""
    stream_key, mac_key = _successor_keys(secret, spent_token)
    raw = base64.urlsafe_b64decode(sealed.encode())
    tag, cipher = raw[:32], raw[32:]
    if not hmac.compare_digest(tag, hmac.new(mac_key, cipher, hashlib.sha256).digest()):
        return None
    stream = hashlib.shake_256(stream_key).digest(len(cipher))
    return bytes(a ^ b for a, b in zip(cipher, stream, strict=True)).decode()
