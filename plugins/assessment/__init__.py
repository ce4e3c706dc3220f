"""Assessment (成果库, 动态管理, 统计报表): a studio's achievements (patents, new techniques and
processes, innovative operating methods, papers, software, solved problems) with the people
behind them, awards and economic benefit, browsable like a shop (成果超市); rationalisation
proposals (合理化建议) per period; the yearly assessment of every studio under a federation against
targets per studio level (PASS, 风险提示, 摘牌 after two failing years, confirmed or overridden by
the federation); and the statistics officials report upwards, as GraphQL figures, an Excel
workbook and CSV.

Figures of other activities come from every installed plugin through the ``studio_metrics`` hook;
solved challenges arrive as the ``challenges.problem_solved`` event. The rules are in README.md.
"""

PLUGIN = "assessment"
__version__ = "0.1.0"
