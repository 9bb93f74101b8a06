"""Who was busy: the machine's CPU from /proc/stat (it may be shared with other work), and
the CPU time of the workers, the load generator, PostgreSQL and the driver over the
measured phase."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from bench.common.processes import cpu_seconds


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = _proc_stat_cpu()
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


def machine_interrupts() -> float:
    """irq + softirq jiffies (loopback networking is mostly softirq), from /proc/stat."""
    values = _proc_stat_cpu()
    return float(values[5] + values[6])


def _proc_stat_cpu() -> list[int]:
    with open("/proc/stat") as stat:
        return [int(v) for v in stat.readline().split()[1:]]


def background_cpu(seconds: float = 1.0) -> float:
    """Cores busy on this machine over `seconds` (before the run: other people's work)."""
    busy, total = machine_cpu()
    time.sleep(seconds)
    busy_after, total_after = machine_cpu()
    return (busy_after - busy) / max(total_after - total, 1) * (os.cpu_count() or 1)


def wait_until_quiet(limit: float, threshold: float = 0.3, quiet_seconds: int = 3) -> float:
    """Wait up to `limit` s for `quiet_seconds` one-second windows under `threshold` busy
    cores (the machine is shared); returns the mean busy cores of the last windows."""
    end = time.monotonic() + limit
    windows: list[float] = []
    while True:
        windows.append(background_cpu())
        last = windows[-quiet_seconds:]
        if len(last) == quiet_seconds and max(last) < threshold:
            break
        if time.monotonic() >= end:
            print(f"the machine is busy ({last[-1]:.2f} cores); running anyway", file=sys.stderr)
            break
    return sum(last) / len(last)


def cpu_snapshot(workers: list[int], generator_pid: int, backends: list[int]) -> dict[str, float]:
    """CPU seconds so far of each worker and the load generator, of this database's
    PostgreSQL backends together and of this process; the machine's busy and total jiffies."""
    snapshot = {str(pid): cpu_seconds(pid) or 0.0 for pid in [*workers, generator_pid]}
    snapshot["postgres_ours"] = sum(cpu_seconds(pid) or 0.0 for pid in backends)
    snapshot["driver"] = sum(os.times()[:2])
    busy, total = machine_cpu()
    snapshot["machine_busy"], snapshot["machine_total"] = busy, total
    snapshot["interrupts"] = machine_interrupts()
    return snapshot


def cpu_report(
    before: dict[str, float],
    after: dict[str, float],
    seconds: float,
    workers: list[int],
    generator_pid: int,
) -> dict[str, Any]:
    """Share of one core each used over the measured phase (1.0 = one core busy)."""

    def share(key: str) -> float:
        return (after[key] - before[key]) / seconds

    machine = (after["machine_busy"] - before["machine_busy"]) / max(
        after["machine_total"] - before["machine_total"], 1
    )
    cores = os.cpu_count() or 1
    jiffies = max(after["machine_total"] - before["machine_total"], 1)
    interrupts = (after["interrupts"] - before["interrupts"]) / jiffies * cores
    ours = sum(share(str(pid)) for pid in workers) + share(str(generator_pid))
    ours += share("postgres_ours") + share("driver") + interrupts
    return {
        "seconds": seconds,
        "workers": {str(pid): share(str(pid)) for pid in workers},
        "load_generator": share(str(generator_pid)),
        "postgres_this_database": share("postgres_ours"),
        "driver": share("driver"),
        "interrupts_cores": interrupts,
        "machine_busy_fraction": machine,
        "others_cores": machine * cores - ours,
    }
