"""Emulation: movements, criteria computed from the advisory ledger, reproducible scores and
quality ratings. May import `lis` models and services; `lis` never imports this package except
in the composition root (`lis.app`) and the CLI."""
