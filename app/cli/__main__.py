"""`python -m app.cli`: the same as the `pakn` command."""

from app.cli import main

raise SystemExit(main())
