"""Open encounter files (local paths or S3 streams) as streams of encounter records.

The format is decided by the name: ``.jsonl``/``.ndjson`` (optionally ``.gz``), ``.csv``
(optionally ``.gz``) and ``.parquet``.  Text and CSV are decoded incrementally; Parquet
needs random access, so a non-seekable stream is spooled to a temporary file first and
read one row group at a time.

Nothing a file holds stops the others: a bad line or row becomes a refused record, and a
file that cannot be read on (truncated gzip, corrupt Parquet, a limit of
:class:`ReadLimits` reached) ends with one ``file`` record saying why, after the records
read before that point.  Limits keep one hostile file from taking the machine: memory is
bounded by the line limit, time by the size limits.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from edi.claims.records import BadLine, Record, numbered_ndjson_records, row_records

SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".csv", ".csv.gz", ".parquet")
MiB = 1 << 20


class UnsupportedFile(ValueError):
    """The file's name does not say which encounter format it holds."""


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How much one encounter file may hold (see :class:`flows.settings.Settings`)."""

    max_line_bytes: int = 1 * MiB
    """One NDJSON line or CSV row; a real encounter is a few KiB."""
    max_text_bytes: int = 1024 * MiB
    """An NDJSON or CSV file, after decompression."""
    max_parquet_bytes: int = 512 * MiB
    max_gzip_ratio: int = 200
    """Decompressed bytes per compressed byte (JSON compresses about 10 to 20 times)."""


DEFAULT_LIMITS = ReadLimits()


class UnreadableRest(Exception):
    """The file cannot be read on; the message is the reason, fit for the user."""


class LimitReached(UnreadableRest):
    """A :class:`ReadLimits` bound was reached; the message names the setting."""


def is_encounter_file(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def records_from_stream(
    stream: BinaryIO, name: str, limits: ReadLimits = DEFAULT_LIMITS
) -> Iterator[Record]:
    """Records of one encounter file; ``name`` decides the format and labels sources.

    Never raises for what the file holds: the last record is a ``file`` record when the
    file could not be read to its end.  Errors of the stream itself (S3 down) propagate,
    so the caller retries.
    """
    lower = name.lower()
    if not is_encounter_file(lower):
        raise UnsupportedFile(
            f"{name}: not an encounter file; expected one of {', '.join(SUFFIXES)}"
        )
    try:
        yield from _records(stream, name, lower, limits)
    except _UNREADABLE as exc:
        yield Record(name, None, _reason(exc), kind="file")


def _records(stream: BinaryIO, name: str, lower: str, limits: ReadLimits) -> Iterator[Record]:
    if lower.endswith(".parquet"):
        yield from _parquet(stream, name, limits)
        return
    source: BinaryIO = _Bounded(stream, limits.max_text_bytes)  # type: ignore[assignment]
    if lower.endswith(".gz"):
        compressed = source
        unpacked = gzip.GzipFile(fileobj=compressed, mode="rb")
        source = _Bounded(unpacked, limits.max_text_bytes, compressed, limits.max_gzip_ratio)  # type: ignore[assignment]
    if ".csv" in lower:
        yield from row_records(_csv_rows(source, limits.max_line_bytes), name)
    else:
        yield from numbered_ndjson_records(_lines(source, limits.max_line_bytes), name)


_UNREADABLE = (
    UnreadableRest,
    gzip.BadGzipFile,
    EOFError,
    zlib.error,
    pa.ArrowException,
    csv.Error,
    UnicodeDecodeError,
)


def _reason(exc: BaseException) -> str:
    """Why a file stopped, without the library's text (it may quote the file's bytes)."""
    if isinstance(exc, UnreadableRest):
        return str(exc)
    if isinstance(exc, gzip.BadGzipFile):
        return "the name ends in .gz but the content is not gzip data"
    if isinstance(exc, EOFError):
        return "the gzip data ends early (the file is truncated)"
    if isinstance(exc, zlib.error):
        return "the gzip data is corrupt"
    if isinstance(exc, pa.ArrowException):
        return _NOT_PARQUET
    if isinstance(exc, UnicodeDecodeError):
        return "the text is not UTF-8"
    return "the CSV header cannot be read"


class _Bounded(io.RawIOBase):
    """A read-only stream that stops with :class:`LimitReached` past ``limit`` bytes, or
    past ``ratio`` times what ``compressed`` has read (a decompression bomb)."""

    def __init__(
        self,
        inner: BinaryIO,
        limit: int,
        compressed: _Bounded | None = None,
        ratio: int = 0,
        setting: str = "CLAIMS_MAX_FILE_BYTES",
    ) -> None:
        self._inner, self._limit, self._setting = inner, limit, setting
        self._compressed, self._ratio = compressed, ratio
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        if self.count > self._limit:
            raise LimitReached(
                f"the file is larger than {self._limit} bytes ({self._setting}); "
                "split it or raise the limit"
            )
        compressed = self._compressed
        if compressed is not None and self.count > max(MiB, self._ratio * compressed.count):
            raise LimitReached(
                f"the gzip data expands more than {self._ratio} times "
                "(CLAIMS_MAX_GZIP_RATIO); it is not an encounter export"
            )
        return size


_CHUNK = MiB
_CONTENT = re.compile(rb"\S[^\n]*")
"""The first visible byte of a line and the rest of it: blank lines are skipped in C."""


def _lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | BadLine]]:
    """The non-blank lines of ``stream`` with their numbers, each at most ``limit`` bytes
    (a longer one is a :class:`BadLine`, skipped without holding it in memory).

    A UTF-8 byte-order mark at the start is dropped; lines stay bytes, so one line that
    is not UTF-8 is refused alone.
    """
    too_long = BadLine(f"the line is longer than {limit} bytes (CLAIMS_MAX_LINE_BYTES)")
    number = 1  # of the line that starts ``carry``
    carry = b""
    skipping = False  # inside a line already reported as too long
    first = True
    while chunk := stream.read(_CHUNK):
        if first:
            chunk, first = chunk.removeprefix(b"\xef\xbb\xbf"), False
        if skipping:
            cut = chunk.find(b"\n")
            if cut < 0:
                continue
            chunk, skipping, number = chunk[cut + 1 :], False, number + 1
        data = carry + chunk if carry else chunk
        end = data.rfind(b"\n") + 1
        newlines = data.count(b"\n", 0, end)
        if newlines * 64 < end:  # the usual file: long lines, split in C
            for offset, line in enumerate(data[:end].split(b"\n")[:-1]):
                if line.strip():
                    yield number + offset, (line if len(line) <= limit else too_long)
        else:  # mostly blank lines: find the few with content, never visit each blank
            position = line_number = 0
            for match in _CONTENT.finditer(data, 0, end):
                start = data.rfind(b"\n", position, match.start()) + 1 or position
                line_number += data.count(b"\n", position, start)
                line = data[start : match.end()]
                yield number + line_number, (line if len(line) <= limit else too_long)
                position = start
        number += newlines
        carry = data[end:]
        if len(carry) > limit:
            yield number, too_long
            carry, skipping = b"", True
    if carry.strip() and not skipping:
        yield number, (carry if len(carry) <= limit else too_long)


def _csv_rows(stream: BinaryIO, limit: int) -> Iterator[Mapping[str, Any] | BadLine]:
    """CSV rows as dicts; a ragged, oversized or non-UTF-8 row is a :class:`BadLine`.

    Text is decoded with ``surrogateescape`` so a bad byte marks its row, not the file.
    """
    text = io.TextIOWrapper(
        io.BufferedReader(stream),  # type: ignore[arg-type]
        encoding="utf-8-sig",
        errors="surrogateescape",
        newline="",
    )
    reader = csv.DictReader(_bounded_lines(text, limit))
    header = reader.fieldnames  # reads the header: an error here is the file's
    width = len(header or ())
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield BadLine(f"the row cannot be split into fields ({_csv_reason(exc)})")
            continue
        if None in row or None in row.values():
            count = width + len(row.get(None) or ()) - sum(v is None for v in row.values())  # type: ignore[call-overload]
            yield BadLine(f"the row has {count} fields, the header has {width}")
        elif any(not v.isascii() and _SURROGATE.search(v) for v in row.values()):
            yield BadLine("the row is not UTF-8 text")
        else:
            yield row


_SURROGATE = re.compile("[\udc80-\udcff]")


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    return text if text.startswith("field larger than field limit") else "malformed quoting"


def _bounded_lines(text: io.TextIOWrapper, limit: int) -> Iterator[str]:
    """Physical lines of at most ``limit`` characters; a longer one stops the file (it
    may be inside a quoted field, so the rows after it cannot be trusted)."""
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith("\n"):
            raise LimitReached(
                f"line {number} is longer than {limit} bytes (CLAIMS_MAX_LINE_BYTES)"
            )
        yield line


def _parquet(stream: BinaryIO, name: str, limits: ReadLimits) -> Iterator[Record]:
    limit = limits.max_parquet_bytes
    if stream.seekable():
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        if size > limit:
            raise LimitReached(
                f"the file is larger than {limit} bytes (CLAIMS_MAX_PARQUET_BYTES); "
                "split it or raise the limit"
            )
        yield from row_records(_parquet_rows(stream), name)
        return
    with tempfile.TemporaryFile() as spool:
        bounded = io.BufferedReader(_Bounded(stream, limit, setting="CLAIMS_MAX_PARQUET_BYTES"))
        shutil.copyfileobj(bounded, spool)
        spool.seek(0)
        yield from row_records(_parquet_rows(spool), name)


_NOT_PARQUET = "the file is not readable Parquet (corrupt or truncated)"


def _parquet_rows(source: BinaryIO) -> Iterator[dict]:
    """Rows of a local or spooled Parquet file, one row group at a time."""
    try:
        parquet = pq.ParquetFile(source)
        for batch in parquet.iter_batches(batch_size=4096):
            yield from batch.to_pylist()
    except OSError as exc:  # pyarrow's "Couldn't deserialize thrift"; the bytes are local
        raise UnreadableRest(_NOT_PARQUET) from exc


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


def local_records(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[Record]:
    try:
        stream = path.open("rb")
    except OSError as exc:  # unreadable (permissions, a folder named *.jsonl): say so
        reason = f"the file cannot be opened ({exc.strerror or type(exc).__name__})"
        yield Record(path.name, None, reason, kind="file")
        return
    with stream:
        yield from records_from_stream(stream, path.name, limits)
