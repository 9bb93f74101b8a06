"""Where the benchmarks find the project, its virtualenv and their results folder."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
PAKN = str(VENV_BIN / "pakn")
PYTHON = str(VENV_BIN / "python")
RESULTS = ROOT / "bench" / "results"
"""Figures, JSON and server logs of past runs (ignored by git)."""


def pakn_command(*args: str) -> list[str]:
    """`pakn ARGS` from the virtualenv, or `python -m app.cli ARGS` where it is not installed."""
    if Path(PAKN).exists():
        return [PAKN, *args]
    return [sys.executable, "-m", "app.cli", *args]
