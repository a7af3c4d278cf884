"""``claims validate``: what a clearinghouse and payer would reject in 837P files.

Any 837P, ours or another system's: the guide engine (``--engine guide``, the default,
:mod:`edi.validate`) or pyx12 itself (``--engine pyx12``, the reference it agrees with
error for error) checks syntax and the implementation guide (SNIP 1-2), and the claim
rules of ``claims build`` check every claim found (SNIP 3-7).
Findings name the file, the segment position, the claim (CLM01) and the fix.  With
``--ack DIR`` the TA1/999 each file would get is written there (FILE.999).  Several
files (more than 2 MB in all) are judged side by side by up to ``--jobs`` worker
processes (default: one per CPU), reported in the order given.

Exit codes: 0 no claim would be rejected; 1 something would be rejected (a claim, a
transaction set or the file), or some file was unusable while others were judged; 2
nothing was usable: no such file, an empty file, not X12, or no 5010 837P in it (the
reason is on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the rules and code sets are imported by the handler: --help stays quick
    from edi.codesets import CodeSets
    from edi.rules.file_validation import FileReport
    from edi.rules.registry import CheckContext, Finding

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2
PARALLEL_BYTES = 2 << 20
"""Below this much input in all (about half a second of judging) side by side saves
nothing a user would notice; a forked worker costs milliseconds to start, and its
reports come back pickled, a few hundredths of a second per 2 MB file."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="find what a payer would reject in 837P files (SNIP 1-7)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="837P files or folders of them")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--ack", type=Path, metavar="DIR", help="write the TA1/999 for each file")
    p.add_argument(
        "--engine",
        choices=("guide", "pyx12"),
        default="guide",
        help="SNIP 1-2 validator: the guide engine (fast, default) or pyx12 (the reference)",
    )
    p.add_argument("--today", type=date.fromisoformat, help="judge dates as of this day")
    p.add_argument("--payers", metavar="DIR", help="payer profiles folder (default: bundled)")
    p.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="worker processes for large batches of files (default: one per CPU)",
    )
    add_code_set_options(p)
    p.set_defaults(handler=run, quick_exit=True)  # nothing outlives run(): see console()


def add_code_set_options(parser: argparse.ArgumentParser) -> None:
    """The user-supplied code-set files (``claims build`` reads the installed releases
    instead, as the nightly flow does)."""
    g = parser.add_argument_group("code sets (CMS quarterly files in their published layout)")
    g.add_argument("--hcpcs", type=Path, help="CMS HCPCS file (HCPC20xx_..._ANWEB.txt)")
    g.add_argument("--cpt", type=Path, help="licensed CPT code list (code first on each line)")
    g.add_argument("--ptp", type=Path, help="NCCI practitioner PTP edits (ccipra-...txt)")
    g.add_argument("--mue", type=Path, help="NCCI practitioner MUE file (.csv)")
    g.add_argument(
        "--icd-order",
        action="append",
        default=[],
        metavar="YEAR=FILE",
        help="CMS icd10cm_order file of a fiscal year, e.g. 2027=icd10cm_order_2027.txt",
    )


def code_sets_from(args: argparse.Namespace) -> CodeSets:
    """The bundled code sets plus the files named on the command line, read once, by the
    same loader the nightly flow uses (:mod:`flows.reference.loader`)."""
    from flows.reference.loader import SourceFiles, from_files

    icd = []
    for spec in args.icd_order:
        year, _, path = spec.partition("=")
        icd.append((int(year), Path(path)))
    return from_files(
        SourceFiles(
            hcpcs=args.hcpcs, cpt=args.cpt, ptp=args.ptp, mue=args.mue, icd_order=tuple(icd)
        )
    )


def _files(paths: list[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def _context(args: argparse.Namespace) -> CheckContext:
    from edi.rules.registry import CheckContext
    from mappings.profiles import payer_profiles

    return CheckContext(
        today=args.today or date.today(),
        payers=payer_profiles(args.payers),
        code_sets=code_sets_from(args),
    )


_WORKER: tuple[CheckContext, argparse.Namespace] | None = None
"""A worker process's context and options, made once by :func:`_start_worker`."""


def _start_worker(context: CheckContext, args: argparse.Namespace) -> None:
    global _WORKER
    _WORKER = (context, args)


def _judge(path: Path, context: CheckContext, args: argparse.Namespace) -> FileReport | str:
    """One file's report, or why it could not be read."""
    from edi.rules.file_validation import validate_837
    from edi.validate import validate
    from edi.x12.pyx12_validator import validate_x12

    try:
        data = path.read_bytes()
    except OSError as exc:
        return exc.strerror or str(exc)
    validator = validate_x12 if args.engine == "pyx12" else validate
    return validate_837(data, str(path), context, validator)


def _judge_in_worker(path: Path) -> FileReport | str:
    assert _WORKER is not None
    return _judge(path, *_WORKER)


def _reports(
    paths: list[Path], context: CheckContext, args: argparse.Namespace
) -> Iterable[FileReport | str]:
    """Each file's report, in order: side by side in worker processes when the batch is
    large enough to repay starting them.  Workers are forked where the platform can: this
    process has no threads, and a fork inherits the guides, rules and code sets already
    loaded instead of loading them again."""
    jobs = min(args.jobs or os.cpu_count() or 1, len(paths))
    size = sum(p.stat().st_size for p in paths if p.is_file())
    if jobs < 2 or size < PARALLEL_BYTES:
        return (_judge(path, context, args) for path in paths)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    fork = "fork" in multiprocessing.get_all_start_methods()
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork" if fork else "spawn"),
        initializer=_start_worker,
        initargs=(context, args),
    )
    return _closing(pool, pool.map(_judge_in_worker, paths))


def _closing(pool, results: Iterator) -> Iterator:
    with pool:
        yield from results


def run(args: argparse.Namespace) -> int:
    from edi.x12.acks import acknowledgments
    from edi.x12.control import MemoryControlNumbers

    try:
        context = _context(args)
    except (OSError, ValueError) as exc:
        print(f"claims validate: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.ack:
        args.ack.mkdir(parents=True, exist_ok=True)
    controls = MemoryControlNumbers()
    rejected = False
    judged = unusable = 0
    if "" in args.files:  # Path("") is the current folder, which nobody meant
        unusable += 1
        print("claims validate: '' (an empty argument) is not a file name", file=sys.stderr)
    paths = list(_files([name for name in args.files if name]))
    for path, report in zip(paths, _reports(paths, context, args), strict=True):
        if isinstance(report, str):
            unusable += 1
            print(f"claims validate: {path}: {report}", file=sys.stderr)
            continue
        why = unusable_because(report)
        if why:
            unusable += 1
            print(f"claims validate: {path}: unusable: {why}", file=sys.stderr)
        else:
            judged += 1
        rejected |= report.rejected
        if args.format == "json":
            print(json.dumps(report_dict(report)))
        else:
            print(report_text(report))
        if args.ack:
            texts = acknowledgments(
                report.interchanges, controls, datetime.now().replace(microsecond=0)
            )
            if texts:
                (args.ack / f"{path.name}.999").write_text("".join(texts), encoding="ascii")
    if not judged:
        if not unusable:
            print(f"claims validate: no file in {args.files}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_REJECTED if rejected or unusable else EXIT_OK


def unusable_because(report: FileReport) -> str | None:
    """Why nothing in the file could be judged as a 5010 837P, or None when something could."""
    from edi.rules.file_validation import NOT_837P, NOT_X12, VERSION, guide_of

    unusable_rules = {NOT_X12.id, NOT_837P.id, VERSION.id}
    if any(guide_of(t.code, t.version) for t in report.transactions):
        return None
    reasons = [f.message for f in report.all_findings() if f.rule_id in unusable_rules]
    return "; ".join(dict.fromkeys(reasons)) or "the file holds no 837P transaction set"


# -- output ---------------------------------------------------------------------------------


def _add(out: list[str], findings: Iterable[Finding], indent: str) -> None:
    """Append each finding's three lines: where it points (its loop and element, or
    segment, then its segment number), what is wrong, and the fix.  A report holds tens
    of thousands, so this is one loop with no call or generator per finding."""
    for f in findings:
        what = f.element or f.segment
        place = f"{f.loop} {what}" if f.loop and what else f.loop or what or ""
        _, mark, segment = f.source.rpartition("#") if f.source else ("", "", "")
        if mark and segment:
            place = f"{place}, segment {segment}" if place else f"segment {segment}"
        head = f"{indent}[{f.severity}] {f.rule_id}"
        out.append(f"{head} ({place})" if place else head)
        out.append(f"{indent}    {f.message}")
        out.append(f"{indent}    fix: {f.fix} — {f.owner}")


def report_text(report: FileReport) -> str:
    """The report a biller reads: the file's verdict, then each claim's, with fixes."""
    out = [""]  # the file's verdict, once its claims are counted
    _add(out, report.findings, "  ")
    claims = bad = 0
    for tx in report.transactions:
        state = "rejected by the 999" if tx.rejected else "accepted by the 999"
        out.append(f"  transaction set {tx.st02} ({tx.code} {tx.version}): {state}")
        _add(out, tx.findings, "    ")
        claims += len(tx.claims)
        for claim in tx.claims:
            if claim.rejected:
                bad += 1
                state = "REJECTED"
                if claim.transaction_rejected and not any(f.rejects for f in claim.findings):
                    state += " (with its transaction set)"
            else:
                state = "accepted"
            out.append(f"    claim {claim.clm01} (segment {claim.clm_position}): {state}")
            _add(out, claim.findings, "      ")
    verdict = "REJECTED" if report.rejected else "ACCEPTED"
    out[0] = f"{report.name}: {verdict} — {claims} claim(s), {bad} would be rejected"
    return "\n".join(out)


def report_dict(report: FileReport) -> dict:
    """The same report as data, for scripts and worklists."""
    return {
        "file": report.name,
        "rejected": report.rejected,
        "findings": [f.as_dict() for f in report.findings],
        "transactions": [
            {
                "st02": tx.st02,
                "code": tx.code,
                "version": tx.version,
                "rejected": tx.rejected,
                "findings": [f.as_dict() for f in tx.findings],
                "claims": [
                    {
                        "clm01": c.clm01,
                        "segment": c.clm_position,
                        "rejected": c.rejected,
                        "findings": [f.as_dict() for f in c.findings],
                    }
                    for c in tx.claims
                ],
            }
            for tx in report.transactions
        ],
    }
