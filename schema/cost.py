"""The static cost of an operation, from its document, the schema and the variables.

The model (a node count, as GitHub's):

- every object a field returns costs 1; scalars, enums and ``__typename`` cost 0;
- a list costs its page size times the cost of one item: ``first`` where the field takes it
  (``mentorSuggestions(first: 5)``), the length of ``ids`` for ``nodes(ids:)`` (at most
  ``MAX_IDS``, else ``TOO_MANY_IDS``), the bound a field declares with
  ``core.plugin_api.list_size`` (e.g. one entry per enum value), else the default page (20);
- a connection (a field taking ``first`` whose type has ``edges`` or ``nodes``) costs 1, and its
  ``edges`` and ``nodes`` lists take the connection's ``first`` (default 20, counted at most 100:
  the resolver refuses more with ``OUT_OF_RANGE``);
- an abstract selection (interface or union) costs the most any one of its concrete types
  selects: fragments on other types are never returned for the same object, so summing them
  would overcharge;
- ``@skip``/``@include`` are honoured; introspection (``__schema``, ``__type``) costs 0 (it is
  bounded by the schema and the depth limit).

``{ people(first: 10) { nodes { name skills(first: 5) { nodes { name } } } } }`` costs
1 + 10 × (1 + 1 + 5 × 1) = 71.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_object_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values, get_variable_values

from core import errors
from core.errors import PublicError
from core.plugin_api import LIST_SIZE
from core.relay import DEFAULT_PAGE, MAX_PAGE

MAX_IDS = 100
CONNECTION_LISTS = frozenset({"edges", "nodes"})


class _Coster:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: VariableValues) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def _included(self, node: SelectionNode) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def selection_set(self, selection_set: SelectionSetNode | None, parent: Any, page: int) -> int:
        """The cost of one object of type ``parent`` with this selection."""
        if selection_set is None:
            return 0
        if is_abstract_type(parent):
            return max((self._on(selection_set, t, page, set()) for t in self.schema.get_possible_types(parent)),
                       default=0)
        return self._on(selection_set, parent, page, set())

    def _applies(self, condition: str | None, object_type: GraphQLObjectType) -> bool:
        if condition is None or condition == object_type.name:
            return True
        wanted = self.schema.get_type(condition)
        return wanted is not None and is_abstract_type(wanted) and self.schema.is_sub_type(
            wanted, object_type
        )

    def _on(self, selection_set: SelectionSetNode, object_type: GraphQLObjectType, page: int,
            spread: set[str]) -> int:
        total = 0
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                total += self.field(selection, object_type, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else None
                if self._applies(condition, object_type):
                    total += self._on(selection.selection_set, object_type, page, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in spread and self._applies(
                    fragment.type_condition.name.value, object_type
                ):
                    total += self._on(fragment.selection_set, object_type, page, spread | {name})
        return total

    def field(self, node: FieldNode, parent: GraphQLObjectType, page: int) -> int:
        name = node.name.value
        definition = parent.fields.get(name)
        if name.startswith("__") or definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        arguments = get_argument_values(definition, node, self.variables)
        is_list = is_list_type(get_nullable_type(definition.type))
        child_page = DEFAULT_PAGE
        if "first" in definition.args:
            first = arguments.get("first")
            first = DEFAULT_PAGE if first is None else max(0, min(int(first), MAX_PAGE))
            if is_list:
                multiplier = first
            else:
                multiplier, child_page = 1, first
        elif "ids" in definition.args and is_list:
            ids = arguments.get("ids") or []
            if len(ids) > MAX_IDS:
                raise PublicError(f"At most {MAX_IDS} ids at once (asked for {len(ids)})", errors.TOO_MANY_IDS, "ids")
            multiplier = len(ids)
        elif is_list:
            multiplier = page if name in CONNECTION_LISTS else _declared_size(definition) or DEFAULT_PAGE
        else:
            multiplier = 1
        return multiplier * (1 + self.selection_set(node.selection_set, named, child_page))


def _declared_size(definition: Any) -> int | None:
    """The bound a list field declares in its strawberry metadata (``list_size``), if any."""
    field = (definition.extensions or {}).get("strawberry-definition")
    size = (getattr(field, "metadata", None) or {}).get(LIST_SIZE)
    return size if isinstance(size, int) and size >= 0 else None


def operation_cost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                   variables: dict[str, Any] | None) -> int:
    """The cost of ``operation`` in ``document``; 0 when its variables do not coerce (the
    execution then refuses them before any resolver runs)."""
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.get_root_type(operation.operation)
    if root is None or not is_object_type(root):
        return 0
    coster = _Coster(schema, fragments, coerced)
    try:
        return coster.selection_set(operation.selection_set, root, DEFAULT_PAGE)
    except PublicError:
        raise
    except GraphQLError:
        return 0  # an argument that does not coerce: execution refuses the same way


# Costs of recent (document, variables) pairs: the parser cache hands every request with the same
# text the same nodes, and a screen's variables repeat (ids, page sizes), so most requests find
# their cost here instead of walking the document again.
COST_CACHE_SIZE = 2_000
_costs: OrderedDict[tuple[int, int, bytes], tuple[OperationDefinitionNode, int]] = OrderedDict()


def cached_operation_cost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                          variables: dict[str, Any] | None) -> int:
    """``operation_cost``, remembered per operation node and variables."""
    try:
        key = (id(schema), id(operation), orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS))
    except TypeError:  # variables JSON cannot hold: nothing to remember them by
        return operation_cost(schema, document, operation, variables)
    cached = _costs.get(key)
    if cached is not None and cached[0] is operation:
        _costs.move_to_end(key)
        return cached[1]
    cost = operation_cost(schema, document, operation, variables)
    _costs[key] = (operation, cost)
    if len(_costs) > COST_CACHE_SIZE:
        _costs.popitem(last=False)
    return cost


__all__ = ["MAX_IDS", "cached_operation_cost", "operation_cost"]
