"""``claims demo``: run a whole night on this machine and show what each user gets.

The first run is a week back (the night of seven days ago); each further run on the same
``--data`` folder is the night after, up to yesterday.  ``--ui`` runs yesterday's night
through a local Prefect server with the deployments of ``prefect.yaml`` and a process
worker, and keeps it up until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from flows.cli._extras import require_demo_extra

if TYPE_CHECKING:  # rich and the sandbox come with the demo extra, imported by the handler
    from rich.console import Console

DEFAULT_DATA = Path("claims-demo")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run a whole night on this machine (S3, clearinghouse, ledger, Prefect, worklists)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="data folder, reused by the next run (default: %(default)s)",
    )
    p.add_argument("--count", type=int, default=300, help="encounters per night")
    p.add_argument(
        "--ui",
        action="store_true",
        help="run through a local Prefect server and keep its UI up until Ctrl-C or SIGTERM",
    )
    p.add_argument(
        "--fail-once",
        action="store_true",
        help="with --ui: the first upload fails after the interchange is recorded, "
        "so you can press Retry in the UI",
    )
    p.add_argument("--port", type=int, default=4200, help="with --ui: the Prefect UI's port")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    require_demo_extra("demo")
    from rich.console import Console

    console = Console()
    if args.ui:
        from sandbox.demo_ui import run_ui

        return run_ui(args.data, args.count, args.port, args.fail_once, console)
    # Progress lines, not every run log, on the console (the Prefect UI keeps them all).
    # Set before Prefect is first imported: it configures its logging on import.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from sandbox.demo import quiet_console, run_demo

    quiet_console()
    started = time.perf_counter()
    with console.status("starting the embedded S3, clearinghouse and Prefect…") as status:

        def progress(stage: str, detail: str) -> None:
            console.print(f"[green]✓[/] [bold]{stage}[/]: {detail}")
            status.update(f"after {stage}: working…")

        result = run_demo(args.data, args.count, progress, quiet=True)
    show(console, result, time.perf_counter() - started)
    return 0 if result.sent_twice == 0 else 1


def show(console: Console, result, seconds: float) -> None:
    from rich.table import Table

    table = Table(
        title=f"Night of {result.business_date} (run {len(result.nights)} on this folder)",
        show_header=False,
    )
    table.add_row("encounters read", str(result.encounters))
    table.add_row("claims sent", str(result.claims_sent))
    table.add_row("exceptions (not sent)", str(result.exceptions))
    for rule, count in sorted(result.exceptions_by_rule.items(), key=lambda r: -r[1]):
        table.add_row(f"  {rule}", str(count))
    table.add_row("held for coding review (not sent)", str(result.held))
    # issue 16: the 270s go after the build, so a checked claim waits a night for its 271
    table.add_row("waiting for 271s (sent the next night)", str(result.waiting_eligibility))
    outcomes = dict(result.eligibility)
    front_desk = result.front_desk_held + outcomes.pop("held for the front desk", 0)
    for label, count in outcomes.items():
        table.add_row(f"  {label}", str(count))
    table.add_row("held for the front desk (registration)", str(front_desk))
    table.add_row("released by answered queries, sent", str(result.released))
    table.add_row("already submitted on an earlier night", str(result.already_submitted))
    table.add_row("claims sent twice, all nights", str(result.sent_twice))
    for state, count in sorted(result.next_payer.items()):  # COB (issue 13)
        table.add_row(f"  next payer: {state}", str(count))
    for state, count in sorted(result.states.items()):
        table.add_row(f"claims {state}", str(count))
    table.add_row("paid", f"${result.paid:,.2f}")
    table.add_row("denied, open in the worklist", f"${result.denied:,.2f}")
    for queue, count in sorted(result.queues.items()):
        table.add_row(f"worklist rows: {queue}", str(count))
    console.print(table)
    console.print(f"worklist workbook: {result.workbook}")
    console.print(f"HTML report:       {result.report}")
    console.print(f"exceptions:        {result.exceptions_file}")
    if result.coding_review:
        console.print(f"coding review:     {result.coding_review}")
        console.print(
            "  answer it, then: claims queries import FILE (released claims go next night)"
        )
    if result.front_desk:  # issue 16
        console.print(f"front desk:        {result.front_desk}")
        console.print("  fix member IDs in it, then: claims eligibility import FILE "
                      f"--date {result.next_night}")  # fmt: skip
    console.print(f"done in {seconds:.0f} s; run again for the next night.")
