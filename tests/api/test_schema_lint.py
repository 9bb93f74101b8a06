"""The committed SDL is described: graphql-schema-linter passes it with the committed config.

`.graphql-schema-linterrc` names the rules that run (every description rule, naming, Relay)
and, under its "//" key, the rules left off and why. The linter comes from node_modules
(pinned by package-lock.json; `make node` installs it). The second test feeds the same
linter and config an undocumented field, so the first cannot pass vacuously. Without node
or the linter the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from schema.build import SDL_PATH

ROOT = Path(__file__).resolve().parents[2]
LINTER = ROOT / "node_modules" / ".bin" / "graphql-schema-linter"
CONFIG = ROOT / ".graphql-schema-linterrc"
DESCRIPTION_RULES = (
    "types-have-descriptions",
    "fields-have-descriptions",
    "arguments-have-descriptions",
    "input-object-values-have-descriptions",
    "enum-values-have-descriptions",
    "descriptions-are-capitalized",
)


def _require_linter() -> None:
    missing = []
    if shutil.which("node") is None:
        missing.append("node is not on PATH")
    if not LINTER.exists():
        missing.append(f"{LINTER.relative_to(ROOT)} is missing (run `make node`)")
    if not missing:
        return
    message = "graphql-schema-linter cannot run: " + "; ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: the schema lint must run)")
    pytest.skip(message)


def _lint(schema: Path) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Run the linter with the committed config on `schema`; its result and its errors."""
    _require_linter()
    result = subprocess.run(
        [str(LINTER), "--config-directory", str(ROOT), "--format", "json", str(schema)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    try:
        errors: list[dict[str, Any]] = json.loads(result.stdout)["errors"]
    except (ValueError, KeyError):
        pytest.fail(f"the linter gave no JSON report:\n{result.stdout}\n{result.stderr}")
    return result, errors


def test_config_enables_the_description_rules() -> None:
    config = json.loads(CONFIG.read_text())
    assert set(DESCRIPTION_RULES) <= set(config["rules"])
    assert config["//"]["rules left off"], "the rules left off must say why"


def test_committed_schema_passes_the_linter() -> None:
    result, errors = _lint(SDL_PATH)
    report = "\n".join(f"{e['location']['line']}: {e['message']} ({e['rule']})" for e in errors)
    assert errors == [], f"schema/schema.graphql fails the linter:\n{report}"
    assert result.returncode == 0, result.stderr
    # A misspelt rule in the config is only a warning (and the rule silently does not run).
    assert result.stderr == "", result.stderr


def test_linter_catches_a_missing_description(tmp_path: Path) -> None:
    schema = tmp_path / "undocumented.graphql"
    schema.write_text(
        '"""The root."""\n'
        "type Query {\n"
        '  """Has a description."""\n'
        "  documented: String\n"
        "  undocumented: String\n"
        "}\n"
    )
    result, errors = _lint(schema)
    assert result.returncode == 1, (result.stdout, result.stderr)
    # The tiny schema also lacks Relay's PageInfo; only the description rules matter here.
    missing = [e for e in errors if e["rule"] in DESCRIPTION_RULES]
    assert [(e["rule"], e["location"]["line"]) for e in missing] == [
        ("fields-have-descriptions", 5)
    ], errors
    assert "Query.undocumented" in missing[0]["message"]
