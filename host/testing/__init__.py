"""Test helpers for Guildhall and its plugins, shipped with the host.

The fixtures (``settings``, ``database``, ``redis``, ``clock``, ``registry``, ``rt``, ``http``,
``gql`` …) come from the pytest plugin ``host.testing.plugin``, which pytest loads by itself
wherever the ``guildhall`` package is installed (entry point ``pytest11``). The helpers are
imported from here::

    from host.testing import GraphQLClient, User, count_statements, gid, make_org
"""

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
