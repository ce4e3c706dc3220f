"""Forum (创新论坛沙龙): the salons where studios present and discuss, with RSVP and capacity,
and the discussion boards around them: threads, replies, reactions, @mentions, moderation and
live updates (``forumPostAdded``, ``salonUpdated``) across server processes.

Organisations and alliances switch it on (``pluginEnable``); the host refuses its mutations where
it is off (``PLUGIN_DISABLED``). The rules are in README.md in this folder.
"""

PLUGIN = "forum"
__version__ = "0.1.0"
