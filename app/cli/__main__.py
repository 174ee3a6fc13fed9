"""``python -m deescal.app.cli`` (used by tests and the packaged build)."""

import sys

from deescal.app.cli import main

sys.exit(main())
