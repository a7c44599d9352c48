"""Assignment: a task of advisory work on a draft at a stage, for a unit or a person."""
