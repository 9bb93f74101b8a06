"""Delivery latency over every (subscriber, event) pair, and the missing and duplicate
deliveries. Latency = the subscriber's receive time - the time the submission's HTTP
response arrived (CLOCK_MONOTONIC is system-wide on Linux, so the two processes' stamps
compare directly); slightly negative when the event beats the response."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from bench.common.percentiles import percentile, summary_ms


def analyse(
    responses: dict[str, float],
    received: list[list[tuple[str, float]]],
    connected: list[bool],
    worker_of_subscriber: list[int | None],
) -> dict[str, Any]:
    """Latency over all (subscriber, event) pairs; missing and duplicate deliveries."""
    latencies: list[float] = []
    by_worker: dict[str, list[float]] = defaultdict(list)
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    missing = duplicates = 0
    for index, events in enumerate(received):
        if not connected[index]:
            continue
        counts = Counter(code for code, _ in events if code in responses)
        missing += sum(1 for code in responses if counts[code] == 0)
        duplicates += sum(n - 1 for n in counts.values() if n > 1)
        seen: set[str] = set()
        for code, at in events:
            if code not in responses or code in seen:
                continue
            seen.add(code)
            latency = at - responses[code]
            latencies.append(latency)
            by_worker[str(worker_of_subscriber[index])].append(latency)
            first[code] = min(first.get(code, at), at)
            last[code] = max(last.get(code, at), at)
    per_event: dict[str, list[float]] = defaultdict(list)
    for index, events in enumerate(received):
        seen_here: set[str] = set()
        for code, at in events:
            if code in responses and code not in seen_here and connected[index]:
                seen_here.add(code)
                per_event[code].append(at - responses[code])
    events_table = []
    for number, code in enumerate(sorted(responses, key=responses.__getitem__)):
        values = sorted(per_event.get(code, []))
        events_table.append(
            {
                "n": number,
                "code": code,
                "deliveries": len(values),
                "first_ms": values[0] * 1000 if values else None,
                "p50_ms": percentile(values, 50) * 1000 if values else None,
                "last_ms": values[-1] * 1000 if values else None,
            }
        )
    return {
        "events": events_table,
        "latency_ms": summary_ms(latencies),
        "latency_ms_by_worker": {pid: summary_ms(v) for pid, v in sorted(by_worker.items())},
        "first_delivery_ms": summary_ms(first[c] - responses[c] for c in first),
        "fanout_spread_ms": summary_ms(last[c] - first[c] for c in first),
        "missing": missing,
        "duplicates": duplicates,
    }
