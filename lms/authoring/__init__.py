"""Authoring: drafts, publishing, versions, assets and course statistics for trainers."""
