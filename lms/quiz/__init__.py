"""Quizzes: attempts with a per-attempt shuffled order, server-side grading, attempt limits."""
