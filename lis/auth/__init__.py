"""Users, roles, log-in and API tokens."""
