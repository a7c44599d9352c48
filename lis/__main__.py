"""`python -m lis` is the `lis` command."""

from lis.cli import main

main()
