"""Assigned training: HR assigns a course to people, a unit or a jabatan, with a due date."""
