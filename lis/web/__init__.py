"""Server-rendered pages for deputies and staff."""
