"""``claims build``: encounter files in, 837P and 837I interchanges (one form per file,
by each encounter's ``claim_type``), exceptions and a manifest out.

The checks are the nightly flow's (:func:`flows.scrub.night_checks`): the installed CMS
reference releases (``claims reference load``; CLAIMS_REFERENCE_DIR or
CLAIMS_REFERENCE_S3_PREFIX, default CLAIMS_DATA_DIR/reference), each payer profile's
dispositions, and duplicates against the services the ledger has billed.  A claim a rule
holds for coding review is not built: it is listed in ``held.jsonl`` with the findings that
held it.  A date of service with no current release of a kind is said on stderr and kept
as a warning on each claim it concerns: the checks that need that release did not run.

Exit codes: 0 every encounter became a claim; 1 some encounters (or the unreadable rest of
a file) went to the exceptions output or were held, the rest were built; 2 the input was
unusable (no such path, no encounter file, nothing readable) and nothing was built.

A held claim's coding queries (the question, the clinical facts and the choices the
nightly's coding-review worklist shows, :func:`flows.holds.hold_record`) are in
``provider_queries.jsonl``: a provider is asked before a claim leaves, never about one that
left.  Claims that go out with warnings (advisory hints, a payer without a profile, free
text changed for X12) are listed in ``warnings.jsonl`` and their rule IDs in the manifest.
Limits on each file (line length, size, gzip ratio) come from ``CLAIMS_MAX_*`` in the
environment (see :class:`flows.settings.Settings`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from flows.cli._args import ledger_or_default, ledger_url, output_folder

if TYPE_CHECKING:  # the builder and the ledger are imported by the handler: --help stays quick
    from edi.claims.intake import Accepted, Outcome, Refused
    from edi.rules.file_validation import FileReport
    from flows.ledger import Ledger
    from flows.scrub import Held, NightChecks, Triaged
    from flows.sources import ReadLimits
    from mappings.profiles import ClearinghouseProfile

EXIT_OK, EXIT_EXCEPTIONS, EXIT_UNUSABLE = 0, 1, 2
SHOWN = 20
"""Held claim IDs named on stderr; all of them are in ``held.jsonl`` and the manifest."""
REFERENCE_GAP = "SNIP5.REFERENCE."
COUNTS = ("files", "built", "refused", "held", "warned", "unreadable_files", "interchanges",
          "provider_queries")  # fmt: skip


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
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from flows.night_review import checks_for
    from flows.settings import Settings
    from flows.sources import local_files
    from mappings.profiles import clearinghouse_profile

    try:
        files = local_files(args.paths)
        profile = clearinghouse_profile(args.profile)
        settings = Settings()
        checks = checks_for(settings, date.today())
    except (OSError, ValueError) as exc:
        print(f"claims build: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if not files:
        print(
            "claims build: no encounter files (.jsonl .ndjson .csv .parquet, .gz)", file=sys.stderr
        )
        return EXIT_UNUSABLE
    ledger = _open_ledger(ledger_or_default(args.ledger))
    out: Path = args.out
    counts = _build_files(args, files, profile, checks, ledger, settings.read_limits)
    print(
        f"built {counts['built']} claims in {counts['interchanges']} interchange(s); "
        f"{counts['refused']} encounter(s) in {out / 'exceptions.jsonl'}; "
        f"{counts['held']} held for coding review in {out / 'held.jsonl'}"
    )
    if counts["built"] == 0 and counts["refused"] == 0 and counts["held"] == 0:
        return EXIT_UNUSABLE
    if counts["refused"] or counts["held"] or counts["unreadable_files"]:
        return EXIT_EXCEPTIONS
    return EXIT_OK


def _build_files(
    args: argparse.Namespace,
    files: list[Path],
    profile: ClearinghouseProfile,
    checks: NightChecks,
    ledger: Ledger,
    limits: ReadLimits,
) -> dict[str, int]:
    """Build ``files`` into ``args.out``: interchanges, exceptions, holds with their
    coding queries, warnings and the manifest.  Returns the counts the summary and exit code come
    from."""
    from edi.claims.build_837i import build_interchanges_by_form
    from edi.claims.intake import accepted_encounters
    from edi.rules.file_validation import validate_837
    from edi.rules.record import FILE_UNREADABLE
    from flows.scrub import triage
    from flows.sources import local_records

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(COUNTS, 0) | {"files": len(files)}
    sources: dict[str, str] = {}
    warned: dict[str, list[str]] = {}  # CLM01 -> rule IDs of the warnings it went out with
    manifest_claims: list[dict] = []
    held_ids: list[str] = []
    gaps: Counter[str] = Counter()  # claims per missing or stale reference release

    with (
        (out / "exceptions.jsonl").open("w", encoding="utf-8") as exceptions,
        (out / "held.jsonl").open("w", encoding="utf-8") as holds,
        (out / "warnings.jsonl").open("w", encoding="utf-8") as warnings,
        (out / "provider_queries.jsonl").open("w", encoding="utf-8") as queries,
    ):

        def note_gaps(findings: list) -> None:
            gaps.update(f.rule_id for f in findings if f.rule_id.startswith(REFERENCE_GAP))

        def refused(item: Refused) -> None:
            exceptions.write(json.dumps(item.as_dict()) + "\n")
            if item.findings[0].rule_id == FILE_UNREADABLE.id:
                counts["unreadable_files"] += 1
                print(f"claims build: {item.source}: {item.findings[0].message}", file=sys.stderr)
                return
            counts["refused"] += 1
            note_gaps(item.findings)

        def accepted(item: Accepted) -> None:
            sources[item.encounter.claim_id] = item.source.rsplit(":", 1)[0]
            if item.findings:
                counts["warned"] += 1
                warned[item.encounter.claim_id] = sorted({f.rule_id for f in item.findings})
                warnings.write(json.dumps(item.as_dict()) + "\n")
            note_gaps(item.findings)

        def held(item: Held) -> None:
            counts["held"] += 1
            held_ids.append(item.encounter.claim_id)
            holds.write(json.dumps(item.as_dict()) + "\n")
            note_gaps(item.findings)
            counts["provider_queries"] += _write_queries(item, checks, queries)

        records = itertools.chain.from_iterable(local_records(f, limits) for f in files)
        outcomes = _not_held(triage(records, checks, ledger.billed_services), held)
        encounters = accepted_encounters(outcomes, refused, accepted)
        created = datetime.now(UTC).replace(tzinfo=None)
        for ic in build_interchanges_by_form(encounters, profile, ledger, created):
            name = f"{ic.isa13:09d}.x12"
            if args.strict and (report := validate_837(ic.data, name, checks.context)).rejected:
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
                    "warnings": warned.pop(c.clm01, []),
                }
                for c in ic.claims
            )

    manifest = {
        "profile": profile.name,
        "usage": profile.usage,
        "counts": counts,
        "claims": manifest_claims,
        "held": held_ids,
        "reference": {"releases": [r.name for r in checks.releases], "gaps": dict(gaps)},
    }
    _finish(out, manifest, held_ids, gaps)
    return counts


def _write_queries(item: Held, checks: NightChecks, out: TextIO) -> int:
    """Write the held claim's coding queries as the night asks them (:func:`flows.holds.
    hold_record`, the content of its coding-review worklist: IDs, codes, facts, choices);
    how many."""
    from flows.holds import hold_record

    record = hold_record(item, item.source.rsplit(":", 1)[0], checks.context.today, checks)
    for q in record.queries:
        out.write(json.dumps({"query_id": q.query_id, "clm01": q.clm01, **q.payload}) + "\n")
    return len(record.queries)


def _not_held(outcomes: Iterable[Triaged], on_held: Callable[[Held], None]) -> Iterator[Outcome]:
    """The outcomes to build or refuse; a claim held for coding review goes to ``on_held``
    and is not built."""
    from flows.scrub import Held

    for item in outcomes:
        if isinstance(item, Held):
            on_held(item)
        else:
            yield item


def _finish(out: Path, manifest: dict, held: list[str], gaps: Counter[str]) -> None:
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _say_held_and_gaps(held, gaps)


def _say_held_and_gaps(held: list[str], gaps: Counter[str]) -> None:
    """The claims held (IDs) and the reference gaps, on stderr: never a silent skip."""
    if held:
        shown = ", ".join(held[:SHOWN]) + (
            f" and {len(held) - SHOWN} more" if len(held) > SHOWN else ""
        )
        print(f"claims build: held for coding review, not built: {shown}", file=sys.stderr)
    for rule_id, count in sorted(gaps.items()):
        print(
            f"claims build: {rule_id} on {count} claim(s): no current CMS release of that kind "
            "for the date of service, so the checks that need it did not run; install it with "
            "`claims reference load PATH|URL`",
            file=sys.stderr,
        )


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
