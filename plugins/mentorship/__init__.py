"""Mentorship (名师带徒, 师徒结对): master–apprentice agreements.

A master and an apprentice sign an agreement (师徒协议) in one skill, held in one organisation
(usually the master's studio). It is proposed by either of them or by an admin, becomes ACTIVE
when both sides have signed, collects milestones (approved by the master) and session logs
(带徒记录), and ends in graduation (出师: a score, a comment, optionally a raised skill level),
or early. A master takes several apprentices ("1+N") up to the organisation's capacity setting.
``mentorSuggestions`` ranks possible masters for an apprentice and says why.

Where a rule lives: the status machine and capacity in ``services.py``, milestones and the
session log in ``progress.py``, suggestions in ``matching.py``, who may do what in ``access.py``.
"""

PLUGIN = "mentorship"
__version__ = "0.1.0"
