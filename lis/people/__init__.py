"""People who work in the NA's units, each optionally linked to a login."""
