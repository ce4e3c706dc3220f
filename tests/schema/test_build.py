"""build_schema: merging plugin roots, per-schema type extensions, entry-point discovery."""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from pathlib import Path

import pytest
import strawberry

from core import hookimpl
from core.people.types import Person
from core.plugin_api import PluginError, TypeExtension
from core.registry import Registry
from host.plugins import build_plugin_manager
from host.registry import build_registry
from schema import build_schema, print_sdl
from tests.core.throwaway import EchoPlugin, EchoQueries, PersonEchoFields

ROOT = Path(__file__).resolve().parents[2]


def _pm(**plugins: object) -> Registry:
    """A registry of core and ``plugins``."""
    pm = build_plugin_manager([], entry_points=False)
    for name, plugin in plugins.items():
        pm.register(plugin, name=name)
    return build_registry(pm)


class OtherEcho:
    @hookimpl
    def register_queries(self) -> list[type]:
        return [EchoQueries]


class OtherPersonFields:
    @hookimpl
    def extend_types(self) -> list[TypeExtension]:
        return [TypeExtension(target=Person, fields=PersonEchoFields)]


@strawberry.type
class ClashingName:
    @strawberry.field
    def name(self) -> str:
        return "clash"


class CoreClash:
    @hookimpl
    def extend_types(self) -> list[TypeExtension]:
        return [TypeExtension(target=Person, fields=ClashingName)]


def test_committed_sdl_equals_the_printed_schema() -> None:
    printed = print_sdl(build_schema(build_registry(build_plugin_manager(entry_points=False))))
    committed = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == printed, "schema/schema.graphql is stale: run `make schema`"


def test_duplicate_root_field_names_both_plugins() -> None:
    with pytest.raises(PluginError, match=re.escape("Query.echo is defined by both 'echo' and 'other'")):
        build_schema(_pm(echo=EchoPlugin(), other=OtherEcho()))


def test_duplicate_type_extension_names_both_plugins() -> None:
    with pytest.raises(PluginError, match=re.escape("Person.echoName is defined by both 'echo' and 'other'")):
        build_schema(_pm(echo=EchoPlugin(), other=OtherPersonFields()))


def test_extension_clashing_with_a_core_field_is_an_error() -> None:
    with pytest.raises(PluginError, match=re.escape("Person.name is defined by both 'core' and 'clash'")):
        build_schema(_pm(clash=CoreClash()))


def test_two_schemas_with_different_plugins_do_not_share_fields() -> None:
    with_echo = print_sdl(build_schema(_pm(echo=EchoPlugin())))
    without = print_sdl(build_schema(_pm()))
    again_with = print_sdl(build_schema(_pm(echo=EchoPlugin())))
    assert "echoName: String!" in with_echo and "echo(text: String!)" in with_echo
    assert "echoName" not in without and "echo(" not in without
    assert again_with == with_echo


def test_misspelt_hook_fails_at_start_up() -> None:
    class Misspelt:
        @hookimpl
        def register_querys(self) -> list[type]:
            return []

    pm = build_plugin_manager([], entry_points=False)
    pm.register(Misspelt(), name="typo")
    with pytest.raises(Exception, match="register_querys"):
        pm.check_pending()


def test_unknown_name_in_the_allow_list_is_an_error() -> None:
    with pytest.raises(PluginError, match="unknown plugins"):
        build_plugin_manager(["no_such_plugin"], entry_points=False)


def test_allow_list_restricts_in_tree_plugins() -> None:
    names = list(build_registry(build_plugin_manager(["training"], entry_points=False)).plugin_names)
    assert names == ["core", "training"]


def test_installed_package_is_discovered_through_its_entry_point(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "guildhall_hello"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        import strawberry
        from core import hookimpl

        @strawberry.type
        class HelloQueries:
            @strawberry.field
            def hello_from_package(self) -> str:
                return "你好"

        @hookimpl
        def register_queries():
            return [HelloQueries]
    '''), encoding="utf-8")
    dist = tmp_path / "guildhall_hello-0.3.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: guildhall-hello\nVersion: 0.3.0\n",
                                   encoding="utf-8")
    (dist / "entry_points.txt").write_text("[guildhall.plugins]\nhello = guildhall_hello\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        registry = build_registry(build_plugin_manager(["hello"]))
        assert "helloFromPackage: String!" in print_sdl(build_schema(registry))
        info = {p.name: p for p in registry.plugins}
        assert info["hello"].version == "0.3.0" and info["hello"].hooks == ("register_queries",)
        without = build_registry(build_plugin_manager([], entry_points=True))
        assert "helloFromPackage" not in print_sdl(build_schema(without))
    finally:
        sys.modules.pop("guildhall_hello", None)
