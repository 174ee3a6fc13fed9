"""Entry point of the frozen app: the ``deescal`` command (no argument opens the desktop app)."""

import multiprocessing
import sys

from deescal.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # child processes of a frozen app re-enter here, not in main()
    sys.exit(main())
