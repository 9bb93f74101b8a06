"""Resident memory of processes, sampled in a thread while a benchmark runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from bench.common.processes import status_kib


class RssSampler(threading.Thread):
    """Reads the VmRSS of some processes every `period` seconds; keeps each one's peak and
    the timeline of samples.

    `pids` is a list, or a function asked again at every sample for a set that changes
    while it runs (a server's workers). Use it as a context manager, or start() and stop().
    """

    def __init__(
        self, pids: Iterable[int] | Callable[[], Iterable[int]], period: float = 0.1
    ) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self._listed: list[int] = [] if callable(pids) else list(pids)
        self._pids: Callable[[], Iterable[int]] = pids if callable(pids) else lambda: self._listed
        self.period = period
        self.peak: dict[int, int] = {}
        self.timeline: list[tuple[float, dict[int, int]]] = []
        self._halt = threading.Event()

    def add(self, pid: int) -> None:
        """Sample one more process from now on (a listed sampler only)."""
        self._listed = [*self._listed, pid]

    def run(self) -> None:
        while not self._halt.is_set():
            sample = {}
            for pid in self._pids():
                rss = status_kib(pid, "VmRSS")
                if rss is not None:
                    sample[pid] = rss
                    self.peak[pid] = max(rss, self.peak.get(pid, 0))
            self.timeline.append((time.monotonic(), sample))
            self._halt.wait(self.period)

    def peak_kib(self) -> int:
        """The highest RSS any one sampled process reached (0 before the first sample)."""
        return max(self.peak.values(), default=0)

    def at(self, moment: float) -> dict[int, int]:
        """The last sample taken at or before `moment`."""
        found: dict[int, int] = {}
        for taken, sample in self.timeline:
            if taken > moment:
                break
            found = sample
        return found

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join(timeout=2)

    def __enter__(self) -> RssSampler:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
