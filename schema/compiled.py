"""Compiled execution of queries (issue #13: "compile hot documents into precomputed plans").

graphql-core's executor walks the document for every object of every list: it collects the
fields again, builds a ``GraphQLResolveInfo`` and a path per field per object, checks every
value for awaitability and completes it through a chain of generic calls. On the list screen
(2,000 members with their skills) that machinery was most of the time.

Here a query's operation is turned once into a *plan*: per object type, its fields in response
order, each with its resolver, its argument nodes and how to complete its value (the scalar's or
enum's serializer; the child plan; the list and non-null wrappers). The plan then runs
breadth-first: all the objects one level down are resolved field by field together, one
``ResolveInfo`` per field and level, the awaitables of a whole level gathered at once (so the
DataLoaders batch exactly as before: one statement per loader and level), fields without a
resolver read straight off the object.

The plan covers the happy path only, with a fallback that keeps every behaviour of the reference
executor: a query whose document has directives, introspection fields or anything else the
planner does not know is executed by graphql-core as before; and when anything goes wrong while
a plan runs (a resolver raises, a non-null field is null, an unexpected value), its partial work
is dropped and the operation is executed again by graphql-core, which produces the errors, paths
and null propagation the spec asks for. Queries only read, so running one again is safe; the
request's DataLoader caches make the second run cheap. Mutations and subscriptions always take
the reference executor.

``tests/schema/test_compiled.py`` runs every field of the schema (the N+1 walk's documents), as
every kind of viewer, through both executors and compares the JSON. ``GUILDHALL_COMPILED_CHECK=1``
is a debugging aid: every planned query is also executed by graphql-core and a difference is an
error (the whole suite passes so, except the tests that count statements, which then double).

A field whose answer depends on resolution order declares ``core.plugin_api.order_sensitive()``
(``Person.growth``: one person per request, the first asked); documents selecting it are left
to graphql-core, whose order is the reference. ``GUILDHALL_COMPILED_QUERIES=false`` turns the
plans off altogether.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    is_abstract_type,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from core.loaders import NO_CANCELLATION
from core.metrics import COMPILED_QUERIES
from core.plugin_api import ORDER_SENSITIVE

log = logging.getLogger(__name__)
PLAN_CACHE_SIZE = 1_000
MAX_PLAN_DEPTH = 100  # far beyond the depth limit validation enforces
# Debugging aid: every planned query also runs on graphql-core; a difference is an error.
CHECK = os.environ.get("GUILDHALL_COMPILED_CHECK") == "1"


class NotPlannable(Exception):
    """The document uses something the planner leaves to the reference executor."""


class Fallback(Exception):
    """Something the plan does not handle happened at run time: run the reference executor."""


# How a field's value is completed: wrappers outside in, then the named type's completion.
NON_NULL, LIST = 1, 2


@dataclass
class FieldPlan:
    key: str
    name: str
    parent: GraphQLObjectType
    definition: GraphQLField | None  # None for __typename
    nodes: list[FieldNode]
    wrappers: tuple[int, ...]
    serialize: Callable[[Any], Any] | None  # scalars and enums
    child: ObjectPlan | None = None  # concrete object types
    abstract: GraphQLAbstractType | None = None  # interfaces and unions
    attribute: str | None = None  # a field without a resolver: read this attribute
    has_arguments: bool = False
    # An async resolver answers awaitables only, a sync one plain values (checked), an attribute
    # never an awaitable: values are tested only where they may be one.
    is_async: bool = False
    # A strawberry resolver without arguments or field extensions is called directly, with one
    # strawberry ``Info`` per field and level (what strawberry's wrapper would build per call).
    direct: DirectCall | None = None


@dataclass(frozen=True)
class DirectCall:
    function: Callable[..., Any]
    strawberry_field: Any
    passes_self: bool
    source_names: tuple[str, ...]  # ``root`` / ``parent`` parameters
    info_name: str | None


@dataclass
class ObjectPlan:
    type: GraphQLObjectType
    selections: list[SelectionSetNode]
    planner: Planner
    _fields: list[FieldPlan] | None = None

    @property
    def fields(self) -> list[FieldPlan]:
        # Built on first use: a recursive schema (Person → organisation → members → …) is
        # planned only as deep as the document goes.
        if self._fields is None:
            self._fields = self.planner.fields_of(self.type, self.selections)
        return self._fields


@dataclass
class Planner:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    _abstract: dict[tuple[int, str], ObjectPlan] = field(default_factory=dict)

    def fields_of(self, parent: GraphQLObjectType, selections: list[SelectionSetNode]) -> list[FieldPlan]:
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in selections:
            self._collect(parent, selection_set, grouped, set())
        return [self._field(parent, key, nodes) for key, nodes in grouped.items()]

    def _collect(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode, grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise NotPlannable("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition.name.value if selection.type_condition else None, parent):
                    self._collect(parent, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or fragment.directives:
                    raise NotPlannable("fragment")
                if name in visited:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition.name.value, parent):
                    self._collect(parent, fragment.selection_set, grouped, visited)
            else:
                raise NotPlannable("selection")

    def _applies(self, condition: str | None, parent: GraphQLObjectType) -> bool:
        if condition is None or condition == parent.name:
            return True
        conditional = self.schema.get_type(condition)
        return is_abstract_type(conditional) and self.schema.is_sub_type(conditional, parent)

    def _field(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> FieldPlan:
        name = nodes[0].name.value
        if name == "__typename":
            return FieldPlan(key, name, parent, None, nodes, (NON_NULL,), str)
        if name.startswith("__"):
            raise NotPlannable("introspection")
        definition = parent.fields.get(name)
        if definition is None:
            raise NotPlannable("unknown field")
        wrappers: list[int] = []
        named: GraphQLOutputType = definition.type
        while isinstance(named, GraphQLNonNull | GraphQLList):
            wrappers.append(NON_NULL if isinstance(named, GraphQLNonNull) else LIST)
            named = named.of_type
        plan = FieldPlan(
            key, name, parent, definition, nodes, tuple(wrappers), None,
            has_arguments=bool(definition.args or nodes[0].arguments),
        )
        if definition.resolve is None:
            raise NotPlannable("no resolver")
        declared = definition.extensions.get("strawberry-definition")
        if not isinstance(declared, StrawberryField):
            raise NotPlannable("not a strawberry field")
        if declared.metadata.get(ORDER_SENSITIVE):
            raise NotPlannable(f"{parent.name}.{name} is order-sensitive")
        if getattr(definition.resolve, "_is_default", False):
            plan.attribute = declared.python_name
        else:
            plan.is_async = declared.is_async
            plan.direct = _direct_call(declared)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            plan.serialize = named.serialize
        elif isinstance(named, GraphQLObjectType):
            plan.child = ObjectPlan(named, self._sub_selections(nodes), self)
        elif is_abstract_type(named):
            plan.abstract = named
        else:
            raise NotPlannable("output type")
        return plan

    @staticmethod
    def _sub_selections(nodes: list[FieldNode]) -> list[SelectionSetNode]:
        return [node.selection_set for node in nodes if node.selection_set is not None]

    def concrete(self, field_plan: FieldPlan, type_name: str) -> ObjectPlan:
        """The plan of an abstract field's value once its concrete type is known."""
        cache_key = (id(field_plan), type_name)
        plan = self._abstract.get(cache_key)
        if plan is None:
            runtime = self.schema.get_type(type_name)
            if not isinstance(runtime, GraphQLObjectType) or field_plan.abstract is None:
                raise Fallback("runtime type")
            if not self.schema.is_sub_type(field_plan.abstract, runtime):
                raise Fallback("runtime type outside the abstract type")
            plan = ObjectPlan(runtime, self._sub_selections(field_plan.nodes), self)
            self._abstract[cache_key] = plan
        return plan


def _direct_call(strawberry_field: StrawberryField) -> DirectCall | None:
    """How to call the field's resolver without strawberry's per-call wrapper, or None where
    the wrapper does work (arguments to convert, field extensions to run)."""
    if strawberry_field.extensions or strawberry_field.arguments:
        return None
    resolver = strawberry_field.base_resolver
    if resolver is None or not callable(resolver.wrapped_func):
        return None
    sources = tuple(p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p is not None)
    info = resolver.info_parameter
    return DirectCall(
        resolver.wrapped_func, strawberry_field, resolver.self_parameter is not None, sources,
        info.name if info is not None else None,
    )


@dataclass
class OperationPlan:
    operation: OperationDefinitionNode
    root: ObjectPlan


_plans: OrderedDict[int, tuple[OperationDefinitionNode, OperationPlan | None]] = OrderedDict()


def plan_for(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> OperationPlan | None:
    """The operation's plan, made once per parsed document (the parser cache hands the same
    nodes to every request with the same text); None when it cannot be planned."""
    cached = _plans.get(id(operation))
    if cached is not None and cached[0] is operation:
        _plans.move_to_end(id(operation))
        return cached[1]
    plan: OperationPlan | None
    root_type = schema.query_type
    if operation.operation is not OperationType.QUERY or operation.directives or root_type is None:
        plan = None
    else:
        try:
            root = ObjectPlan(root_type, [operation.selection_set], Planner(schema, fragments))
            _plan_everything(root, schema)
            plan = OperationPlan(operation, root)
        except NotPlannable as error:
            log.debug("not planned (%s)", error)
            plan = None
    _plans[id(operation)] = (operation, plan)
    if len(_plans) > PLAN_CACHE_SIZE:
        _plans.popitem(last=False)
    return plan


def _plan_everything(plan: ObjectPlan, schema: GraphQLSchema, depth: int = 0) -> None:
    """Plan the whole document now, every possible type of its abstract fields included, so
    one the planner cannot take is found before it runs rather than by a fallback."""
    if depth > MAX_PLAN_DEPTH:
        raise NotPlannable("too deep")
    for field_plan in plan.fields:
        if field_plan.child is not None:
            _plan_everything(field_plan.child, schema, depth + 1)
        elif field_plan.abstract is not None:
            for possible in schema.get_possible_types(field_plan.abstract):
                _plan_everything(plan.planner.concrete(field_plan, possible.name), schema, depth + 1)


# One level of the breadth-first run: (plan, the objects, their result dicts).
Batch = tuple[ObjectPlan, list[Any], list[dict[str, Any]]]


class PlanRun:
    """One execution of a plan for one request."""

    def __init__(self, executor: StrawberryGraphQLCoreExecutionContext, plan: OperationPlan) -> None:
        self.executor = executor
        self.plan = plan
        self.arguments: dict[int, dict[str, Any]] = {}
        self.infos: dict[int, Any] = {}

    async def run(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        batches: list[Batch] = [(self.plan.root, [self.executor.root_value], [data])]
        token = NO_CANCELLATION.set(True)
        try:
            while batches:
                batches = await self._level(batches)
        finally:
            NO_CANCELLATION.reset(token)
        return data

    def _args(self, field_plan: FieldPlan) -> dict[str, Any]:
        if not field_plan.has_arguments:
            return {}
        args = self.arguments.get(id(field_plan))
        if args is None:
            assert field_plan.definition is not None
            args = get_argument_values(
                field_plan.definition, field_plan.nodes[0], self.executor.variable_values,
                None, self.executor.hide_suggestions,
            )
            self.arguments[id(field_plan)] = args
        return args

    async def _level(self, batches: list[Batch]) -> list[Batch]:
        """Resolve every field of every object of this level, wait for all the awaitables at
        once, complete the values; answer the next level's batches."""
        resolved: list[tuple[FieldPlan, list[dict[str, Any]], list[Any]]] = []
        waiting: list[Awaitable[Any]] = []
        slots: list[tuple[list[Any], int]] = []
        for object_plan, sources, outputs in batches:
            for field_plan in object_plan.fields:
                values = self._resolve(field_plan, sources)
                if field_plan.is_async:
                    waiting.extend(values)
                    slots.extend((values, index) for index in range(len(values)))
                elif field_plan.attribute is None and field_plan.definition is not None:
                    for index, value in enumerate(values):
                        if inspect.isawaitable(value):
                            waiting.append(value)
                            slots.append((values, index))
                resolved.append((field_plan, outputs, values))
        if waiting:
            # Every awaitable is waited for, failed or not, before the fallback runs again.
            results = await run_together(waiting)
            for (values, index), value in zip(slots, results, strict=True):
                if isinstance(value, BaseException):
                    raise Fallback("a resolver failed") from value
                values[index] = value
        next_level: dict[int, Batch] = {}
        for field_plan, outputs, values in resolved:
            for output, value in zip(outputs, values, strict=True):
                output[field_plan.key] = self._complete(field_plan, field_plan.wrappers, value, next_level)
        return list(next_level.values())

    def _info(self, field_plan: FieldPlan) -> Any:
        """One resolve info per field, for all its objects and levels: its path names the
        field, not each item's."""
        info = self.infos.get(id(field_plan))
        if info is None:
            assert field_plan.definition is not None
            path = Path(None, field_plan.key, field_plan.parent.name)
            info = self.executor.build_resolve_info(field_plan.definition, field_plan.nodes, field_plan.parent, path)
            self.infos[id(field_plan)] = info
        return info

    def _resolve(self, field_plan: FieldPlan, sources: list[Any]) -> list[Any]:
        if field_plan.definition is None:  # __typename
            return [field_plan.parent.name] * len(sources)
        if field_plan.attribute is not None:
            attribute = field_plan.attribute
            return [getattr(source, attribute) for source in sources]
        info = self._info(field_plan)
        direct = field_plan.direct
        if direct is not None:
            return self._call_directly(direct, info, sources)
        resolve = field_plan.definition.resolve
        assert resolve is not None
        args = self._args(field_plan)
        return [resolve(source, info, **args) for source in sources]

    @staticmethod
    def _call_directly(direct: DirectCall, raw_info: Any, sources: list[Any]) -> list[Any]:
        function = direct.function
        kwargs: dict[str, Any] = {}
        if direct.info_name is not None:
            kwargs[direct.info_name] = Info(_raw_info=raw_info, _field=direct.strawberry_field)
        if not direct.source_names:
            if direct.passes_self:
                return [function(source, **kwargs) for source in sources]
            return [function(**kwargs) for _ in sources]
        values = []
        for source in sources:
            for name in direct.source_names:
                kwargs[name] = source
            values.append(function(source, **kwargs) if direct.passes_self else function(**kwargs))
        return values

    def _complete(
        self, field_plan: FieldPlan, wrappers: Sequence[int], value: Any, next_level: dict[int, Batch]
    ) -> Any:
        if value is None:
            if wrappers and wrappers[0] == NON_NULL:
                raise Fallback("null in a non-null field")
            return None
        if wrappers:
            inner = wrappers[1:] if wrappers[0] == NON_NULL else wrappers
            if inner and inner[0] == LIST:
                if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
                    raise Fallback("not a list")
                item_wrappers = inner[1:]
                return [self._complete(field_plan, item_wrappers, item, next_level) for item in value]
        if field_plan.serialize is not None:
            serialized = field_plan.serialize(value)
            if serialized is None:
                raise Fallback("serialize gave None")
            return serialized
        object_plan = field_plan.child
        if object_plan is None:
            object_plan = self._runtime_plan(field_plan, value)
        output: dict[str, Any] = {}
        batch = next_level.get(id(object_plan))
        if batch is None:
            batch = next_level[id(object_plan)] = (object_plan, [], [])
        batch[1].append(value)
        batch[2].append(output)
        return output

    def _runtime_plan(self, field_plan: FieldPlan, value: Any) -> ObjectPlan:
        abstract = field_plan.abstract
        assert abstract is not None and field_plan.definition is not None
        resolve_type = abstract.resolve_type
        if resolve_type is None:
            raise Fallback("no resolve_type")
        info = self._info(field_plan)
        type_name = resolve_type(value, info, abstract)
        if not isinstance(type_name, str):
            raise Fallback("resolve_type did not answer a name")
        return self.plan.root.planner.concrete(field_plan, type_name)


async def run_together(awaitables: list[Any]) -> list[Any]:
    """Run coroutines to the end side by side, like ``asyncio.gather(..., return_exceptions=True)``
    but without a Task each: each is stepped here (in its own copy of the context, as a Task
    would), and the futures they wait on (DataLoader batches) are awaited together. A level of
    the list screen holds thousands of resolver coroutines; a Task apiece cost more event-loop
    rounds than their work. Anything else than a coroutine gets a Task as before."""
    results: list[Any] = [None] * len(awaitables)
    # Each running coroutine with the future it waits on (None: ready to step).
    running: list[tuple[int, Any, contextvars.Context, asyncio.Future[Any] | None]] = []
    tasks: list[tuple[int, asyncio.Future[Any]]] = []
    for index, awaitable in enumerate(awaitables):
        if inspect.iscoroutine(awaitable):
            running.append((index, awaitable, contextvars.copy_context(), None))
        else:
            tasks.append((index, asyncio.ensure_future(awaitable)))
    try:
        while running:
            still: list[tuple[int, Any, contextvars.Context, asyncio.Future[Any] | None]] = []
            for index, coroutine, context, waiting_on in running:
                if waiting_on is not None and not waiting_on.done():
                    still.append((index, coroutine, context, waiting_on))
                    continue
                try:
                    yielded = context.run(coroutine.send, None)
                except StopIteration as stop:
                    results[index] = stop.value
                    continue
                except (Exception, asyncio.CancelledError) as error:
                    results[index] = error
                    continue
                if yielded is not None:
                    if not getattr(yielded, "_asyncio_future_blocking", False):
                        coroutine.close()
                        results[index] = Fallback(f"a resolver yielded {type(yielded).__name__}")
                        continue
                    yielded._asyncio_future_blocking = False
                still.append((index, coroutine, context, yielded))
            running = still
            # One coroutine may wait on what another one will finish (a shared fetch, a lock):
            # go on as soon as any future is done, stepping only those whose future is.
            # Several may wait on one future: count the waiting coroutines, not the futures.
            pending = [future for _, _, _, future in running if future is not None and not future.done()]
            if pending and len(pending) == len(running):
                await asyncio.wait(set(pending), return_when=asyncio.FIRST_COMPLETED)
            elif any(future is None for _, _, _, future in running):
                await asyncio.sleep(0)  # a bare ``yield``: give the loop a turn
    finally:
        # Stopped from outside (the query timeout): each unfinished resolver is cancelled, as its
        # Task would have been, so it can clean up (``finally``, ``except CancelledError``).
        for _, coroutine, context, _ in running:
            _cancel(coroutine, context)
    for index, task in tasks:
        try:
            results[index] = await task
        except (Exception, asyncio.CancelledError) as error:
            results[index] = error
    return results


def _cancel(coroutine: Any, context: contextvars.Context) -> None:
    try:
        context.run(coroutine.throw, asyncio.CancelledError())
    except (StopIteration, Exception, asyncio.CancelledError):
        return
    try:  # it went on waiting after the cancellation: stop it for good
        coroutine.close()
    except RuntimeError:
        log.warning("a resolver ignored its cancellation")


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with a planned fast path for queries."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = plan_for(self.schema, self.operation, self.fragment_definitions)
        if plan is None or self.abort_signal is not None or (
            self.middleware_manager is not None and self.middleware_manager.middlewares
        ):
            if self.operation.operation is OperationType.QUERY:
                COMPILED_QUERIES.labels(path="reference").inc()
            return super().execute_operation(serially)
        return self._execute_planned(plan, serially)

    async def _execute_planned(self, plan: OperationPlan, serially: bool | None) -> Any:
        try:
            data = await PlanRun(self, plan).run()
        except Exception as error:  # any failure: the reference executor answers, errors and all
            COMPILED_QUERIES.labels(path="fallback").inc()
            log.debug("plan fell back to graphql-core", exc_info=error.__cause__ or error)
            return await _maybe_await(super().execute_operation(serially))
        COMPILED_QUERIES.labels(path="planned").inc()
        if CHECK:
            reference = await _maybe_await(super().execute_operation(serially))
            if reference.errors or reference.data != data:
                raise AssertionError(f"compiled plan differs from graphql-core: {data!r} != {reference.data!r}")
        return self.build_response(data)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
