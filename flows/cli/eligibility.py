"""``claims eligibility import FILE``: the front desk's corrected member IDs (issue 16).

Reads the front-desk workbook (or its CSV) by header ("Check ID", "Corrected member ID"):
each row with a corrected member ID queues a new 270 inquiry for it; the claim stays held
until that 271 clears it (then it goes out with the corrected member ID).
``claims eligibility sheet --out DIR`` writes the front-desk workbook and CSV from the ledger.

Exit codes: 0 done; 1 some rows were refused (listed on stderr), the rest queued;
2 unusable input (no such file, not a front-desk workbook).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from flows.cli._args import ledger_or_default, ledger_url, output_folder
from flows.cli.queries import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE, LEDGER_HELP


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eligibility",
        help="import the front desk's corrected member IDs, or write the front-desk sheet",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = p.add_subparsers(dest="eligibility_command", required=True, metavar="ACTION")
    i = commands.add_parser("import", help="check held claims' corrected member IDs again")
    i.add_argument("file", type=Path, metavar="FILE")
    i.add_argument("--ledger", type=ledger_url, default=None, help=LEDGER_HELP)
    i.set_defaults(handler=run_import)
    s = commands.add_parser("sheet", help="write the front-desk workbook and CSV")
    s.add_argument("--out", required=True, type=output_folder, help="output folder")
    s.add_argument("--ledger", type=ledger_url, default=None, help=LEDGER_HELP)
    s.set_defaults(handler=run_sheet)


def run_import(args: argparse.Namespace) -> int:
    from flows.ledger import Ledger
    from flows.worklists.front_desk import import_fixes
    from flows.worklists.imports import UnreadableWorklist

    path: Path = args.file
    if not path.is_file():
        print(f"claims eligibility import: {path}: no such file", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        url = ledger_or_default(args.ledger)
    except ValueError as exc:
        print(f"claims eligibility import: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    with Ledger.open(url) as ledger:
        try:
            result = import_fixes(ledger, path.name, path.read_bytes(), datetime.now(UTC).date())
        except UnreadableWorklist as exc:
            print(f"claims eligibility import: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    print(f"{path.name}: {len(result.asked_again)} corrected member ID(s) to be checked in "
          f"tonight's 270s (claims held until their 271), {len(result.already)} imported "
          "before")  # fmt: skip
    for problem in result.problems:
        print(f"claims eligibility import: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if result.problems else EXIT_OK


def run_sheet(args: argparse.Namespace) -> int:
    from flows.ledger import Ledger
    from flows.worklists.front_desk import write_front_desk

    try:
        url = ledger_or_default(args.ledger)
    except ValueError as exc:
        print(f"claims eligibility sheet: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    with Ledger.open(url) as ledger:
        files = write_front_desk(ledger, args.out, datetime.now(UTC).date())
    print(f"{files.rows} row(s), {files.held} held\nwrote {files.workbook}\nwrote {files.table}")
    return EXIT_OK
