"""Reference data: the NA's units, terms and sessions, document kinds and kinds of advisory work.

Declared in `data/*.json` (each row with its source), loaded by `seed.py`, read through `api.py`.
"""
