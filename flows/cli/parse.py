"""``claims parse FILE... --out DIR``: response files (TA1, 999, 277CA, 835) to tables.

Writes one file per table that has rows, named by the table (``claims.csv``,
``payments.parquet``...), plus ``findings`` always, so an empty findings file says
"nothing to report" rather than "not checked".  The same 835 given twice (even under two
names) is counted once.  Exit code 0 when every file was read, 2 when some file is not
X12 (the others are still written), 1 on usage errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from edi.responses import ResponseTables, fingerprints, parse_any
from edi.x12.reader import X12ParseError
from flows.cli._args import output_folder
from flows.outputs.tables import neutralise_text
from mappings.code_texts import CodeTexts, bundled_code_texts, load_code_texts

log = logging.getLogger(__name__)
FORMATS = ("csv", "parquet", "json")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="read TA1/999/277CA/835 files into tables",
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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        texts = _texts(args.codes)
    except (ValueError, OSError) as err:
        print(f"claims parse: {err}", file=sys.stderr)
        return 1
    parts: list[ResponseTables] = []
    seen: set[str] = set()
    failed = 0
    for path in args.files:
        try:
            with path.open("rb") as stream:
                tables = parse_any(stream, path.name, texts, seen=seen)
        except (X12ParseError, OSError) as err:
            failed += 1
            print(f"claims parse: {err}", file=sys.stderr)
            continue
        seen |= fingerprints(tables)
        parts.append(tables)
        log.info("read %s: %d claims, %d statuses", path.name, len(tables.claims),
                 len(tables.claim_status))  # fmt: skip
    written = write_tables(ResponseTables.concat(parts), args.out, args.format)
    for path in written:
        print(path)
    return 2 if failed else 0


def _texts(specs: list[str]) -> CodeTexts:
    if not specs:
        return bundled_code_texts()
    official = {}
    for spec in specs:
        kind, sep, path = spec.partition("=")
        if not sep or not kind or not path:
            raise ValueError(f"--codes wants KIND=CSV, not {spec!r}")
        official[kind.strip()] = Path(path)
    return load_code_texts(official)


def write_tables(tables: ResponseTables, out: Path, fmt: str) -> list[Path]:
    """Write the non-empty tables (and findings, always) as ``out/NAME.fmt``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        if frame.empty and name != "findings":
            continue
        path = out / f"{name}.{fmt}"
        _write(frame, path, fmt)
        written.append(path)
    return written


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        neutralise_text(frame).to_csv(path, index=False, date_format="%Y-%m-%d")
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, date_format="iso", date_unit="s",
                      default_handler=str)  # fmt: skip
