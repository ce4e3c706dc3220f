"""The ``guildhall`` command line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from pydantic import ValidationError

from core.db import close_db, init_db, make_migrations, migrate
from core.redis import make_redis
from core.registry import Registry
from core.runtime import Runtime
from core.settings import Settings, describe_errors, get_settings
from host.registry import load_registry

T = TypeVar("T")

cli = typer.Typer(help="Guildhall: GraphQL API for innovation-studio alliances.", no_args_is_help=True)
user_cli = typer.Typer(help="Manage sign-in accounts.", no_args_is_help=True)
cli.add_typer(user_cli, name="user")
plugin_cli = typer.Typer(help="Write plugins.", no_args_is_help=True)
cli.add_typer(plugin_cli, name="plugin")
documents_cli = typer.Typer(help="Trusted documents (persisted queries) of the mobile apps.", no_args_is_help=True)
cli.add_typer(documents_cli, name="documents")


def _registry(in_tree: bool = False) -> Registry:
    """The configured plugin set; ``in_tree``: core and every in-tree plugin, whatever is installed
    or allowed (the committed SDL)."""
    if in_tree:
        return load_registry(None, entry_points=False)
    return load_registry(get_settings().plugin_allow_list)


def _with_db(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run ``work`` with the database connected, closing everything afterwards."""
    settings = get_settings()
    registry = _registry()

    async def run() -> T:
        await init_db(settings.database_url, registry.model_apps)
        rt = Runtime(settings=settings, registry=registry, redis=make_redis(settings.redis_url))
        try:
            return await work(rt)
        finally:
            await rt.redis.aclose()
            await close_db()

    return asyncio.run(run())


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Server processes; more than one needs GUILDHALL_REDIS_URL.")] = 1,
    reload: bool = False,
) -> None:
    """Serve the API on /graphql (never loads demo data by itself)."""
    from host.observability import configure_logging

    settings = get_settings()
    configure_logging(settings)
    if workers > 1 and not settings.redis_url:
        # Each process would have its own in-memory Redis: rate limits multiplied, idempotency keys
        # and persisted queries unknown to the other processes, events missing from subscriptions.
        typer.echo("error: --workers above 1 needs GUILDHALL_REDIS_URL (a Redis shared by the processes); "
                   "see docs/deployment.md", err=True)
        raise typer.Exit(2)
    # Our middleware logs each request and applies GUILDHALL_TRUSTED_PROXIES (host/proxy.py);
    # uvicorn's access log, logging set-up and proxy headers would duplicate them.
    uvicorn.run("host.app:serve_app", factory=True, host=host, port=port, workers=workers, reload=reload,
                log_config=None, access_log=False, proxy_headers=False)


@cli.command("migrate")
def migrate_command() -> None:
    """Apply all migrations (core and every loaded plugin)."""
    asyncio.run(migrate(get_settings().database_url, _registry().model_apps))
    typer.echo("database is up to date")


@cli.command()
def makemigrations(
    labels: Annotated[list[str] | None, typer.Argument(help="App labels, e.g. mentorship; default all.")] = None,
) -> None:
    """Write migrations for models that changed (developers)."""
    try:
        written = asyncio.run(make_migrations(get_settings().database_url, _registry().model_apps, labels))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo("\n".join(written) if written else "no changes")


@cli.command()
def demo() -> None:
    """Load demo data into an empty database (idempotent) and print the demo accounts."""
    from host.demo import load_demo

    loaded = _with_db(load_demo)
    if loaded is None:
        typer.echo("demo: the database already has data; nothing loaded")
        return
    typer.echo(f"demo: loaded {len(loaded.organisations)} organisations and {len(loaded.people)} people")
    typer.echo("sign in with (username / password):")
    for username, password, who in loaded.accounts:
        typer.echo(f"  {username:<14} {password:<16} {who}")


@cli.command()
def schema(
    in_tree: Annotated[bool, typer.Option(help="Only core and the in-tree plugins (the committed SDL).")] = False,
) -> None:
    """Print the GraphQL schema (SDL) that the loaded plugins make."""
    from schema import build_schema, print_sdl

    typer.echo(print_sdl(build_schema(_registry(in_tree))), nl=False)


@cli.command()
def plugins() -> None:
    """List loaded plugins with their version and the hooks each implements."""
    for info in _registry().plugins:
        typer.echo(f"{info.name} {info.version} ({info.source})")
        typer.echo(f"  hooks: {', '.join(info.hooks) or '-'}")


@plugin_cli.command("new")
def plugin_new(
    name: Annotated[str, typer.Argument(help="The plugin's name: lowercase, e.g. badges or study_circle.")],
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write the project folder guildhall-NAME.")
    ] = Path("."),
) -> None:
    """Write a working plugin package (models, schema, migration, tests) to install and grow."""
    from host.kit import new_plugin

    try:
        root = new_plugin(name, directory)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {root}")
    typer.echo("next:")
    typer.echo(f"  pip install -e {root}")
    typer.echo(f"  pytest {root / 'tests'}")


@documents_cli.command("add")
def documents_add(
    file: Annotated[Path, typer.Argument(help="A manifest a mobile build wrote (see README, Persisted queries).")],
    manifest: Annotated[
        Path | None, typer.Option(help="The trusted manifest to merge into; default GUILDHALL_TRUSTED_DOCUMENTS.")
    ] = None,
) -> None:
    """Validate every document of FILE against the schema and merge them into the trusted manifest."""
    from graphql import parse, validate

    from host.persisted import ManifestError, load_manifest, write_manifest
    from schema import build_schema

    configured = get_settings().trusted_documents
    target = manifest or (Path(configured) if configured else None)
    if target is None:
        typer.echo("error: name the manifest with --manifest or GUILDHALL_TRUSTED_DOCUMENTS", err=True)
        raise typer.Exit(2)
    try:
        incoming, _ = load_manifest(file)
        existing, kind = load_manifest(target) if target.exists() else ({}, "map")
    except ManifestError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    graphql_schema = build_schema(_registry())._schema
    problems: list[str] = []
    for digest, document in incoming.items():
        try:
            found = [error.message for error in validate(graphql_schema, parse(document))]
        except Exception as exc:  # a syntax error
            found = [str(exc)]
        problems.extend(f"{digest[:12]}: {message}" for message in found)
    if problems:
        typer.echo("error: documents do not validate against the schema; nothing written", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    added = [digest for digest in incoming if digest not in existing]
    write_manifest(target, {**existing, **incoming}, kind)
    typer.echo(f"{target}: {len(added)} added, {len(incoming) - len(added)} already there, "
               f"{len(existing) + len(added)} in all (restart the servers to load them)")


@user_cli.command("create")
def user_create(
    username: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    superuser: bool = False,
    name: Annotated[str | None, typer.Option(help="Also create a person with this name.")] = None,
) -> None:
    """Create a sign-in account."""
    from tortoise.transactions import in_transaction

    from core.auth.services import create_account
    from core.errors import UserInputError
    from core.people.models import Person

    async def create(_rt: Runtime) -> None:
        async with in_transaction():
            person = await Person.create(name=name.strip()) if name and name.strip() else None
            await create_account(username, password, person.id if person else None, superuser)

    try:
        _with_db(create)
    except UserInputError as exc:
        typer.echo(f"error: {exc.errors[0].code}: {exc.errors[0].message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {'superuser' if superuser else 'user'} {username}")


def main() -> None:
    try:
        cli()
    except ValidationError as exc:
        if exc.title != Settings.__name__:
            raise
        # A malformed GUILDHALL_* variable: name it, without a traceback (nor its value).
        typer.echo(f"error: {describe_errors(exc)}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
