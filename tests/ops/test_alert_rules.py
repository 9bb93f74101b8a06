"""The example alert rules (`deploy/prometheus/pakn-alerts.yml`, README "Operations"):
Prometheus accepts them (`promtool check rules`, when Debian's `prometheus` is installed),
and every pakn series they name is one a pakn server exports, so an alert cannot sit
silent on a misspelt name.

What they fire on is shown with `promtool test rules` over series made up here: a quiet
night (no unsigned entries, an old checkpoint) pages nobody, entries waiting past 10
minutes do, and so do entries of a log that never signed; a job whose heartbeat is one
second short of `db.heartbeats`' staleness (STALE_INTERVALS intervals and STALE_GRACE)
does not alert and one a second past it does; slow exports and file downloads do not
make the requests slow, a slow GraphQL operation does."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from db.heartbeats import STALE_GRACE, STALE_INTERVALS
from tests.support.server import RunningServer
from tests.support.waiting import wait_until
from tests.support.workflow import Workflow, workflow_settings

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "pakn-alerts.yml"
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool is missing (Debian's `prometheus` package); the rules are unchecked")
    return found


def test_promtool_accepts_the_rules() -> None:
    checked = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def _rules() -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load(RULES.read_text())
    return {rule["alert"]: rule for group in loaded["groups"] for rule in group["rules"]}


def firing(alert: str, **labels: str) -> dict[str, Any]:
    """What promtool should see of `alert` firing on a series with `labels`."""
    rule = _rules()[alert]
    annotations = {
        name: re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels[m.group(1)], text)
        for name, text in rule["annotations"].items()
    }
    return {"exp_labels": {**rule["labels"], **labels}, "exp_annotations": annotations}


def check(
    folder: Path, alert: str, at: str, series: dict[str, str], fired: list[dict[str, Any]]
) -> None:
    """`promtool test rules`: `series` (one sample a minute) make `alert` fire as `fired`
    at `at` (none: silent)."""
    case = {
        "interval": "1m",
        "input_series": [{"series": name, "values": values} for name, values in series.items()],
        "alert_rule_test": [{"eval_time": at, "alertname": alert, "exp_alerts": fired}],
    }
    test = {"rule_files": [str(RULES)], "evaluation_interval": "1m", "tests": [case]}
    written = folder / f"{alert}-{len(list(folder.iterdir()))}.json"
    written.write_text(json.dumps(test))  # JSON is YAML
    tested = subprocess.run(
        [promtool(), "test", "rules", str(written)], capture_output=True, text=True, check=False
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_a_quiet_night_is_no_stale_checkpoint(tmp_path: Path) -> None:
    series = {
        'pakn_log_unsigned_entries{instance="a"}': "0x120",
        'pakn_checkpoint_age_seconds{instance="a"}': "3600+60x120",
    }
    check(tmp_path, "PaknCheckpointStale", "2h", series, [])


def test_entries_waiting_for_a_checkpoint_page(tmp_path: Path) -> None:
    waiting = {
        'pakn_log_unsigned_entries{instance="a"}': "3x30",
        'pakn_checkpoint_age_seconds{instance="a"}': "700+60x30",
    }
    check(tmp_path, "PaknCheckpointStale", "20m", waiting, [firing("PaknCheckpointStale")])
    never_signed = {'pakn_log_unsigned_entries{instance="a"}': "2x30"}
    check(tmp_path, "PaknCheckpointStale", "20m", never_signed, [firing("PaknCheckpointStale")])
    fresh = {
        'pakn_log_unsigned_entries{instance="a"}': "1x30",
        'pakn_checkpoint_age_seconds{instance="a"}': "0+10x30",
    }
    check(tmp_path, "PaknCheckpointStale", "20m", fresh, [])


def test_a_job_alerts_past_the_heartbeats_staleness(tmp_path: Path) -> None:
    interval = 60
    stale_after = STALE_INTERVALS * interval + STALE_GRACE.total_seconds()
    series = {}
    for job, age in (("alive", stale_after - 1), ("stuck", stale_after + 1)):
        for instance in ("a", "b"):  # every host reads the same table
            labels = f'job_name="{job}", instance="{instance}"'
            series[f"pakn_job_heartbeat_age_seconds{{{labels}}}"] = f"{age:g}x30"
            series[f"pakn_job_interval_seconds{{{labels}}}"] = f"{interval}x30"
    check(tmp_path, "PaknJobNotRunning", "9m", series, [])
    check(
        tmp_path,
        "PaknJobNotRunning",
        "11m",
        series,
        [firing("PaknJobNotRunning", job_name="stuck")],
    )


def _histogram(operation: str, fast: int, slow: int) -> dict[str, str]:
    """Requests of `operation` a minute: `fast` under 0.1 s, `slow` between 0.1 and 10 s."""
    labels = f'transport="http", operation="{operation}"'
    name = "pakn_request_duration_seconds_bucket"
    return {
        f'{name}{{{labels}, le="0.1"}}': f"0+{fast}x30",
        f'{name}{{{labels}, le="10"}}': f"0+{fast + slow}x30",
        f'{name}{{{labels}, le="+Inf"}}': f"0+{fast + slow}x30",
    }


def test_exports_and_files_are_not_slow_requests(tmp_path: Path) -> None:
    fast = _histogram("Petitions", 100, 0)
    streamed = _histogram("/export/petitions.csv", 0, 20) | _histogram("/files/{sha256}", 0, 20)
    check(tmp_path, "PaknSlowRequests", "25m", fast | streamed, [])
    slow = _histogram("Stats", 0, 20)
    check(tmp_path, "PaknSlowRequests", "25m", fast | slow, [firing("PaknSlowRequests")])


def _exported(text: str) -> set[str]:
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


def test_every_series_the_rules_name_is_exported(empty_database: str) -> None:
    named = set(re.findall(r"\b(pakn_[a-z_]+)", RULES.read_text()))
    assert named, "no pakn series in the rules"
    settings = workflow_settings(empty_database, checkpoint_seconds=1)
    with RunningServer(settings, background=True) as server:
        Workflow(server).submit()  # a leaf, so a checkpoint to be of an age
        server.gql("query Warm { petitions(first: 1) { totalCount } }")
        exported: set[str] = set()

        def scraped_everything() -> bool:
            scraped = server.client.get("/metrics")
            assert scraped.status_code == 200, scraped.text
            exported.update(_exported(scraped.text))
            return "pakn_checkpoint_age_seconds" in exported

        wait_until(scraped_everything, "a checkpoint's age on /metrics")
    missing = {
        name
        for name in named
        if name not in exported and not any(name.removesuffix(s) in exported for s in SUFFIXES)
    }
    assert not missing, f"the rules name series no server exports: {sorted(missing)}"
