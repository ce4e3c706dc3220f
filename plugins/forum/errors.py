"""Stable error codes of the forum plugin (clients switch on them).

Shared codes (``NOT_FOUND``, ``PERMISSION_DENIED``, ``UNAUTHENTICATED``, ``PLUGIN_DISABLED``,
``BLANK``, ``TOO_LONG``, ``OUT_OF_RANGE`` …) come from ``core.errors``.
"""

from __future__ import annotations

# RSVP GOING to a salon whose GOING count has reached its capacity.
SALON_FULL = "SALON_FULL"
SALON_CANCELLED = "SALON_CANCELLED"
SALON_HELD = "SALON_HELD"
# A summary (纪要) or materials before the salon has ended.
SALON_NOT_ENDED = "SALON_NOT_ENDED"
# A thread's salon must belong to the same board (organisation).
SALON_NOT_ON_BOARD = "SALON_NOT_ON_BOARD"
THREAD_LOCKED = "THREAD_LOCKED"
REPLY_NOT_IN_THREAD = "REPLY_NOT_IN_THREAD"
EDIT_WINDOW_CLOSED = "EDIT_WINDOW_CLOSED"
POST_HIDDEN = "POST_HIDDEN"
TOO_MANY_MENTIONS = "TOO_MANY_MENTIONS"
INVALID_TIME_RANGE = "INVALID_TIME_RANGE"
TIMEZONE_REQUIRED = "TIMEZONE_REQUIRED"
IN_THE_PAST = "IN_THE_PAST"
INVALID_URL = "INVALID_URL"
NO_PERSON = "NO_PERSON"
# RSVP to a salon that has already ended (but is not yet marked HELD).
SALON_ENDED = "SALON_ENDED"
