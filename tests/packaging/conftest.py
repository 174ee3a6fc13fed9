"""packaging/ is not an import package (it would shadow PyPI's ``packaging``): put it on sys.path."""

import sys
from pathlib import Path

PACKAGING_DIR = Path(__file__).resolve().parents[2] / "packaging"
if str(PACKAGING_DIR) not in sys.path:
    sys.path.insert(0, str(PACKAGING_DIR))
