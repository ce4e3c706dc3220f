"""The GraphQL schema, assembled from core and the loaded plugins."""

from schema.build import GuildhallSchema, build_schema, print_sdl

__all__ = ["GuildhallSchema", "build_schema", "print_sdl"]
