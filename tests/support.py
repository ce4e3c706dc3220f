"""Kept for the host's tests written before ``host.testing``: the same helpers, re-exported."""

from host.testing.support import (
    Clock,
    GraphQLClient,
    StatementCounter,
    User,
    client_for,
    count_statements,
    gid,
    make_org,
    runtime_with,
    with_settings,
)

__all__ = [
    "Clock",
    "GraphQLClient",
    "StatementCounter",
    "User",
    "client_for",
    "count_statements",
    "gid",
    "make_org",
    "runtime_with",
    "with_settings",
]
