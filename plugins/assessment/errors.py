"""Stable error codes of the assessment plugin (clients switch on them).

Shared codes (``NOT_FOUND``, ``PERMISSION_DENIED``, ``PLUGIN_DISABLED``, ``OUT_OF_RANGE``,
``NOT_A_STUDIO``, ``NOT_AN_ALLIANCE``, ``NOT_MEMBER``, ``BLANK`` …) come from ``core.errors``.
"""

from __future__ import annotations

# A patent kind without its number (专利号).
PATENT_NUMBER_REQUIRED = "PATENT_NUMBER_REQUIRED"
# More proposals adopted than received.
ADOPTED_EXCEEDS_RECEIVED = "ADOPTED_EXCEEDS_RECEIVED"
# assessmentRun (and the federation statistics) act for a federation of trade unions only.
NOT_A_FEDERATION = "NOT_A_FEDERATION"
# A delisting decision on an assessment that proposes none, or was already decided.
NOT_PROPOSED = "NOT_PROPOSED"
