"""Processes as /proc shows them (memory, CPU time, children, command line), and stopping
them: Linux only, as the benchmarks are."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
from pathlib import Path

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def status_kib(pid: int, field: str) -> int | None:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # the command name, in parentheses, may hold spaces: count fields after it
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (of any of its threads), ascending."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.extend(int(text) for text in children.read_text().split())
    return sorted(found)


def descendant_pids(pid: int) -> list[int]:
    """Children, grandchildren and so on: a server's workers and whatever they started."""
    found: list[int] = []
    for child in child_pids(pid):
        found.append(child)
        found.extend(descendant_pids(child))
    return found


def cmdline(pid: int) -> str:
    """A process's arguments joined by spaces, or "" if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def stop_process(
    process: subprocess.Popen[bytes] | subprocess.Popen[str], *, group: bool, grace: float = 30
) -> int | None:
    """SIGTERM, and SIGKILL if it has not ended after `grace` seconds; returns the exit code.

    `group` signals the whole process group of a process started with
    `start_new_session=True`, so that workers a supervisor leaves behind end too (also
    when the supervisor itself has already exited)."""

    def send(signal_number: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(process.pid, signal_number)
            else:
                process.send_signal(signal_number)

    if group or process.poll() is None:
        send(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            send(signal.SIGKILL)
            process.wait(timeout=10)
    return process.returncode


def raise_open_files_limit(wanted: int) -> None:
    """Raise this process's soft limit on open files (up to the hard limit): one socket a
    connection, and children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
