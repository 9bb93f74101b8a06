"""A bounded read and write load over HTTP, for the fault tests (#14, point 6)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.workflow import SUBMIT, submission

READ = "{ petitions(first: 3) { totalCount edges { node { trackingCode status } } } }"


@dataclass
class Load:
    """Writers and a reader over HTTP in threads, until `stop`. Each submission carries an
    idempotencyKey and is retried with it after a 503 or a dropped connection until it
    succeeds, as a client should: `acknowledged` maps each key to the tracking code its
    success returned."""

    url: str
    writers: int = 2
    statuses: Counter[int] = field(default_factory=Counter)
    unavailable: list[httpx.Response] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)
    retried: set[str] = field(default_factory=set)
    dropped: int = 0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _note(self, response: httpx.Response) -> None:
        with self._lock:
            self.statuses[response.status_code] += 1
            if response.status_code == 503:
                self.unavailable.append(response)
            elif response.status_code != 200:
                self.failures.append(f"{response.status_code}: {response.text[:300]}")

    def _write(self, writer: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            number = 0
            while not self._stop.is_set():
                key = f"load-{writer}-{number}"
                variables = {"input": submission(idempotencyKey=key)}
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    try:
                        response = client.post(
                            "/graphql", json={"query": SUBMIT, "variables": variables}
                        )
                    except httpx.TransportError:  # the worker died under the request
                        with self._lock:
                            self.dropped += 1
                            self.retried.add(key)
                        time.sleep(0.1)
                        continue
                    self._note(response)
                    if response.status_code == 200:
                        payload = response.json()
                        if "errors" in payload or payload["data"]["submitPetition"]["userErrors"]:
                            self.failures.append(f"refused: {response.text[:300]}")
                            return
                        code = payload["data"]["submitPetition"]["trackingCode"]
                        with self._lock:
                            self.acknowledged[key] = code
                        break
                    with self._lock:
                        self.retried.add(key)
                    time.sleep(0.1)
                number += 1

    def _read(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self._stop.is_set():
                try:
                    self._note(client.post("/graphql", json={"query": READ}))
                except httpx.TransportError:
                    with self._lock:
                        self.dropped += 1
                time.sleep(0.02)

    def start(self) -> None:
        targets = [(self._write, (n,)) for n in range(self.writers)] + [(self._read, ())]
        for target, args in targets:
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)

    def wait_for(self, what: str, condition: Any, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"{what} within {seconds} s: {self.statuses}"
            time.sleep(0.05)
