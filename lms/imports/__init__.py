"""Staged file imports: a checked file is stored as a preview and applied once, when confirmed.

Employees and units (lms.accounts.imports) and technical competencies and position requirements
(lms.competency.imports) share this life cycle and its pages; each brings its own checker and rules.
"""
