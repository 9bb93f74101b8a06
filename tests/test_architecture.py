"""The layering is a contract (`.importlinter`), checked by `lint-imports` in `make lint`:
shown here to hold on the tree, and to fail on a copy of it with an import the wrong way."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "schema", "resolvers", "db")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / ".importlinter")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def _add_import(module: Path, statement: str) -> None:
    """Append an import to `module` (grimp reads imports wherever they stand)."""
    module.write_text(module.read_text() + f"\n{statement}\n")


def test_the_tree_keeps_every_contract(tree_copy: Path) -> None:
    result = _lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "named"),
    [
        ("db/models.py", "import schema.build  # noqa", "db.models -> schema.build"),
        ("app/domain/workflow.py", "import db.models  # noqa", "app.domain.workflow -> db.models"),
        (
            "app/services/feed.py",
            "import resolvers.errors  # noqa",
            "app.services.feed -> resolvers.errors",
        ),
        ("resolvers/errors.py", "import app.settings  # noqa", "resolvers.errors -> app.settings"),
        (
            "app/demo/__init__.py",
            "import app.services.outcome  # noqa",
            "app.demo -> app.services.outcome",
        ),
    ],
)
def test_an_import_the_wrong_way_fails_the_build(
    tree_copy: Path, module: str, statement: str, named: str
) -> None:
    _add_import(tree_copy / module, statement)
    result = _lint_imports(tree_copy)
    assert result.returncode != 0
    assert named in result.stdout
