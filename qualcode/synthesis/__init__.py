"""Synthesis: the coded evidence organised by criterion and stakeholder group (matrices), how well it is
triangulated (triangulation), and themes within a criterion to help draft findings (themes).

Everything here returns plain data (dicts and lists) that the CLI prints, exports render and tests check.
"""
