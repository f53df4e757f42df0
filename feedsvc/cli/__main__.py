"""`python -m feedsvc.cli …`, as the `feedsvc` command."""

from . import main

main()
