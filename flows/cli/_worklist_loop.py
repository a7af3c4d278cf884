"""The two actions of a worklist loop, shared by ``claims queries`` and ``claims
eligibility``: ``import FILE`` (what people wrote on a sheet goes back into the ledger) and
writing the sheet from the ledger (``--out DIR``).  Both take ``--ledger``; an unusable
file or ledger URL is one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from flows.cli._args import ledger_or_default, ledger_url, output_folder

if TYPE_CHECKING:
    from flows.ledger import Ledger

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
LEDGER_HELP = "ledger URL (default: CLAIMS_LEDGER_URL, else the SQLite ledger in CLAIMS_DATA_DIR)"
T = TypeVar("T")


def register_loop(
    sub: argparse._SubParsersAction,
    name: str,
    *,
    help: str,
    doc: str | None,
    import_help: str,
    run_import: Callable[[argparse.Namespace], int],
    sheet: tuple[str, str, Callable[[argparse.Namespace], int]],
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """``claims NAME import FILE`` and ``claims NAME SHEET --out DIR``; ``sheet`` is the
    second action's (name, help, handler).  Returns the two actions' parsers, for a loop
    whose actions take options of their own."""
    p = sub.add_parser(
        name, help=help, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = p.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")
    i = commands.add_parser("import", help=import_help)
    i.add_argument("file", type=Path, metavar="FILE")
    i.add_argument("--ledger", type=ledger_url, default=None, help=LEDGER_HELP)
    i.set_defaults(handler=run_import)
    action, action_help, handler = sheet
    s = commands.add_parser(action, help=action_help)
    s.add_argument("--out", required=True, type=output_folder, help="output folder")
    s.add_argument("--ledger", type=ledger_url, default=None, help=LEDGER_HELP)
    s.set_defaults(handler=handler)
    return i, s


def ledger_of(prog: str, args: argparse.Namespace) -> str | None:
    """The ledger URL to open (``--ledger`` or the default), or None once the reason it
    cannot be is on stderr."""
    try:
        return ledger_or_default(args.ledger)
    except ValueError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None


def import_sheet(
    prog: str, args: argparse.Namespace, importer: Callable[[Ledger, str, bytes], T]
) -> T | None:
    """Run ``importer(ledger, file name, content)`` on ``args.file``; None once the reason
    the file or the ledger is unusable is on stderr."""
    from flows.ledger import Ledger
    from flows.worklists.imports import UnreadableWorklist

    path: Path = args.file
    if not path.is_file():
        print(f"{prog}: {path}: no such file", file=sys.stderr)
        return None
    url = ledger_of(prog, args)
    if url is None:
        return None
    with Ledger.open(url) as ledger:
        try:
            return importer(ledger, path.name, path.read_bytes())
        except UnreadableWorklist as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return None
