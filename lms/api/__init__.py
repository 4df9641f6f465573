"""The API for other systems: bearer tokens and the completions feed (JSON, keyset pagination).

The competency-profile system polls it; every call is written to the export audit log.
"""
