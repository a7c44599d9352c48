"""Relations between documents, and relations suggested from the numbers a text cites."""
