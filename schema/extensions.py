"""Schema extensions: caches, abuse limits, stable error codes, masking in production."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule

from core import errors
from core.settings import Settings
from schema.limits import QueryLimits

# graphql-core 3.3: "Variable '$input' has invalid value at .kind: ..." (3.2 said "at 'input.kind'").
_COERCION_AT = re.compile(r"^Variable '\$\w+' (?:got|has) invalid value.*? at '?([\w.\[\]]+?)'?[:;]")
_VARIABLE = re.compile(r"^Variable '\$(\w+)'")
CACHE_SIZE = 512


def _is_internal(error: GraphQLError) -> bool:
    """An exception from our code that is not a deliberate, public GraphQL error."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


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
    so clients switch on codes for bad enum values or malformed IDs too."""

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
            error.extensions = extensions


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
    limits: list[type[ASTValidationRule]] = [
        depth_limit_rule(settings.max_query_depth, None),
        alias_limit_rule(settings.max_aliases),
    ]
    extensions: list[ExtensionFactory | type[SchemaExtension]] = [
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(limits),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        lambda: QueryLimits(settings),
    ]
    if settings.is_production:
        extensions.append(MaskInternalErrors)
    # Listed last so it sees errors first on the way out (extensions unwind in reverse).
    extensions.append(ErrorCodes)
    return extensions
