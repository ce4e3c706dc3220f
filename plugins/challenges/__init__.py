"""Challenges (技术攻关 / 揭榜攻关): enterprises' technical problems (需求清单), what people,
studios and service teams offer (资源清单 / 科研清单), explainable matching between them, bids
to take a problem on (揭榜), the team's milestones and service visits (现场技术指导 / 助企行), and
the outcome the poster accepts with a rating and the economic benefit.

Organisations switch it on per organisation (``pluginEnable``); the rules are in README.md in
this folder.
"""

PLUGIN = "challenges"
__version__ = "0.1.0"
