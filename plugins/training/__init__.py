"""Training (技能培训, 社会大课堂, 校企合作): courses, sessions with seats and an automatic
waitlist, time-windowed check-in with a rotating code, assessment with verifiable certificates
that expire, private calendar feeds, and the yearly counts (场次 / 人次) the alliances report.

Partner schools and enterprises switch it on per organisation (``pluginEnable``); the host
refuses its mutations where it is off (``PLUGIN_DISABLED``). The rules are in README.md in
this folder.
"""

PLUGIN = "training"
__version__ = "0.2.0"
