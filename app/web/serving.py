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
import os
import signal
import socket
import threading
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from app.services.feed import EventFeed

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
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        state = _state_of(self.config.loaded_app)
        if state is not None:
            await state.graphql.close_sockets()
            await state.feed.stop()
            await asyncio.sleep(0.2)
        await super().shutdown(sockets)


def _worker(config: uvicorn.Config, sockets: list[socket.socket]) -> None:
    config.configure_logging()
    PaknServer(config).run(sockets=sockets)


def _supervise(config: uvicorn.Config, workers: int) -> None:
    """N worker processes on one listening socket; SIGINT/SIGTERM stop them gracefully.

    uvicorn's own supervisor would run its plain Server in each worker, without the
    subscription goodbye above, so pakn starts its workers itself.
    """
    sock = config.bind_socket()
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_worker, args=(config, [sock])) for _ in range(workers)]
    for process in processes:
        process.start()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set() and all(p.is_alive() for p in processes):
        stop.wait(0.5)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=30)
    sock.close()


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
    - `ws_max_size`: twice the body limit. The application refuses a WebSocket message
      over the body limit itself, with the protocol's close code (`app.web.sockets`);
      uvicorn drops a frame far beyond it (1009) before buffering it whole (its default
      is 16 MiB).
    """
    if max_body_bytes:
        options.setdefault("ws_max_size", 2 * max_body_bytes)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        factory=isinstance(app, str),
        proxy_headers=False,
        ws_per_message_deflate=False,
        **options,
    )


def serve(host: str, port: int, workers: int, max_body_bytes: int = 0) -> None:
    """Serve `FACTORY` with `workers` processes. Each worker's application reads its
    settings from the environment, so PAKN_WORKERS is set to `workers` first: each enforces
    its share of the read rate (`app.web.read_limits`)."""
    os.environ["PAKN_WORKERS"] = str(workers)
    config = uvicorn_config(FACTORY, host, port, max_body_bytes=max_body_bytes)
    if workers > 1:
        _supervise(config, workers)
    else:
        PaknServer(config).run()
