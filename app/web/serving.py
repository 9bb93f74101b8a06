"""Running pakn under uvicorn: one or several workers, and a shutdown that says goodbye.

On shutdown pakn closes every WebSocket with 1012 (service restart) before it stops its
event feed. Stock clients (graphql-ws, Apollo, urql, gql) retry a 1012 and resubscribe;
had the feed ended the subscriptions first, each would have received `complete`, which
clients take as the end of the stream for good.

`uvicorn_config` is the one place a uvicorn server for pakn is configured, for `pakn serve`
and for the tests' server alike: uvicorn's own proxy trust is off there, because the
application decides whose `X-Forwarded-For` it believes (PAKN_TRUSTED_PROXIES,
`app.web.proxies`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import os
import signal
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE

from app.services.background import FLUSH_SECONDS
from app.services.background import STOP_GRACE_SECONDS as BACKGROUND_STOP_SECONDS
from app.services.feed import EventFeed
from app.web.log_format import configured_logging
from app.web.metrics import multiprocess_metrics, worker_exited

FACTORY = "app.main:create_app"


def _state_of(app: Any) -> Any:
    """The Starlette `state` inside uvicorn's (possibly wrapped) application, if any."""
    for _ in range(8):
        state = getattr(app, "state", None)
        if isinstance(getattr(state, "feed", None), EventFeed):
            return state
        app = getattr(app, "app", None)
        if app is None:
            return None
    return None


class PaknServer(uvicorn.Server):
    """uvicorn's server with pakn's drain (SIGTERM, SIGINT): stop accepting; say
    `draining` on `/ready`; close every WebSocket with 1012 so that clients resume
    elsewhere with their cursor; stop the event feed; then uvicorn's own shutdown: finish
    the requests under way (up to `DRAIN_SECONDS`) and end the lifespan, which flushes the
    outbox if this worker leads it (`app.services.jobs.Background.stop`).

    Accepting stops first: a client told to reconnect must not land on this host again.
    The listening socket is shared by every worker and the supervisor, which closes its
    own copy first (`_supervise`); once the last copy is closed, new connections are
    refused, and a proxy passes them to another host (nginx `proxy_next_upstream error`)."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        state = _state_of(self.config.loaded_app)
        if state is not None:
            state.readiness.draining = True
            await state.graphql.close_sockets()
            await state.feed.stop()
            await asyncio.sleep(0.2)
        await super().shutdown(sockets)


def _worker(config: uvicorn.Config, sockets: list[socket.socket]) -> None:
    config.configure_logging()
    server = PaknServer(config)
    server.run(sockets=sockets)
    if not server.started:
        sys.exit(STARTUP_FAILURE)


RESTART_WINDOW_SECONDS = 60.0
GIVE_UP_AFTER = 5
"""Exits within `RESTART_WINDOW_SECONDS` after which the supervisor stops restarting."""
GIVE_UP_EXIT_CODE = STARTUP_FAILURE


def restart_delay(recent_exits: int) -> float:
    """Seconds to wait before replacing a worker, given how many exited within the window
    (this one included): none for the first, then 0.5, 1, 2, ... up to 8."""
    return 0.0 if recent_exits <= 1 else min(0.5 * 2 ** (recent_exits - 2), 8.0)


def _say(message: str) -> None:
    print(f"pakn: {message}", file=sys.stderr, flush=True)


@dataclass
class _Slot:
    """One worker's place: its process, or the time its replacement is due."""

    process: multiprocessing.process.BaseProcess | None = None
    due: float = 0.0


def _supervise(config: uvicorn.Config, workers: int) -> int:
    """N worker processes on one listening socket, each replaced when it exits; SIGINT and
    SIGTERM stop them gracefully. Returns the exit code.

    The socket is the supervisor's, so while a worker is replaced its connections wait in
    the backlog (or go to another worker). A worker that keeps exiting is replaced after
    a growing delay (`restart_delay`); `GIVE_UP_AFTER` exits within the window stop the
    server with `GIVE_UP_EXIT_CODE` rather than spin (a database that refuses every
    start, a broken setting).

    uvicorn's own supervisor would run its plain Server in each worker, without the
    subscription goodbye above, so pakn starts its workers itself.
    """
    sock = config.bind_socket()
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    def start() -> multiprocessing.process.BaseProcess:
        process = spawn.Process(target=_worker, args=(config, [sock]))
        process.start()
        return process

    slots = [_Slot(start()) for _ in range(workers)]
    exits: deque[float] = deque()
    code = 0
    while not stop.is_set():
        now = time.monotonic()
        for slot in slots:
            if slot.process is None:
                if now >= slot.due:
                    slot.process = start()
                    _say(f"started worker {slot.process.pid}")
                continue
            if slot.process.is_alive():
                continue
            exits.append(now)
            while exits and now - exits[0] > RESTART_WINDOW_SECONDS:
                exits.popleft()
            _say(f"worker {slot.process.pid} exited (code {slot.process.exitcode})")
            worker_exited(slot.process.pid)
            slot.process = None
            slot.due = now + restart_delay(len(exits))
        if len(exits) >= GIVE_UP_AFTER:
            _say(
                f"{len(exits)} workers exited within {RESTART_WINDOW_SECONDS:.0f} s; "
                "giving up (see the workers' errors above)"
            )
            code = GIVE_UP_EXIT_CODE
            break
        sentinels = [slot.process.sentinel for slot in slots if slot.process is not None]
        waiting = [slot.due - now for slot in slots if slot.process is None]
        timeout = max(0.0, min([0.5, *waiting]))
        if sentinels:
            multiprocessing.connection.wait(sentinels, timeout)
        else:
            stop.wait(timeout)
    sock.close()
    stop_workers([slot.process for slot in slots if slot.process is not None])
    return code


DRAIN_SECONDS = 20.0
"""How long a draining worker waits for the requests under way (uvicorn's
`timeout_graceful_shutdown`) before it cancels them."""
SHUTDOWN_PAUSES_SECONDS = 0.3
"""The drain's own pauses: after closing the sockets (0.2 s) and uvicorn's (0.1 s)."""
STOP_GRACE_SECONDS = (
    SHUTDOWN_PAUSES_SECONDS + DRAIN_SECONDS + FLUSH_SECONDS + BACKGROUND_STOP_SECONDS + 5.0
)
"""How long a worker is given to drain after SIGTERM before it is killed: its pauses,
the requests' `DRAIN_SECONDS`, then the lifespan's end (the outbox's last run, the
background jobs' stop), and a margin: 40.3 s."""


def stop_workers(
    processes: list[multiprocessing.process.BaseProcess], grace: float = STOP_GRACE_SECONDS
) -> None:
    """SIGTERM each worker, wait up to `grace` seconds for them all, then SIGKILL any still
    running: a worker left draining would outlive the supervisor, holding the socket."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            _say(f"worker {process.pid} did not stop within {grace:.0f} s; killing it")
            process.kill()
            process.join(timeout=5)


def uvicorn_config(
    app: ASGIApp | str, host: str, port: int, *, max_body_bytes: int = 0, **options: Any
) -> uvicorn.Config:
    """uvicorn's configuration for pakn's `app` (or the factory's import path, `FACTORY`).

    - `proxy_headers=False`: uvicorn would otherwise believe `X-Forwarded-For` from
      loopback (its `forwarded_allow_ips` default), so a client on the same host could
      claim any address and start every per-address limit afresh. The application applies
      the same middleware itself, to the addresses of PAKN_TRUSTED_PROXIES only.
    - `ws_per_message_deflate=False`: event messages are small and go to many subscribers;
      per-message deflate would cost a compressor per connection (about 300 KiB each) and
      CPU per message per subscriber.
    - `timeout_graceful_shutdown`: `DRAIN_SECONDS`, so a request that never ends cannot
      hold a draining worker until the supervisor kills it.
    - `access_log=False`: uvicorn's prints the raw address and the path with its query
      string; pakn's own (`app.web.observation`) logs neither.
    - `ws_max_size`: twice the body limit. The application refuses a WebSocket message
      over the body limit itself, with the protocol's close code (`app.web.sockets`);
      uvicorn drops a frame far beyond it (1009) before buffering it whole (its default
      is 16 MiB).
    """
    if max_body_bytes:
        options.setdefault("ws_max_size", 2 * max_body_bytes)
    options.setdefault("timeout_graceful_shutdown", DRAIN_SECONDS)
    options.setdefault("access_log", False)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        factory=isinstance(app, str),
        proxy_headers=False,
        ws_per_message_deflate=False,
        **options,
    )


def serve(host: str, port: int, workers: int, max_body_bytes: int = 0) -> int:
    """Serve `FACTORY` with `workers` processes under a supervisor that replaces any that
    exits (`_supervise`), a single worker too: a crashed worker on SQLite is restarted
    while its clients wait in the supervisor's backlog. Each worker's application reads
    its settings from the environment, so PAKN_WORKERS is set to `workers` first: each
    enforces its share of the read rate (`app.web.read_limits`). The workers log as
    PAKN_LOG_FORMAT and PAKN_LOG_LEVEL say (`app.web.log_format`) and count their metrics
    in one directory for them all (`app.web.metrics`). Returns the exit code."""
    os.environ["PAKN_WORKERS"] = str(workers)
    config = uvicorn_config(
        FACTORY, host, port, max_body_bytes=max_body_bytes, log_config=configured_logging()
    )
    with multiprocess_metrics():
        return _supervise(config, workers)
