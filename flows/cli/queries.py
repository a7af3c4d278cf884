"""``claims queries import FILE`` and ``claims queries build``: the coding-review loop.

import: record the providers' answers from the coding-review workbook (or a CSV with
"Query ID", "Answer", "Note" columns).  A chosen code updates the held encounter (kept in
the ledger; the input file is never edited) and releases the claim into the next night;
"clinically undetermined" releases it as it was; "other" sends it back to the coder;
a claim whose every line is answered "do not bill" is closed as not billed.
build: write today's coding-review workbook and HTML page from the ledger to OUT.

Exit codes: 0 done; 1 some rows were refused (listed on stderr), the rest recorded;
2 unusable input (no such file, not a coding-review workbook).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from flows.cli._args import ledger_or_default, ledger_url, output_folder

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
LEDGER_HELP = "ledger URL (default: CLAIMS_LEDGER_URL, else the SQLite ledger in CLAIMS_DATA_DIR)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "queries",
        help="import providers' answers to coding queries, or build the coding-review worklist",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = p.add_subparsers(dest="queries_command", required=True, metavar="ACTION")
    i = commands.add_parser("import", help="record answers from the coding-review workbook")
    i.add_argument("file", type=Path, metavar="FILE")
    i.add_argument("--ledger", type=ledger_url, default=None, help=LEDGER_HELP)
    i.set_defaults(handler=run_import)
    b = commands.add_parser("build", help="write the coding-review workbook and HTML page")
    b.add_argument("--out", required=True, type=output_folder, help="output folder")
    b.add_argument("--ledger", type=ledger_url, default=None, help=LEDGER_HELP)
    b.set_defaults(handler=run_build)


def run_import(args: argparse.Namespace) -> int:
    from flows.ledger import Ledger
    from flows.worklists.imports import UnreadableWorklist
    from flows.worklists.query_answers import import_answers

    path: Path = args.file
    if not path.is_file():
        print(f"claims queries import: {path}: no such file", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        url = ledger_or_default(args.ledger)
    except ValueError as exc:
        print(f"claims queries import: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    with Ledger.open(url) as ledger:
        try:
            result = import_answers(ledger, path.name, path.read_bytes())
        except UnreadableWorklist as exc:
            print(f"claims queries import: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    outcome, release = result.outcome, result.release
    print(
        f"{path.name}: {len(outcome.recorded)} answer(s) recorded, {len(outcome.unchanged)} "
        f"unchanged; {len(release.released)} claim(s) released for the next night, "
        f"{len(release.not_billed)} closed as not billed, {release.waiting} still waiting"
    )
    problems = list(result.problems)
    problems += [f"query {q}: its claim was already released" for q in outcome.closed]
    problems += [f"claim {c}: the answers do not make a valid encounter ({why}); it stays held"
                 for c, why in release.unusable.items()]  # fmt: skip
    for problem in problems:
        print(f"claims queries import: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    from flows.ledger import Ledger
    from flows.settings import Settings
    from flows.worklists.coding_review import write_coding_review

    try:
        url = ledger_or_default(args.ledger)
    except ValueError as exc:
        print(f"claims queries build: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    today = datetime.now(UTC).date()
    with Ledger.open(url) as ledger:
        summary = write_coding_review(ledger, today, today, args.out, Settings().query_aged_days)
    for label, count in summary.counts.items():
        print(f"{label}: {count}")
    print(f"wrote {summary.workbook}\nwrote {summary.report}")
    return EXIT_OK
