"""Training (技能培训, 社会大课堂, 校企合作): courses, sessions with seats and an automatic
waitlist, time-windowed check-in with a rotating code, assessment with verifiable certificates
that expire, private calendar feeds, and the yearly counts (场次 / 人次) the alliances report.

Partner schools and enterprises switch it on per organisation (``pluginEnable``); its mutations
refuse organisations that have not (``PLUGIN_DISABLED``). See README.md in this folder.
"""

__version__ = "0.1.0"
