"""Drafts moving through their declared stages: creation, versions, stage events."""
