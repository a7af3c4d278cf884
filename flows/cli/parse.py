"""``claims parse FILE... --out DIR``: response files (TA1, 999, 277CA, 277, 835, 271) to tables.

Writes one file per table of each kind read, named by the table (``claims.csv``,
``payments.parquet``, ``lines.jsonl``: JSON Lines), even when it has no rows, plus
``findings`` always, so an empty file says "none" rather than "not checked".  The
``source`` column holds each file's full path.  The same 835 given twice (even under two
names) is counted once.  A 271 eligibility answer gives ``eligibility`` (one row per
member answered), ``eligibility_benefits`` and ``eligibility_other_payers``.

Exit codes: 0 every file was read whole; 1 some file was unusable or had damaged
segments skipped (the rest is written, the reasons are on stderr and in findings); 2
nothing was usable (no such file, not X12, no TA1/999/277CA/835 in it: a 270, 834 or
997) or a usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and the readers are imported by the handler: --help stays quick
    import pandas as pd

    from edi.responses import ResponseTables
    from mappings.code_texts import CodeTexts

from flows.cli._args import output_folder

log = logging.getLogger(__name__)
FORMATS = ("csv", "parquet", "jsonl")
EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE = 0, 1, 2
SKIPPED_SEGMENT = ("SEGMENT_ID",)
"""Finding codes of data the reader had to skip: the file was read, but not all of it."""
NOT_READ = ("NOT_A_RESPONSE", "WRONG_KIND")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="read TA1/999/277CA/835/271 files into tables",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--out", required=True, type=output_folder, metavar="DIR")
    parser.add_argument("--format", choices=FORMATS, default="csv")
    parser.add_argument(
        "--codes",
        action="append",
        default=[],
        metavar="KIND=CSV",
        help="official code list replacing a bundled one, e.g. carc=carc.csv (repeatable)",
    )
    parser.add_argument(
        "--posting",
        action="store_true",
        help="also write the posting export of each 835 remittance (docs/posting-export.md)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from edi.responses import ResponseTables, fingerprints
    from edi.x12.reader import X12ParseError

    try:
        texts = _texts(args.codes)
    except (ValueError, OSError) as err:
        print(f"claims parse: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    parts: list[ResponseTables] = []
    seen: set[str] = set()
    unusable = refused = 0
    eligibility: list = []  # issue 16: 271 answers, tables of their own
    for path in args.files:
        try:
            if _read_271(path, eligibility):
                continue
            tables = _read(path, texts, seen)
        except (X12ParseError, OSError, ValueError) as err:
            unusable += 1
            print(f"claims parse: {err}", file=sys.stderr)
            continue
        seen |= fingerprints(tables)
        parts.append(tables)
        skipped = tables.findings["code"].isin(SKIPPED_SEGMENT).sum()
        if skipped:
            refused += 1
            print(f"claims parse: {path}: {skipped} damaged segment(s) skipped, the rest read; "
                  "see findings", file=sys.stderr)  # fmt: skip
        log.info("read %s: %d claims, %d statuses", path.name, len(tables.claims),
                 len(tables.claim_status))  # fmt: skip
    written = []
    if parts or not eligibility:
        tables = ResponseTables.concat(parts)
        written = write_tables(tables, args.out, args.format, parts)
    if eligibility:
        written += _write_271(eligibility, args.out, args.format)
    if args.posting and parts:
        written += _write_posting(tables, args.out)
    for path in written:
        print(path)
    if unusable and not parts and not eligibility:
        return EXIT_UNUSABLE
    return EXIT_REFUSED if unusable or refused else EXIT_OK


def _read_271(path: Path, answers: list) -> bool:
    """Issue 16: when ``path`` is a 271, its answers added to ``answers`` (True)."""
    from edi.eligibility.read_271 import read_271
    from flows.eligibility import is_271

    name = _readable(path)
    with path.open("rb") as stream:
        if not is_271(stream.read(2000)):
            return False
    answers += [(name, a) for a in read_271(path.read_bytes(), name)]
    return True


def _write_271(answers: list, out: Path, fmt: str) -> list[Path]:
    """``eligibility``, ``eligibility_benefits`` and ``eligibility_other_payers`` tables."""
    from edi.eligibility.tables import eligibility_tables

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in eligibility_tables(answers).items():
        path = out / f"{name}.{fmt}"
        _write(frame, path, fmt)
        written.append(path)
    return written


def _write_posting(tables: ResponseTables, out: Path) -> list[Path]:
    """``posting-PAYER-TRN02.csv`` and ``.parquet`` per remittance; PLBs linked within the
    files given (the ledger is not read here)."""
    from edi.responses.plb import link_plb
    from edi.responses.posting import posting_rows
    from flows.outputs.posting import posting_files

    links = link_plb(tables.provider_adjustments, tables.claims, tables.payments)
    written = []
    for name, data in posting_files(posting_rows(tables, links)).items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def _read(path: Path, texts: CodeTexts, seen: set[str]) -> ResponseTables:
    """The tables of one file, named by its full path; ``ValueError`` when it holds no
    response this command reads (a 270, 834, 997...) or is over the size cap, saying why."""
    from edi.responses import parse_any

    name = _readable(path)
    with path.open("rb") as stream:
        tables = parse_any(stream, name, texts=texts, seen=seen)
    if not _kinds_read(tables):
        skipped = tables.findings["message"][tables.findings["code"].isin(NOT_READ)]
        reason = "; ".join(dict.fromkeys(skipped)) or "it holds no transaction set"
        raise ValueError(f"{name}: no TA1, 999, 277CA or 835 read: {reason}")
    return tables


def _readable(path: Path) -> str:
    """The full name of a file this command may read; ``ValueError`` saying why not."""
    from flows.settings import Settings

    if path == Path(""):  # what an empty argument becomes: the current folder
        raise ValueError("'' (an empty argument) is not a file name")
    name = str(path.absolute())
    most = Settings().response_max_bytes
    if (size := path.stat().st_size) > most:
        raise ValueError(
            f"{name}: {size} bytes, over the {most}-byte cap on one response file; "
            "raise CLAIMS_RESPONSE_MAX_BYTES to read it"
        )
    return name


def _kinds_read(tables: ResponseTables) -> set[str]:
    from edi.responses.parse import TABLES_OF_KIND

    return {
        kind for kind, names in TABLES_OF_KIND.items()
        if any(len(getattr(tables, name)) for name in names)
    }  # fmt: skip


def _texts(specs: list[str]) -> CodeTexts:
    from mappings.code_texts import bundled_code_texts, load_code_texts

    if not specs:
        return bundled_code_texts()
    official = {}
    for spec in specs:
        kind, sep, path = spec.partition("=")
        if not sep or not kind or not path:
            raise ValueError(f"--codes wants KIND=CSV, not {spec!r}")
        official[kind.strip()] = Path(path)
    return load_code_texts(official)


def write_tables(
    tables: ResponseTables, out: Path, fmt: str, parts: list[ResponseTables] | None = None
) -> list[Path]:
    """Write ``out/NAME.EXT`` for every table of the kinds read (in ``parts``, default
    ``tables``), empty or not, and findings always: an empty file says "none"."""
    from edi.responses.parse import TABLES_OF_KIND

    out.mkdir(parents=True, exist_ok=True)
    kinds = set().union(*map(_kinds_read, parts or [tables]))
    wanted = {"findings"}.union(*(TABLES_OF_KIND[kind] for kind in kinds))
    written = []
    for name, frame in tables.items():
        if name not in wanted:
            continue
        path = out / f"{name}.{fmt}"
        _write(frame, path, fmt)
        written.append(path)
    return written


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    from flows.outputs.tables import neutralise_text

    if fmt == "csv":
        neutralise_text(frame).to_csv(path, index=False, date_format="%Y-%m-%d")
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:  # JSON Lines: one object per row, and an empty file for no rows
        text = frame.to_json(orient="records", lines=True, date_format="iso", date_unit="s",
                             default_handler=str) if len(frame) else ""  # fmt: skip
        path.write_text(text if not text or text.endswith("\n") else text + "\n", "utf-8")
