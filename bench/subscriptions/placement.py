"""Which worker holds which subscriber: the server sides of loopback TCP connections,
matched to the workers' socket file descriptors through /proc."""

from __future__ import annotations

import contextlib
import os


def socket_inodes(pid: int) -> set[int]:
    """The inodes of a process's open sockets (empty if it is gone)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(int(target[8:-1]))
    return inodes


def established_tcp() -> list[tuple[int, int, int]]:
    """(local port, remote port, inode) of every established IPv4 TCP socket."""
    found = []
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            parts = line.split()
            if parts[3] != "01":
                continue
            local_port = int(parts[1].split(":")[1], 16)
            remote_port = int(parts[2].split(":")[1], 16)
            found.append((local_port, remote_port, int(parts[9])))
    return found


def worker_of_client_port(server_port: int, workers: list[int]) -> dict[int, int]:
    """Client port -> the worker pid holding the server side of that connection."""
    owner = {inode: pid for pid in workers for inode in socket_inodes(pid)}
    return {
        remote: owner[inode]
        for local, remote, inode in established_tcp()
        if local == server_port and inode in owner
    }


def own_client_ports(server_port: int) -> set[int]:
    """Local ports of this process's connections to the server."""
    mine = socket_inodes(os.getpid())
    return {
        local
        for local, remote, inode in established_tcp()
        if remote == server_port and inode in mine
    }
