"""The example systemd unit agrees with pakn's drain: systemd waits longer than pakn gives
a draining worker, so pakn, not systemd's SIGKILL, ends a stop (the outbox flushed, the
leaderships released)."""

from __future__ import annotations

import re
from pathlib import Path

from app.web.serving import DRAIN_SECONDS, STOP_GRACE_SECONDS

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "pakn.service"


def test_systemd_waits_longer_than_a_worker_may_drain() -> None:
    unit = UNIT.read_text()
    timeout = re.search(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE)
    assert timeout is not None
    assert float(timeout.group(1)) > STOP_GRACE_SECONDS > DRAIN_SECONDS
    assert re.search(r"^KillSignal=SIGTERM$", unit, re.MULTILINE)
    assert re.search(r"^ExecStart=.* serve ", unit, re.MULTILINE)
