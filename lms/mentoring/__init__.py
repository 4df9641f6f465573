"""Mentoring: HR pairs mentors with mentees; sessions either side logs and the other confirms.

A confirmed session is a learning record of its own (SIASN jenisDiklatId 15, Mentoring) worth JP.
"""
