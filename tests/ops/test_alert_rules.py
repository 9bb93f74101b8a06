"""The example alert rules (`deploy/prometheus/pakn-alerts.yml`, README "Operations"):
Prometheus accepts them (`promtool check rules`, when Debian's `prometheus` is installed),
and every pakn series they name is one a pakn server exports, so an alert cannot sit
silent on a misspelt name."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.server import RunningServer
from tests.support.waiting import wait_until
from tests.support.workflow import Workflow, workflow_settings

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "pakn-alerts.yml"
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def test_promtool_accepts_the_rules() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is missing (Debian's `prometheus` package); the rules are unchecked")
    checked = subprocess.run(
        [promtool, "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


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
