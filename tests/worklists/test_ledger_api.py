"""The worklist steps reach the ledger's tables only through the ``Ledger`` API."""

from __future__ import annotations

import ast
from pathlib import Path

import flows.worklists

ROOM = Path(flows.worklists.__file__).parent
FORBIDDEN = ("sqlalchemy", "flows.ledger.models", "flows.ledger.store", "flows.ledger.engine")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_worklist_module_runs_sql_on_the_ledgers_tables() -> None:
    modules = sorted(ROOM.glob("*.py"))
    assert len(modules) >= 5
    for path in modules:
        bad = {m for m in _imports(path) if m.startswith(FORBIDDEN)}
        assert not bad, f"{path.name} imports {sorted(bad)}: add a Ledger method instead"
