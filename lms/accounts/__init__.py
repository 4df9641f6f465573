"""Accounts: users, roles, units (unit kerja), login and user administration."""
