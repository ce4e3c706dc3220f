"""Checks on every string and date a request sends, before any resolver runs.

Two halves, both reporting top-level errors with ``extensions.code`` and ``extensions.field``
(the innermost input-object key or argument name that holds the bad value):

- ``literal_checks_rule(...)``: a validation rule for the literals written in the document
  (arguments, input objects, lists, variable defaults, directive arguments). Being a
  validation rule, its result is cached with the rest of validation for repeated documents.
- ``check_variables(...)``: the request's variable values, walked with the types the operation
  declares for them (input objects field by field, lists item by item; JSON scalars and
  unknown keys as plain data).

What is checked:

- every string (values, and the keys of JSON objects): no control characters other than tab
  and newline, no lone surrogates (``INVALID_CHARACTERS``); at most ``max_string_length``
  characters (``TOO_LONG``). Fields with a tighter limit check that in their service.
- ``Date`` / ``DateTime`` values: within years ``MIN_YEAR`` .. ``MAX_YEAR`` (``OUT_OF_RANGE``),
  so no value overflows on conversion to UTC or is refused by a database.

Not checked here: enum values, ints and floats (graphql-core's coercion does), the format of
IDs and cursors (``core.relay`` does, where the expected type is known), and anything a
service judges (blank, per-field lengths, single-line names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import dateutil.parser
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    Node,
    ObjectFieldNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_operation_ast,
    is_input_type,
    type_from_ast,
    visit,
)

from core import errors
from core.validation import has_control_characters

MIN_YEAR = 1900
MAX_YEAR = 2200
MAX_PROBLEMS = 10
# A field name shown in an error is a schema name, or a JSON key when it is short and clean.
MAX_FIELD_NAME = 64
_DATE_PARSERS: dict[str, Callable[[str], dt.date]] = {
    "Date": dt.date.fromisoformat,
    "DateTime": dateutil.parser.isoparse,
}


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    reason: str

    @property
    def message(self) -> str:
        return f"`{self.field}` {self.reason}"

    def error(self, nodes: Node | list[Node] | None = None) -> GraphQLError:
        return GraphQLError(self.message, nodes, extensions={"code": self.code, "field": self.field})


def string_problem(value: str, field: str, max_length: int) -> Problem | None:
    if has_control_characters(value):
        return Problem(
            errors.INVALID_CHARACTERS, field, "must not contain control characters (tab and newline are fine)"
        )
    if len(value) > max_length:
        return Problem(errors.TOO_LONG, field, f"is longer than {max_length} characters")
    return None


def date_problem(value: str, type_name: str, field: str) -> Problem | None:
    """``OUT_OF_RANGE`` for a date outside the years we accept (or one too large to parse);
    None for good dates and for text that is no date at all (coercion reports those)."""
    parser = _DATE_PARSERS.get(type_name)
    if parser is None:
        return None
    try:
        year = parser(value).year
    except OverflowError:  # e.g. 9999-12-31T24:00, which rolls over into year 10000
        year = MAX_YEAR + 1
    except ValueError:
        return None
    if MIN_YEAR <= year <= MAX_YEAR:
        return None
    return Problem(errors.OUT_OF_RANGE, field, f"must be in the years {MIN_YEAR} to {MAX_YEAR}")


def value_problem(value: str, type_: GraphQLInputType | None, field: str, max_length: int) -> Problem | None:
    problem = string_problem(value, field, max_length)
    if problem is None and type_ is not None:
        problem = date_problem(value, get_named_type(type_).name, field)
    return problem


def field_name(key: str, parent: str) -> str:
    """``key`` as the field to blame, unless it is no name to show (then its parent)."""
    if not key or len(key) > MAX_FIELD_NAME or has_control_characters(key):
        return parent
    return key


class _FieldStack:
    """Keeps ``fields``: the argument and input-object field names around the current node,
    innermost last, so a problem names the field it is in. Mixed into graphql-core visitors."""

    fields: list[str]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.fields = []

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.fields.append(node.name.value)

    def leave_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.fields.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        self.fields.append(node.name.value)

    def leave_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        self.fields.pop()


def literal_checks_rule(max_string_length: int) -> type[ValidationRule]:
    """A validation rule class for this limit; build it once so the validation cache hits."""

    class InputLiteralsRule(_FieldStack, ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.reported = 0

        def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
            self.fields.append(node.variable.name.value)

        def leave_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
            self.fields.pop()

        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            field = self.fields[-1] if self.fields else "query"
            problem = value_problem(node.value, self.context.get_input_type(), field, max_string_length)
            if problem is not None and self.reported < MAX_PROBLEMS:
                self.reported += 1
                self.report_error(problem.error(node))

    return InputLiteralsRule


def _walk(value: Any, type_: GraphQLInputType | None, field: str, max_length: int) -> Iterator[Problem]:
    """Problems in one variable's value, depth-first without recursion (JSON can nest deeply)."""
    stack: list[tuple[Any, GraphQLInputType | None, str]] = [(value, type_, field)]
    while stack:
        value, type_, field = stack.pop()
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(value, str):
            if (problem := value_problem(value, type_, field, max_length)) is not None:
                yield problem
        elif isinstance(value, Mapping):
            fields = type_.fields if isinstance(type_, GraphQLInputObjectType) else {}
            for key, item in reversed(list(value.items())):
                key = str(key)
                if (problem := string_problem(key, field, max_length)) is not None:
                    yield problem
                    continue
                known = fields.get(key)
                stack.append((item, known.type if known else None, field_name(key, field)))
        elif isinstance(value, list):
            item_type = type_.of_type if isinstance(type_, GraphQLList) else type_
            stack.extend((item, item_type, field) for item in reversed(value))


class _VariableUses(_FieldStack, Visitor):
    """The argument or input-object field each variable is passed to (first use wins)."""

    def __init__(self) -> None:
        super().__init__()
        self.uses: dict[str, str] = {}

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> bool:
        return False  # the variable's own declaration is no use

    def enter_variable(self, node: VariableNode, *_args: Any) -> None:
        if self.fields:
            self.uses.setdefault(node.name.value, self.fields[-1])


def check_variables(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_length: int,
) -> list[GraphQLError]:
    """Errors for the bad strings and dates in the variables the operation declares."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or not variables:
        return []
    found: list[tuple[Problem, VariableDefinitionNode]] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in variables:
            continue
        type_ = type_from_ast(schema, definition.type)
        input_type = type_ if is_input_type(type_) else None
        # "": the variable itself, named below after the argument it is passed to.
        for problem in _walk(variables[name], input_type, "", max_length):
            found.append((problem, definition))
            if len(found) >= MAX_PROBLEMS:
                break
        if len(found) >= MAX_PROBLEMS:
            break
    if not found:
        return []
    # A problem at a variable's top level names where the variable is used, e.g. `username`.
    uses = _VariableUses()
    visit(document, uses)
    results = []
    for problem, definition in found:
        if not problem.field:
            variable = definition.variable.name.value
            problem = Problem(problem.code, uses.uses.get(variable, variable), problem.reason)
        results.append(problem.error(definition))
    return results
