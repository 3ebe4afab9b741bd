"""The scripts in perf/ import each other as top-level modules: put that folder on the path."""

from __future__ import annotations

import sys
from pathlib import Path

PERF = Path(__file__).resolve().parents[2] / "perf"
if str(PERF) not in sys.path:
    sys.path.insert(0, str(PERF))
