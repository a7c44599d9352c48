"""Liveness of the app and what it depends on."""
