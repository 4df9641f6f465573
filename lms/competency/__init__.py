"""Competencies: the dictionary, position requirements, profiles, gaps and training needs."""
