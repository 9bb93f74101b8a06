"""The tests of `app.domain` import nothing that reaches a database: only `app.domain`,
the standard library and the test tools (the database fixtures are refused in conftest)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOLS = {"pytest", "hypothesis", "cryptography"}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _allowed(name: str) -> bool:
    top = name.split(".")[0]
    return (
        name == "app.domain"
        or name.startswith("app.domain.")
        or top in TOOLS
        or top in sys.stdlib_module_names
    )


def test_domain_tests_import_only_the_domain_and_the_standard_library() -> None:
    found = {
        path.name: sorted(name for name in _imported(path) if not _allowed(name))
        for path in sorted(HERE.glob("*.py"))
    }
    assert {name: bad for name, bad in found.items() if bad} == {}
