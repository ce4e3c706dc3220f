"""Which database a GraphQL query reads: the read replica, unless its caller wrote recently.

With ``GUILDHALL_DATABASE_REPLICA_URL`` set, queries run on a connection from the replica's pool
(``core.db.one_connection(replica=True)``, chosen by ``schema.extensions.OneConnection``);
mutations, subscriptions, transactions and everything outside GraphQL queries stay on the
primary. A replica replays the primary's changes a little later (milliseconds, seconds under
load), so an account that just wrote would read its own change as not yet there: for
``GUILDHALL_DATABASE_REPLICA_STICKY_SECONDS`` after a write (a mutation, or being handed tokens
at sign-in or registration), that account's queries read the primary instead. The mark lives in
Redis, so it holds on whichever process or host answers next. Anonymous callers write nothing
they read back as themselves, and always read the replica.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from core import db
from core.runtime import Runtime

log = logging.getLogger(__name__)

WROTE_KEY = "replica:wrote:{account}"


def _sticky_ms(rt: Runtime) -> int:
    return max(1, int(rt.settings.database_replica_sticky_seconds * 1000))


async def reads_replica(rt: Runtime, account_id: int | None) -> bool:
    """Whether a query of ``account_id`` (None: anonymous) may read the replica."""
    if not db.has_replica():
        return False
    if account_id is None or not rt.settings.database_replica_sticky_seconds:
        return True
    try:
        return not await rt.redis.exists(WROTE_KEY.format(account=account_id))
    except RedisError:
        # Unknown whether it wrote: the primary is always right, only busier.
        log.warning("replica stickiness unavailable; reading the primary", exc_info=True)
        return False


async def mark_wrote(rt: Runtime, account_id: int | None) -> None:
    """The account wrote (or just signed in): its queries read the primary for a while."""
    if account_id is None or not db.has_replica() or not rt.settings.database_replica_sticky_seconds:
        return
    try:
        await rt.redis.set(WROTE_KEY.format(account=account_id), "1", px=_sticky_ms(rt))
    except RedisError:
        log.warning("replica stickiness not recorded for account %s", account_id, exc_info=True)
