"""``claims eligibility import FILE``: the front desk's corrected member IDs (issue 16).

Reads the front-desk workbook (or its CSV) by header ("Check ID", "Corrected member ID"):
each row with a corrected member ID queues a new 270 inquiry for it; the claim stays held
until that 271 clears it (then it goes out with the corrected member ID).  The new inquiry
waits for its 271 from the business date ``--date`` (default today), the night it goes out.
``claims eligibility sheet --out DIR`` writes the front-desk workbook and CSV from the ledger
(``--date``: the business date whose sheet it is, default today).

Exit codes: 0 done; 1 some rows were refused (listed on stderr), the rest queued;
2 unusable input (no such file, not a front-desk workbook).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

from flows.cli._worklist_loop import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_UNUSABLE,
    import_sheet,
    ledger_of,
    register_loop,
)

PROG = "claims eligibility import"


def register(sub: argparse._SubParsersAction) -> None:
    parsers = register_loop(
        sub,
        "eligibility",
        help="import the front desk's corrected member IDs, or write the front-desk sheet",
        doc=__doc__,
        import_help="check held claims' corrected member IDs again",
        run_import=run_import,
        sheet=("sheet", "write the front-desk workbook and CSV", run_sheet),
    )
    for parser in parsers:
        parser.add_argument("--date", type=date.fromisoformat, default=None,
                            help="business date, YYYY-MM-DD (default: today)")  # fmt: skip


def _business_date(args: argparse.Namespace) -> date:
    return args.date or datetime.now(UTC).date()


def run_import(args: argparse.Namespace) -> int:
    from flows.worklists.front_desk import import_fixes

    today = _business_date(args)
    result = import_sheet(
        PROG, args, lambda ledger, name, data: import_fixes(ledger, name, data, today)
    )
    if result is None:
        return EXIT_UNUSABLE
    print(f"{args.file.name}: {len(result.asked_again)} corrected member ID(s) to be checked in "
          f"the 270s of the night of {today} (claims held until their 271), "
          f"{len(result.already)} imported before")  # fmt: skip
    for problem in result.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if result.problems else EXIT_OK


def run_sheet(args: argparse.Namespace) -> int:
    from flows.ledger import Ledger
    from flows.worklists.front_desk import write_front_desk

    url = ledger_of("claims eligibility sheet", args)
    if url is None:
        return EXIT_UNUSABLE
    with Ledger.open(url) as ledger:
        files = write_front_desk(ledger, args.out, _business_date(args))
    print(f"{files.rows} row(s), {files.held} held\nwrote {files.workbook}\nwrote {files.table}")
    return EXIT_OK
