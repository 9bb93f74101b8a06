"""The subscribers run's printed report, and each worker's memory figures."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.subscriptions.config import Config


def worker_report(
    pid: int,
    idle: dict[int, int],
    connected: dict[int, int],
    peak: dict[int, int],
    hwm: dict[int, int],
    split: Counter[int | None],
    config: Config,
    writer: bool,
) -> dict[str, Any]:
    """One worker's memory: idle, with its subscribers connected, at the peak, and the
    increment per subscriber (the even share when placement could not be read)."""
    subscribers = split.get(pid) if split and None not in split else None
    divisor = subscribers or config.subscribers / config.workers
    top = max(peak.get(pid, 0), connected.get(pid, 0))
    return {
        "pid": pid,
        "subscribers": subscribers,
        "handled_mutations": writer,
        "rss_idle_kib": idle[pid],
        "rss_connected_kib": connected[pid],
        "rss_peak_kib": top,
        "vm_hwm_kib": hwm[pid],
        "kib_per_subscriber": (top - idle[pid]) / divisor if divisor else None,
    }


def print_report(result: dict[str, Any]) -> None:
    """The run as tables: delivery latency, then each worker's memory and CPU."""
    config = result["config"]
    delivery = result["delivery"]
    print()
    print(
        f"pakn subscriptions: {result['connect']['connected']}/{config['subscribers']} "
        f"subscribers, {config['events']} events, {config['workers']} workers, "
        f"interval {config['interval']} s ({result['machine']['cpus']} CPUs, {result['date']}, "
        f"commit {result['source']['commit']}"
        f"{' + uncommitted changes' if result['source']['uncommitted'] else ''})"
    )
    print(
        f"connected in {result['connect']['seconds']:.1f} s; "
        f"{delivery['submissions_per_second']:.1f} submissions/s; "
        f"submit round trip p50 {delivery['submit_round_trip_ms']['p50']:.1f} ms"
    )
    print()
    print(f"{'latency (ms)':<28}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}{'min':>9}")
    rows = [("response -> delivery", delivery["latency_ms"])]
    rows += [(f"  on worker {pid}", s) for pid, s in delivery["latency_ms_by_worker"].items()]
    rows += [
        ("first delivery per event", delivery["first_delivery_ms"]),
        ("fan-out spread per event", delivery["fanout_spread_ms"]),
    ]
    for name, s in rows:
        print(
            f"{name:<28}{s['p50']:>9.1f}{s['p90']:>9.1f}{s['p99']:>9.1f}"
            f"{s['max']:>9.1f}{s['min']:>9.1f}"
        )
    verdict = "ok" if delivery["latency_ms"]["p99"] < 250 else "MISSED"
    print(
        f"deliveries: {delivery['latency_ms']['n']}, missing {delivery['missing']}, "
        f"duplicates {delivery['duplicates']}; p99 < 250 ms: {verdict}"
    )
    print()
    print(
        f"{'worker':<10}{'subs':>6}{'idle MiB':>10}{'conn MiB':>10}{'half MiB':>10}"
        f"{'end MiB':>9}{'peak MiB':>10}{'KiB/sub':>9}{'CPU':>7}"
    )
    for worker in result["workers"]:
        cpu = result["cpu"]["workers"][str(worker["pid"])]
        subs = "?" if worker["subscribers"] is None else str(worker["subscribers"])
        mark = "*" if worker["handled_mutations"] else ""
        print(
            f"{str(worker['pid']) + mark:<10}{subs:>6}{worker['rss_idle_kib'] / 1024:>10.1f}"
            f"{worker['rss_connected_kib'] / 1024:>10.1f}"
            f"{(worker['rss_after_half_kib'] or 0) / 1024:>10.1f}"
            f"{(worker['rss_after_events_kib'] or 0) / 1024:>9.1f}"
            f"{worker['rss_peak_kib'] / 1024:>10.1f}"
            f"{worker['kib_per_subscriber']:>9.1f}{cpu:>7.0%}"
        )
    cpu = result["cpu"]
    print(
        f"(* served the mutations) worker CPU per delivery {cpu['worker_ms_per_delivery']:.2f} ms;"
        f" load generator CPU {cpu['load_generator']:.0%}, "
        f"postgres {cpu['postgres_this_database']:.0%}, "
        f"driver {cpu['driver']:.0%}, irq {cpu['interrupts_cores']:.0%}, "
        f"machine {cpu['machine_busy_fraction']:.0%} busy "
        f"(others {cpu['others_cores']:.2f} cores; "
        f"{result['machine']['busy_cores_before_run']:.2f} before the run); "
        f"load generator RSS {(result['load_generator']['rss_peak_kib'] or 0) / 1024:.0f} MiB"
    )
    log = result["server_log_summary"]
    print(
        f"server log: {log['lines']} lines, {log['errors']} errors, {log['warnings']} warnings"
        f" ({result['server_log']})"
    )
    for line in log["notable"]:
        print(f"  {line[:160]}")
    if result["load_generator"]["failure_count"]:
        print(f"load generator failures: {result['load_generator']['failures'][:5]}")
    print(f"results: {result['results_file']} (run took {result['total_seconds']:.0f} s)")
