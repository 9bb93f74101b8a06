"""Results files: one name stamp a run, JSON written one way."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bench.common.paths import RESULTS


def timestamp() -> str:
    """Local time to the second, as results files are named: 20260131-142500."""
    return time.strftime("%Y%m%d-%H%M%S")


def results_path(name: str) -> Path:
    """A file in bench/results/, which is made if missing."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS / name


def write_json(path: str | Path, data: Any, *, indent: int = 2) -> None:
    """`data` as indented JSON (anything JSON has no type for, as its str())."""
    Path(path).write_text(json.dumps(data, indent=indent, default=str) + "\n")
