"""``python -m gateway.cli``: the ``ciao-gateway`` command."""

import sys

from gateway.cli import main

sys.exit(main())
