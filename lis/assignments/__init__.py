"""Assignments: a head asks a unit or a person for advisory work on a draft, by a due date."""
