"""``python -m deescal.cli`` (used by tests and the packaged build)."""

import sys

from deescal.cli import main

sys.exit(main())
