"""The host: loads plugins into one registry, assembles the schema, serves the app, runs the CLI.

Dependencies point down: host -> schema -> core, host -> plugins (by name or entry point).
Nothing in ``core/`` or ``plugins/`` imports the host.
"""
