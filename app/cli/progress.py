"""A progress bar on stderr for long exports."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Rows done out of `total`: redrawn in place on a terminal, at most every 0.1 s; one
    final line otherwise, so a log or a pipe gets no carriage-return noise."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.perf_counter()
        self.drawn = 0.0

    def _line(self) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = min(self.WIDTH, int(share * self.WIDTH))
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        return (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%} "
            f"{self.done:,}/{self.total:,} rows, {self.done / elapsed:,.0f} rows/s"
        )

    def add(self, rows: int) -> None:
        self.done += rows
        moment = time.perf_counter()
        if self.live and moment - self.drawn >= 0.1:
            self.drawn = moment
            self.stream.write("\r" + self._line())
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write(("\r" if self.live else "") + self._line() + "\n")
        self.stream.flush()
