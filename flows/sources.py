"""Open encounter files (local paths or S3 streams) as streams of encounter records.

The format is decided by the name: ``.jsonl``/``.ndjson`` (optionally ``.gz``), ``.csv``
(optionally ``.gz``) and ``.parquet``.  Text and CSV are decoded incrementally; Parquet
needs random access, so a non-seekable stream is spooled to a temporary file first and
read one row group at a time.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow.parquet as pq

from edi.claims.records import Record, ndjson_records, row_records

SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".csv", ".csv.gz", ".parquet")


class UnsupportedFile(ValueError):
    """The file's name does not say which encounter format it holds."""


def is_encounter_file(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def records_from_stream(stream: BinaryIO, name: str) -> Iterator[Record]:
    """Records of one encounter file; ``name`` decides the format and labels sources."""
    lower = name.lower()
    if not is_encounter_file(lower):
        raise UnsupportedFile(
            f"{name}: not an encounter file; expected one of {', '.join(SUFFIXES)}"
        )
    if lower.endswith(".gz"):
        stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
    if lower.endswith(".parquet"):
        yield from _parquet(stream, name)
        return
    if ".csv" in lower:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        yield from row_records(csv.DictReader(text), name)
    else:
        yield from ndjson_records(_without_bom(stream), name)


def _without_bom(stream: BinaryIO) -> Iterator[bytes]:
    """Binary lines, so one line that is not UTF-8 is refused alone, not the whole file."""
    lines = iter(stream)
    first = next(lines, b"")
    yield first.removeprefix(b"\xef\xbb\xbf")
    yield from lines


def _parquet(stream: BinaryIO, name: str) -> Iterator[Record]:
    if stream.seekable():
        yield from row_records(_parquet_rows(pq.ParquetFile(stream)), name)
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        yield from row_records(_parquet_rows(pq.ParquetFile(spool)), name)


def _parquet_rows(parquet: pq.ParquetFile) -> Iterator[dict]:
    for batch in parquet.iter_batches(batch_size=4096):
        yield from batch.to_pylist()


def local_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their encounter files (sorted, so runs are reproducible); a
    file named explicitly must be one, so a wrong path fails before anything is built."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if is_encounter_file(p.name)))
        elif path.exists():
            if not is_encounter_file(path.name):
                raise UnsupportedFile(
                    f"{path}: not an encounter file; expected one of {', '.join(SUFFIXES)}"
                )
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def local_records(path: Path) -> Iterator[Record]:
    with path.open("rb") as stream:
        yield from records_from_stream(stream, path.name)
