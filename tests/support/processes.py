"""The worker processes of a running `pakn serve`, read from /proc (Linux)."""

from __future__ import annotations

import time
from pathlib import Path


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def _is_worker(pid: int) -> bool:
    """A child started by multiprocessing's spawn (not its resource tracker)."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False


def workers(supervisor: int) -> set[int]:
    """The live worker processes of the supervisor `supervisor`."""
    return {child for child in _children(supervisor) if _is_worker(child)}


def wait_for_workers(supervisor: int, count: int, seconds: float = 30) -> set[int]:
    """The supervisor's workers once there are `count`; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while len(found := workers(supervisor)) != count:
        assert time.monotonic() < deadline, f"{len(found)} workers, not {count}"
        time.sleep(0.05)
    return found


def wait_for_exit(pid: int, seconds: float = 30) -> None:
    """Until the process `pid` is gone (or a zombie its parent has yet to reap)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return
        if state == "Z":
            return
        assert time.monotonic() < deadline, f"process {pid} still runs"
        time.sleep(0.05)


def _established_on(port: int) -> set[str]:
    """The inodes of the established TCP sockets whose local port is `port` (IPv4)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            inodes.add(fields[9])
    return inodes


def connections(pid: int, port: int) -> int:
    """How many established connections to local `port` the process `pid` holds."""
    wanted = _established_on(port)
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if target.startswith("socket:[") and target[8:-1] in wanted:
            held += 1
    return held
