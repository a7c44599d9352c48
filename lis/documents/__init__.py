"""Documents: laws, drafts and resolutions, their versions and parts."""
