"""Schema extensions: caches, abuse limits, input checks, stable error codes, masking in
production, and the schema's configuration (introspection and suggestions)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator

from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType

from core import errors
from core.context import Context
from core.db import one_connection
from core.errors import shorten
from core.replica import mark_wrote, reads_replica
from core.settings import Settings
from schema.inputs import check_variables, literal_checks_rule
from schema.limits import QueryLimits

# graphql-core 3.3: "Variable '$input' has invalid value at .kind: ..." (3.2 said "at 'input.kind'").
_COERCION_AT = re.compile(r"^Variable '\$\w+' (?:got|has) invalid value.*? at '?([\w.\[\]]+?)'?[:;]")
_VARIABLE = re.compile(r"^Variable '\$(\w+)'")
# A literal a scalar refused (its parser may raise anything, e.g. OverflowError for a date).
_LITERAL = re.compile(r"^Expected value of type ")
CACHE_SIZE = 512
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")
FIELD_LIMIT = 64


def _is_request_error(error: GraphQLError) -> bool:
    """Raised while coercing the request's literals or variables: the client's mistake, even
    when a scalar's parser raised a plain exception."""
    return error.path is None and bool(_COERCION_AT.match(error.message) or _VARIABLE.match(error.message)
                                       or _LITERAL.match(error.message))


def _is_internal(error: GraphQLError) -> bool:
    """An exception from our code that is not a deliberate, public GraphQL error."""
    return (
        error.original_error is not None
        and not isinstance(error.original_error, GraphQLError)
        and not _is_request_error(error)
    )


def _code_for(error: GraphQLError) -> tuple[str, str | None]:
    if _is_internal(error):
        return errors.INTERNAL, None
    message = error.message
    if match := _COERCION_AT.match(message):
        return errors.BAD_USER_INPUT, re.sub(r"\[\d+\]", "", match.group(1)).split(".")[-1]
    if match := _VARIABLE.match(message):
        return errors.BAD_USER_INPUT, match.group(1)
    return "GRAPHQL_VALIDATION_FAILED", None


class ErrorCodes(SchemaExtension):
    """Every top-level error carries ``extensions.code`` (and ``field`` where one is to blame),
    so clients switch on codes for bad enum values or malformed IDs too. Messages are cut so
    they echo at most a short prefix of any input (see ``shorten``); with ``hide_suggestions``
    "Did you mean …" hints, which would reveal the schema, are removed."""

    def __init__(self, *, hide_suggestions: bool = False) -> None:
        super().__init__()
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        for error in result.errors:
            extensions = dict(error.extensions or {})
            if "code" not in extensions:
                code, field = _code_for(error)
                extensions["code"] = code
                if field is not None:
                    extensions["field"] = field
            if isinstance(extensions.get("field"), str) and len(extensions["field"]) > FIELD_LIMIT:
                extensions["field"] = extensions["field"][:FIELD_LIMIT]
            error.extensions = extensions
            message = _SUGGESTION.sub("", error.message) if self.hide_suggestions else error.message
            error.message = shorten(message)


class InputChecks(SchemaExtension):
    """The request's variables: every string refuses control characters (``INVALID_CHARACTERS``)
    and is at most ``max_string_length`` long (``TOO_LONG``); dates stay in a sane range
    (``OUT_OF_RANGE``). See ``schema.inputs``; literals in the document are checked by the
    validation rule from ``literal_checks_rule``, added with the other rules.

    Runs in ``on_validate`` after ``ValidationCache`` (it must come after it in the list), and
    only for documents that passed validation: its problems become the operation's
    pre-execution errors, so bad input never reaches a resolver, for queries, mutations and
    subscriptions alike. They are therefore top-level errors (``data: null``, each with
    ``extensions.code`` and ``extensions.field``), not mutation payload errors: no resolver has
    run to build a payload."""

    def __init__(self, *, max_string_length: int) -> None:
        super().__init__()
        self.max_string_length = max_string_length

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            if context.pre_execution_errors is None:  # no validation cache ran before us
                context.pre_execution_errors = validate_document(
                    context.schema._schema, document, context.validation_rules
                )
            if not context.pre_execution_errors and context.variables:
                problems = check_variables(
                    context.schema._schema, document, context.operation_name, context.variables,
                    self.max_string_length,
                )
                if problems:
                    context.pre_execution_errors = problems
        yield


class _NoIntrospection(NoSchemaIntrospectionCustomRule):
    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {"code": INTROSPECTION_DISABLED}
        super().report_error(error)


def schema_config(settings: Settings) -> StrawberryConfig:
    """Field suggestions go with introspection: both reveal the schema (off in production)."""
    return StrawberryConfig(disable_field_suggestions=not settings.introspection_enabled)


class MaskInternalErrors(MaskErrors):
    """Production: unexpected exceptions become "Unexpected error." but keep their code."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_internal)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": errors.INTERNAL}
        return masked


ExtensionFactory = Callable[[], SchemaExtension]


def build_extensions(settings: Settings) -> list[ExtensionFactory | type[SchemaExtension]]:
    """Factories, so each request gets fresh extension state. The limiter rule classes are
    made once here: made per request they would miss the validation cache every time
    (strawberry issue 4635). The parser and validation caches live at module level."""
    rules: list[type[ASTValidationRule]] = [
        depth_limit_rule(settings.max_query_depth, None),
        alias_limit_rule(settings.max_aliases),
        literal_checks_rule(settings.max_string_length),
    ]
    if not settings.introspection_enabled:
        rules.append(_NoIntrospection)
    max_string_length = settings.max_string_length
    hide_suggestions = not settings.introspection_enabled
    extensions: list[ExtensionFactory | type[SchemaExtension]] = [
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        lambda: InputChecks(max_string_length=max_string_length),
        lambda: QueryLimits(settings),
    ]
    extensions.append(OneConnection)
    if settings.is_production:
        extensions.append(MaskInternalErrors)
    # Listed last so it sees errors first on the way out (extensions unwind in reverse).
    extensions.append(lambda: ErrorCodes(hide_suggestions=hide_suggestions))
    return extensions


class OneConnection(SchemaExtension):
    """A query's statements share one pooled PostgreSQL connection (``core.db.one_connection``),
    taken on its first statement and given back when it is answered: from the read replica's
    pool when one is configured and the caller has not just written (``core.replica``).
    Mutations keep a connection of the primary per statement or per transaction, and mark
    their caller as having written; subscriptions hold none between events."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        ours = context if isinstance(context, Context) else None  # None: a direct schema.execute
        operation = self.execution_context.operation_type
        if operation is OperationType.QUERY:
            replica = ours is not None and await reads_replica(ours.rt, ours.viewer.account_id)
            async with one_connection(replica=replica):
                yield
            return
        try:
            yield
        finally:
            if ours is not None and operation is OperationType.MUTATION:
                await mark_wrote(ours.rt, ours.viewer.account_id)
