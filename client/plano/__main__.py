"""`python -m plano demo`: the same as the `plano` command."""
from plano.cli import main

raise SystemExit(main())
