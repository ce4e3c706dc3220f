"""Field extensions the host puts on plugin fields when it assembles a schema.

- ``MutationGuard`` (every mutation): refuses an activity plugin's mutation with
  ``PLUGIN_DISABLED`` where the plugin is off; turns a ``UserInputError`` from a service into the
  payload's ``errors``; clears the request's loaders once after the resolver ran, so the payload
  reads fresh rows. Services therefore never touch loaders or payloads.
- ``ListGuard`` (an activity plugin's list and connection fields that act in an organisation):
  empty where the plugin is off. Single objects stay readable (records keep their history).
- ``QueryErrors`` (every query field of a plugin): a ``UserInputError`` becomes a top-level
  ``PublicError`` with the same code and field, so services raise one error type everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition
from strawberry.types.field import StrawberryField

from core import errors
from core.context import Info
from core.errors import PublicError, UserError, UserInputError
from core.organisations.activation import enabled_plugins
from core.organisations.models import Organisation as OrganisationModel
from core.plugin_api import ActsIn
from core.relay import PageInfo

Next = Callable[..., Awaitable[Any]]


def _unwrap(type_: Any) -> Any:
    return type_.of_type if isinstance(type_, StrawberryOptional) else type_


async def _enabled_or_missing(info: Info, org_id: int, plugin: str) -> bool:
    """True when the plugin is on, or when there is no such organisation (the resolver then
    answers NOT_FOUND itself); the existence check runs only on the refusing path."""
    if plugin in await enabled_plugins(info.context, org_id):
        return True
    return not await OrganisationModel.exists(id=org_id)


def _disabled(plugin: str, field: str | None) -> UserError:
    return UserError(
        code=errors.PLUGIN_DISABLED,
        message=f"The {plugin} plugin is not enabled for this organisation",
        field=field,
    )


class MutationGuard(FieldExtension):
    def __init__(self, plugin: str | None, acts_in: ActsIn | None) -> None:
        self.plugin = plugin
        self.acts_in = acts_in
        self.payload: Callable[..., Any] | None = None

    def apply(self, field: StrawberryField) -> None:
        payload = _unwrap(field.type)
        self.payload = payload if get_object_definition(payload) is not None else None

    def _fail(self, problems: list[UserError]) -> Any:
        if self.payload is None:
            raise PublicError(problems[0].message, problems[0].code, problems[0].field)
        return self.payload(errors=problems)

    async def resolve_async(self, next_: Next, source: Any, info: Info, **kwargs: Any) -> Any:
        if self.plugin is not None and self.acts_in is not None and self.acts_in.organisation_of is not None:
            org_id = await self.acts_in.organisation_of(kwargs)
            if org_id is not None and not await _enabled_or_missing(info, org_id, self.plugin):
                return self._fail([_disabled(self.plugin, self.acts_in.field)])
        try:
            result = await next_(source, info, **kwargs)
        except UserInputError as exc:
            return self._fail(exc.errors)
        info.context.loaders.clear()
        return result


def _empty_value(field: StrawberryField) -> Callable[[], Any] | None:
    """What an empty answer of this field's type is, or None if it is not a list or connection."""
    type_ = _unwrap(field.type)
    if isinstance(type_, StrawberryList):
        return list
    definition = get_object_definition(type_)
    if definition is None:
        return None
    names = {f.python_name for f in definition.fields}
    if {"edges", "page_info", "total_count"} <= names:
        cls = type_

        def empty_connection() -> Any:
            page = PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None)
            return cls(edges=[], page_info=page, total_count=0)

        return empty_connection
    return None


class ListGuard(FieldExtension):
    """Empty lists and connections of ``plugin`` for an organisation that has it switched off.

    The organisation is the parent object's ``id`` (fields on ``Organisation``) or the one an
    ``ActsIn`` declaration finds in the arguments (root queries).
    """

    def __init__(self, plugin: str, acts_in: ActsIn | None) -> None:
        self.plugin = plugin
        self.acts_in = acts_in
        self.empty: Callable[[], Any] | None = None

    def apply(self, field: StrawberryField) -> None:
        self.empty = _empty_value(field)

    async def _organisation(self, source: Any, kwargs: dict[str, Any]) -> int | None:
        if self.acts_in is None:
            return getattr(source, "id", None)
        if self.acts_in.organisation_of is None:
            return None
        return await self.acts_in.organisation_of(kwargs)

    async def resolve_async(self, next_: Next, source: Any, info: Info, **kwargs: Any) -> Any:
        if self.empty is not None:
            org_id = await self._organisation(source, kwargs)
            if org_id is not None and self.plugin not in await enabled_plugins(info.context, org_id):
                return self.empty()
        return await _as_public(next_(source, info, **kwargs))


class QueryErrors(FieldExtension):
    async def resolve_async(self, next_: Next, source: Any, info: Info, **kwargs: Any) -> Any:
        return await _as_public(next_(source, info, **kwargs))


async def _as_public(result: Awaitable[Any]) -> Any:
    try:
        return await result
    except UserInputError as exc:
        first = exc.errors[0]
        raise PublicError(first.message, first.code, first.field) from None
