"""The rooms' import rules (docs/architecture.md), read statically from the source.

Every ``import`` statement counts, wherever it stands (inside a function or under
``TYPE_CHECKING`` too) for what ``edi/`` may never import; only imports that run when a
module is loaded count for the demo extra's packages, which the CLI imports inside its
handlers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from flows.cli._extras import DEMO_MODULES

ROOT = Path(__file__).resolve().parents[1]

EDI_NEVER = {"flows", "sandbox", "mappings", "prefect", "boto3", "paramiko", "sqlalchemy"}
MAPPINGS_NEVER = {"flows", "sandbox"}
LEDGER_INSIDES = ("sqlalchemy.", "flows.ledger.models", "flows.ledger.store", "flows.ledger.engine")
SANDBOX_USERS = {"flows/cli/demo.py", "flows/cli/sandbox.py"}
"""The CLI commands that run the sandbox, importing it inside their handlers only."""


def sources(*rooms: str) -> list[str]:
    return sorted(
        str(path.relative_to(ROOT)) for room in rooms for path in (ROOT / room).rglob("*.py")
    )


def params(files: list[str]) -> list:
    return [pytest.param(f, id=f) for f in files]


def imported(path: str, *, at_load_only: bool = False) -> Iterator[tuple[int, str]]:
    """(line, module name) of each absolute import in the file ``path``."""
    return imports_in((ROOT / path).read_text(encoding="utf-8"), path, at_load_only=at_load_only)


def imports_in(source: str, path: str, *, at_load_only: bool = False) -> Iterator[tuple[int, str]]:
    """(line, module name) of each absolute import in ``source``, the text of ``path``.

    Relative imports are left out: they cannot leave their top-level package, so they
    cannot break a rule.  ``at_load_only`` skips what does not run when the module loads:
    function bodies and the body of ``if TYPE_CHECKING:``.
    """

    def walk(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
        for node in nodes:
            if at_load_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (
                at_load_only
                and isinstance(node, ast.If)
                and "TYPE_CHECKING" in ast.unparse(node.test)
            ):
                yield from walk(node.orelse)
                continue
            yield node
            yield from walk(ast.iter_child_nodes(node))

    for node in walk([ast.parse(source, path)]):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.lineno, node.module or ""


def breaking(path: str, never: set[str], *, at_load_only: bool = False) -> list[str]:
    return [
        f"{path}:{line} imports {name}"
        for line, name in imported(path, at_load_only=at_load_only)
        if name.split(".")[0] in never
    ]


@pytest.mark.parametrize("path", params(sources("edi")))
def test_edi_stays_pure(path: str) -> None:
    assert breaking(path, EDI_NEVER) == []


@pytest.mark.parametrize("path", params(sources("mappings")))
def test_mappings_hold_data_and_loaders_only(path: str) -> None:
    assert breaking(path, MAPPINGS_NEVER) == []


@pytest.mark.parametrize("path", params(sources("edi", "mappings", "flows")))
def test_only_the_demo_commands_import_the_sandbox(path: str) -> None:
    if path in SANDBOX_USERS:
        assert breaking(path, {"sandbox"}, at_load_only=True) == []
    else:
        assert breaking(path, {"sandbox"}) == []


@pytest.mark.parametrize("path", params(sources("flows/worklists")))
def test_the_worklist_step_reaches_the_ledger_only_through_its_api(path: str) -> None:
    """The ledger owns its tables: no SQL, models or engine of the ledger in the step."""
    bad = [
        (line, name)
        for line, name in imported(path)
        if name == "sqlalchemy" or name.startswith(LEDGER_INSIDES)
    ]
    assert bad == [], "add a Ledger method instead"


@pytest.mark.parametrize("path", params(sources("edi", "mappings", "flows")))
def test_demo_extra_is_imported_only_when_a_demo_command_runs(path: str) -> None:
    assert breaking(path, set(DEMO_MODULES), at_load_only=True) == []


def test_the_checker_finds_every_kind_of_import() -> None:
    """In functions and under TYPE_CHECKING each is found; at load only, those are not."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from flows.ledger import Ledger\n"
        "if TYPE_CHECKING:\n"
        "    import prefect\n"
        "else:\n"
        "    import boto3.session\n"
        "class Adapter:\n"
        "    from sandbox import server\n"
        "    def handler(self):\n"
        "        import paramiko\n"
    )
    every = {name for _, name in imports_in(source, "edi/x12/fake.py")}
    assert every == {"typing", "flows.ledger", "prefect", "boto3.session", "sandbox", "paramiko"}
    at_load = {name for _, name in imports_in(source, "edi/x12/fake.py", at_load_only=True)}
    assert at_load == {"typing", "flows.ledger", "boto3.session", "sandbox"}
