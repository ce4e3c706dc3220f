"""Sign-in accounts and their refresh tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from core.people.models import Person


class Account(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    person: fields.OneToOneNullableRelation[Person] = fields.OneToOneField(
        "core.Person", related_name="account", null=True, on_delete=fields.CASCADE
    )
    is_superuser = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    person_id: int | None

    class Meta:
        table = "core_account"


class RefreshToken(Model):
    # One refresh token, stored as a SHA-256 digest; a family is the rotation chain of one sign-in.

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "core.Account", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    family = fields.CharField(max_length=32, db_index=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Refresh grace (core.auth.services.refresh): the successor pair, sealed with a key derived
    # from this (spent) token, and a digest of the client that spent it; cleared after the grace.
    successor_sealed = fields.TextField(null=True)
    used_by = fields.CharField(max_length=64, null=True)

    account_id: int

    class Meta:
        table = "core_refresh_token"
        indexes = (("account_id",),)


class RevokedToken(Model):
    # A signed-out access token (its JWT id) until it would have expired anyway. The record of
    # revocations; Redis holds a cache of it (core.auth.revocations).

    jti = fields.CharField(max_length=64, primary_key=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "core_revoked_token"
