"""Synthesis: the coded evidence organised by criterion and stakeholder group (matrices), how well it is
triangulated (triangulation), themes within a criterion to help draft findings (themes), the findings themselves
with their evidence links (findings), and the audit of every finding's evidence (audit).

Everything here returns plain data (dicts and lists) that the CLI prints, exports render and tests check.
"""
