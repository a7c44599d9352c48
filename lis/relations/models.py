"""Relation: one document's link to another (basis, amends, replaces, guides, repeals)."""
