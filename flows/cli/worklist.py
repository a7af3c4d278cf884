"""``claims worklist build`` and ``claims worklist import``: the billers' worklists.

build: classify response tables against the ledger, merge with yesterday's items, write
the workbook, CSV, Parquet and the HTML report to OUT/DATE/ (and S3 with --s3).
import: apply the Status/Owner/Notes billers edited in a workbook (or CSV) to the ledger.

Exit codes: 0 done; 1 import applied but some rows were refused (listed on stderr);
2 unusable input (no such file, not a worklist, unreadable tables).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the ledger, S3 and pandas are imported by the handlers: --help stays quick
    from edi.responses.tables import ResponseTables

from flows.cli._args import ledger_or_default, ledger_url, output_folder

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
LEDGER_HELP = "ledger URL (default: CLAIMS_LEDGER_URL, else the SQLite ledger in CLAIMS_DATA_DIR)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "worklist",
        help="build denial/rejection worklists, or import billers' edits",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = p.add_subparsers(dest="worklist_command", required=True, metavar="ACTION")
    b = commands.add_parser("build", help="build today's worklists from the ledger")
    b.add_argument("--ledger", type=ledger_url, default=None, help=LEDGER_HELP)
    b.add_argument(
        "--out", required=True, type=output_folder, help="output folder (files in OUT/DATE/)"
    )
    b.add_argument("--date", type=date.fromisoformat, default=None, help="business date")
    b.add_argument(
        "--tables",
        type=Path,
        default=None,
        help="folder of parsed response tables (claims.parquet, adjustments.parquet ...)",
    )
    b.add_argument(
        "--encounters",
        nargs="*",
        default=(),
        metavar="PATH",
        help="encounter files giving patient name, member ID, DOS, payer and rendering NPI",
    )
    b.add_argument("--s3", action="store_true", help="also write to S3 and read its inbox")
    b.set_defaults(handler=run_build)
    i = commands.add_parser("import", help="record billers' edits from a workbook or CSV")
    i.add_argument("file", type=Path, metavar="FILE")
    i.add_argument("--ledger", type=ledger_url, default=None, help=LEDGER_HELP)
    i.set_defaults(handler=run_import)


def run_build(args: argparse.Namespace) -> int:
    from flows.ledger import Ledger
    from flows.s3 import S3Error, S3Store
    from flows.worklists import build_worklists, encounter_context, encounters_from_files

    today = args.date or datetime.now(UTC).date()
    try:
        tables = read_tables(args.tables) if args.tables else None
        context = encounter_context(encounters_from_files(args.encounters))
        s3 = S3Store.from_env() if args.s3 else None
        url = ledger_or_default(args.ledger)
    except (OSError, ValueError, S3Error) as exc:
        print(f"claims worklist build: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    with Ledger.open(url) as ledger:
        summary = build_worklists(ledger, tables, context, today, args.out, s3)
    for row in summary.by_queue.to_dict("records"):
        print(f"{row['queue']}: {row['open_items']} open, {row['due_soon']} due within 7 days, "
              f"{row['new']} new, {row['resolved']} resolved")  # fmt: skip
    for name, where in summary.outputs.items():
        if name.endswith((".xlsx", ".html")):
            print(f"wrote {where}")
    return EXIT_OK


def read_tables(folder: Path) -> ResponseTables:
    """Response tables saved as ``NAME.parquet`` (or ``NAME.csv``) in ``folder``."""
    import pandas as pd

    from edi.responses.tables import SCHEMAS, ResponseTables

    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder of response tables")
    found = {}
    for name in SCHEMAS:
        for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
            path = folder / f"{name}{suffix}"
            if path.exists():
                found[name] = reader(path)
                break
    if not found:
        raise ValueError(f"{folder}: no response tables ({', '.join(SCHEMAS)} as .parquet)")
    return ResponseTables.build(found)


def run_import(args: argparse.Namespace) -> int:
    from flows.ledger import Ledger
    from flows.worklists import UnreadableWorklist, import_edits

    path: Path = args.file
    if not path.is_file():
        print(f"claims worklist import: {path}: no such file", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        url = ledger_or_default(args.ledger)
    except ValueError as exc:
        print(f"claims worklist import: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    with Ledger.open(url) as ledger:
        try:
            result = import_edits(ledger, path.name, path.read_bytes(), datetime.now(UTC))
        except UnreadableWorklist as exc:
            print(f"claims worklist import: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    print(f"{path.name}: {result.updated} row(s) updated, {result.unchanged} unchanged")
    for problem in result.problems:
        print(f"claims worklist import: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if result.problems else EXIT_OK
