"""``claims build``: encounter files in, 837P and 837I interchanges (one form per file,
by each encounter's ``claim_type``), exceptions and a manifest out.

Exit codes: 0 every encounter became a claim; 1 some encounters (or the unreadable rest of
a file) went to the exceptions output, the rest were built; 2 the input was unusable (no
such path, no encounter file, nothing readable) and nothing was built.

Claims that go out with warnings (a payer without a profile, free text changed for X12)
are listed in ``warnings.jsonl``.  Limits on each file (line length, size, gzip ratio)
come from ``CLAIMS_MAX_*`` in the environment (see :class:`flows.settings.Settings`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flows.cli._args import ledger_or_default, ledger_url, output_folder
from flows.cli.validate import add_code_set_options, code_sets_from

if TYPE_CHECKING:  # the builder and the ledger are imported by the handler: --help stays quick
    from edi.claims.intake import Accepted, Refused
    from edi.rules.file_validation import FileReport
    from edi.rules.registry import CheckContext
    from flows.ledger import Ledger
    from flows.sources import ReadLimits
    from mappings.profiles import ClearinghouseProfile

EXIT_OK, EXIT_EXCEPTIONS, EXIT_UNUSABLE = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="build 837P/837I files from local encounter files",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="encounter files or folders")
    p.add_argument("--out", required=True, type=output_folder, help="output folder")
    p.add_argument("--profile", default="sandbox", help="clearinghouse profile name or YAML path")
    p.add_argument(
        "--ledger",
        type=ledger_url,
        default=None,
        help="ledger URL holding the control-number sequences "
        "(default: CLAIMS_LEDGER_URL, else SQLite in ./claims-data)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="also validate every built file with pyx12 (slow: about 500 claims/s)",
    )
    add_code_set_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from flows.scrub import check_context
    from flows.settings import Settings
    from flows.sources import local_files
    from mappings.profiles import clearinghouse_profile

    try:
        files = local_files(args.paths)
        profile = clearinghouse_profile(args.profile)
        context = check_context(code_sets=code_sets_from(args))
    except (FileNotFoundError, ValueError) as exc:
        print(f"claims build: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if not files:
        print(
            "claims build: no encounter files (.jsonl .ndjson .csv .parquet, .gz)", file=sys.stderr
        )
        return EXIT_UNUSABLE
    ledger = _open_ledger(ledger_or_default(args.ledger))
    out: Path = args.out
    counts = _build_files(args, files, profile, context, ledger, Settings().read_limits)
    print(
        f"built {counts['built']} claims in {counts['interchanges']} interchange(s); "
        f"{counts['refused']} encounter(s) in {out / 'exceptions.jsonl'}"
    )
    if counts["built"] == 0 and counts["refused"] == 0:
        return EXIT_UNUSABLE
    return EXIT_EXCEPTIONS if counts["refused"] or counts["unreadable_files"] else EXIT_OK


def _build_files(
    args: argparse.Namespace,
    files: list[Path],
    profile: ClearinghouseProfile,
    context: CheckContext,
    ledger: Ledger,
    limits: ReadLimits,
) -> dict[str, int]:
    """Build ``files`` into ``args.out``: interchanges, exceptions, warnings, provider
    queries and the manifest.  Returns the counts the summary and exit code come from."""
    from edi.claims.build_837i import build_interchanges_by_form
    from edi.claims.intake import accepted_encounters, admit
    from edi.rules import provider_queries
    from edi.rules.file_validation import validate_837
    from edi.rules.record import FILE_UNREADABLE
    from flows.sources import local_records

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    counts = {
        "files": len(files),
        "built": 0,
        "refused": 0,
        "warned": 0,
        "unreadable_files": 0,
        "interchanges": 0,
        "provider_queries": 0,
    }
    sources: dict[str, str] = {}
    manifest_claims: list[dict] = []

    with (
        (out / "exceptions.jsonl").open("w", encoding="utf-8") as exceptions,
        (out / "warnings.jsonl").open("w", encoding="utf-8") as warnings,
        (out / "provider_queries.jsonl").open("w", encoding="utf-8") as queries,
    ):

        def ask_provider(findings: list) -> None:
            for query in provider_queries(findings):
                counts["provider_queries"] += 1
                queries.write(json.dumps(query.as_dict()) + "\n")

        def refused(item: Refused) -> None:
            exceptions.write(json.dumps(item.as_dict()) + "\n")
            if item.findings[0].rule_id == FILE_UNREADABLE.id:
                counts["unreadable_files"] += 1
                print(f"claims build: {item.source}: {item.findings[0].message}", file=sys.stderr)
                return
            counts["refused"] += 1
            ask_provider(item.findings)

        def accepted(item: Accepted) -> None:
            sources[item.encounter.claim_id] = item.source.rsplit(":", 1)[0]
            if item.findings:
                counts["warned"] += 1
                warnings.write(json.dumps(item.as_dict()) + "\n")
            ask_provider(item.findings)

        records = itertools.chain.from_iterable(local_records(f, limits) for f in files)
        outcomes = admit(records, context)
        encounters = accepted_encounters(outcomes, refused, accepted)
        created = datetime.now(UTC).replace(tzinfo=None)
        for ic in build_interchanges_by_form(encounters, profile, ledger, created):
            name = f"{ic.isa13:09d}.x12"
            if args.strict and (report := validate_837(ic.data, name, context)).rejected:
                # Never expected: the builder is right by construction.  If it happens,
                # the claims go to the exceptions output, not to a file anyone sends.
                exceptions.writelines(json.dumps(r) + "\n" for r in _strict_refusals(report))
                counts["refused"] += len(ic.claims)
                continue
            (out / name).write_bytes(ic.data)
            counts["interchanges"] += 1
            counts["built"] += len(ic.claims)
            manifest_claims.extend(
                {
                    "clm01": c.clm01,
                    "file": sources.pop(c.clm01, None),
                    "interchange": name,
                    "isa13": f"{ic.isa13:09d}",
                    "gs06": str(ic.gs06),
                    "st02": c.st02,
                }
                for c in ic.claims
            )

    manifest = {
        "profile": profile.name,
        "usage": profile.usage,
        "counts": counts,
        "claims": manifest_claims,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return counts


def _strict_refusals(report: FileReport) -> list[dict]:
    """One exceptions line per claim of a built file that pyx12 rejected."""
    return [
        {
            "encounter_id": verdict.clm01,
            "source": verdict.source,
            "reasons": [f.as_dict() for f in verdict.findings]
            or [f.as_dict() for f in report.all_findings() if f.rejects],
        }
        for verdict in report.claims
    ]


def _open_ledger(url: str) -> Ledger:
    """The ledger, saying on stderr where it is when this run creates it (a new SQLite
    file).  A database that cannot be reached is the CLI's one-line error (exit 3)."""
    from sqlalchemy.engine import make_url

    from flows.ledger import Ledger

    database = make_url(url).database if url.startswith("sqlite") else None
    new = bool(database) and database != ":memory:" and not Path(str(database)).exists()
    ledger = Ledger.open(url)
    if new:
        print(
            f"claims build: created the ledger (control numbers) at "
            f"{Path(str(database)).resolve()}; use --ledger or CLAIMS_LEDGER_URL for another",
            file=sys.stderr,
        )
    return ledger
