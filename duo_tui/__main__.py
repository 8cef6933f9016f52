"""`python -m duo_tui` is the same as the `duo-tui` command."""

from duo_tui.cli import main

raise SystemExit(main())
