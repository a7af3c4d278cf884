"""``claims reference load PATH|URL`` and ``claims reference list``: CMS reference data.

load: install a CMS release (NCCI PTP practitioner edits, MUE, HCPCS, the ICD-10-CM order
file of a fiscal year; a file, a folder of them, a ZIP as CMS ships it, or an http(s) URL)
into the folder or S3 prefix the nightly flow reads (CLAIMS_REFERENCE_DIR, default
CLAIMS_DATA_DIR/reference; CLAIMS_REFERENCE_S3_PREFIX for S3).  Each file is read with
the night's own reader first, so a file in the wrong layout is refused now, not at night.
Works offline from files a user downloaded.
list: the releases installed, and for a date of service which are missing or stale.

Exit codes: 0 done; 2 unusable input (no such file, not a CMS reference file, a download
that failed).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date

EXIT_OK, EXIT_UNUSABLE = 0, 2
KINDS = ("ncci_ptp", "mue", "hcpcs", "icd10cm", "cpt")


def period(text: str) -> date:
    """``2027Q1``, ``FY2027`` or a date."""
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text.upper()):
        return date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
    if m := re.fullmatch(r"FY(\d{4})", text.upper()):
        return date(int(m.group(1)) - 1, 10, 1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("give 2027Q1, FY2027 or a date (2027-01-01)") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reference",
        help="install CMS reference releases (NCCI, MUE, HCPCS, ICD-10-CM) for the night",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = p.add_subparsers(dest="reference_command", required=True, metavar="ACTION")
    load = commands.add_parser("load", help="install a release from a file, folder, ZIP or URL")
    load.add_argument("source", metavar="PATH|URL")
    load.add_argument("--kind", choices=KINDS, help="for a file not named as CMS names it")
    load.add_argument("--period", type=period, help="2027Q1, FY2027 or the first date it governs")
    load.set_defaults(handler=run_load)
    show = commands.add_parser("list", help="the installed releases and what a date lacks")
    show.add_argument("--date", type=date.fromisoformat, default=None, help="date of service")
    show.set_defaults(handler=run_list)


def run_load(args: argparse.Namespace) -> int:
    from flows.reference import location_of
    from flows.reference.files import UnknownReferenceFile
    from flows.reference.install import InstallError, install
    from flows.settings import Settings

    source: str = args.source
    if not source.startswith(("http://", "https://")):
        from pathlib import Path

        if not Path(source).exists():
            print(f"claims reference load: {source}: no such file or folder", file=sys.stderr)
            return EXIT_UNUSABLE
    try:
        done = install(source, location_of(Settings()), kind=args.kind, period=args.period)
    except (InstallError, UnknownReferenceFile) as exc:
        print(f"claims reference load: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for f in done.files:
        print(f"installed {f.kind} {f.name} (from {f.period_start.isoformat()})")
    if done.skipped:
        print(f"skipped {len(done.skipped)} file(s) that are not reference files")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    from flows.reference import load_reference, location_of
    from flows.reference.releases import coverage_findings
    from flows.settings import Settings

    reference = load_reference(location_of(Settings()))
    for release in reference.releases:
        end = f" to {release.period_end.isoformat()}" if release.period_end else ""
        print(f"{release.kind:9} {release.name} (from {release.period_start.isoformat()}{end})")
    day = args.date or date.today()
    for _, finding in coverage_findings(reference.releases, day):
        print(f"{finding.rule_id}: {finding.message}")
    return EXIT_OK
