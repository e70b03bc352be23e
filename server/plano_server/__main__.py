"""`python -m plano_server` runs plano-server."""
import sys

from plano_server.launch import main

sys.exit(main())
