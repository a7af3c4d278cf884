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

from flows.cli._worklist_loop import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_UNUSABLE,
    import_sheet,
    ledger_of,
    register_loop,
)

PROG = "claims queries import"


def register(sub: argparse._SubParsersAction) -> None:
    register_loop(
        sub,
        "queries",
        help="import providers' answers to coding queries, or build the coding-review worklist",
        doc=__doc__,
        import_help="record answers from the coding-review workbook",
        run_import=run_import,
        sheet=("build", "write the coding-review workbook and HTML page", run_build),
    )


def run_import(args: argparse.Namespace) -> int:
    from flows.worklists.query_answers import import_answers

    result = import_sheet(PROG, args, import_answers)
    if result is None:
        return EXIT_UNUSABLE
    outcome, release = result.outcome, result.release
    print(
        f"{args.file.name}: {len(outcome.recorded)} answer(s) recorded, {len(outcome.unchanged)} "
        f"unchanged; {len(release.released)} claim(s) released for the next night, "
        f"{len(release.not_billed)} closed as not billed, {release.waiting} still waiting"
    )
    problems = list(result.problems)
    problems += [f"query {q}: its claim was already released" for q in outcome.closed]
    problems += [f"claim {c}: the answers do not make a valid encounter ({why}); it stays held"
                 for c, why in release.unusable.items()]  # fmt: skip
    for problem in problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    from flows.ledger import Ledger
    from flows.settings import Settings
    from flows.worklists.coding_review import write_coding_review

    url = ledger_of("claims queries build", args)
    if url is None:
        return EXIT_UNUSABLE
    today = datetime.now(UTC).date()
    with Ledger.open(url) as ledger:
        summary = write_coding_review(ledger, today, today, args.out, Settings().query_aged_days)
    for label, count in summary.counts.items():
        print(f"{label}: {count}")
    print(f"wrote {summary.workbook}\nwrote {summary.report}")
    return EXIT_OK
