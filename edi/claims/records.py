"""Turn encounter files' contents into encounter records (plain dicts), as streams.

Pure: callers open files (local, S3, gzip) and pass lines or row dicts in.  NDJSON is the
reference format, one encounter per line.  CSV and Parquet carry one *service line* per
row with encounter-level fields repeated and flattened with ``.``; consecutive rows with
the same ``encounter_id`` form one encounter, in row order.  Rows of one encounter must
be contiguous: reading never holds more than one encounter in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

LINE_FIELDS = frozenset(
    {
        "line_id",
        "code_set",
        "procedure_code",
        "modifiers",
        "charge",
        "units",
        "unit_type",
        "service_date",
        "service_date_end",
        "diagnosis_pointers",
        "ndc",
        "ndc_quantity",
        "ndc_unit",
        "description",
        "ordering_provider",
        "revenue_code",  # an 837I's revenue line (issue 17)
        "non_covered_charge",
    }
)
"""Service-line fields that may appear unprefixed in a CSV/Parquet row."""
LINE_PREFIXES = ("service_line.", "service_lines.", "line.", "revenue_line.", "revenue_lines.")
LIST_FIELDS = frozenset(
    {"diagnoses", "modifiers", "diagnosis_pointers", "present_on_admission", "condition_codes",
     "visit_reasons", "external_causes"}
)  # fmt: skip


def _lines_key(encounter: Mapping[str, Any]) -> str:
    """Where a row's line goes: an institutional encounter's rows are revenue lines."""
    return "revenue_lines" if encounter.get("claim_type") == "institutional" else "service_lines"


@dataclass(frozen=True, slots=True)
class Record:
    """One encounter's raw data, or why it could not even be read."""

    source: str
    """``file:line`` (NDJSON) or ``file:row`` of the encounter's first row."""
    data: dict[str, Any] | None
    error: str | None = None
    kind: str = "json"
    """``json`` (an NDJSON line), ``row`` (CSV/Parquet rows), or ``file``: the rest of the
    file could not be read (``source`` is then the file's name and ``error`` says why)."""
    raw: str | bytes | None = None
    """An NDJSON line not decoded yet: pydantic validates JSON text fastest itself."""

    def decoded(self) -> Record:
        """This record with ``raw`` decoded to ``data`` (or to the reason it cannot be)."""
        if self.raw is None:
            return self
        try:
            data = json.loads(self.raw)  # floats stay floats, to be refused as money
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            return Record(self.source, None, _json_reason(exc))
        if not isinstance(data, dict):
            return Record(self.source, None, f"found a JSON {type(data).__name__}, not an object")
        return Record(self.source, data)


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line or row that was not even split into values, and why (too long, not UTF-8,
    ragged); it takes its place in the numbering and becomes a refused record."""

    reason: str


def ndjson_records(lines: Iterable[str | bytes | BadLine], name: str) -> Iterator[Record]:
    """One undecoded record per non-blank line (see :meth:`Record.decoded`)."""
    return numbered_ndjson_records(enumerate(lines, 1), name)


def numbered_ndjson_records(
    lines: Iterable[tuple[int, str | bytes | BadLine]], name: str
) -> Iterator[Record]:
    """:func:`ndjson_records` over lines that carry their numbers, so a reader may skip
    blank lines in bulk."""
    for number, line in lines:
        if isinstance(line, BadLine):
            yield Record(f"{name}:{number}", None, line.reason)
        elif line.strip():
            yield Record(f"{name}:{number}", None, raw=line)


def _json_reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "the JSON is nested too deeply"
    return "the line is not valid UTF-8 text"


def row_records(
    rows: Iterable[Mapping[str, Any] | BadLine], name: str, first_row: int = 2
) -> Iterator[Record]:
    """Group flattened service-line rows into encounter records.

    ``first_row`` is the number of the first data row as a person would count it in the
    file (2 for a CSV with a header), so sources point at real rows.  A :class:`BadLine`
    ends the encounter being grouped and is refused on its own.
    """
    current: dict[str, Any] | None = None
    current_id: object = None
    start = first_row
    for number, row in enumerate(rows, first_row):
        if isinstance(row, BadLine):
            if current is not None:
                yield Record(f"{name}:{start}", current, kind="row")
            current, current_id = None, None
            yield Record(f"{name}:{number}", None, row.reason, kind="row")
            continue
        encounter_id = row.get("encounter_id")
        if current is not None and encounter_id == current_id:
            current[_lines_key(current)].append(_line(row))
            continue
        if current is not None:
            yield Record(f"{name}:{start}", current, kind="row")
        current, current_id, start = _encounter(row), encounter_id, number
    if current is not None:
        yield Record(f"{name}:{start}", current, kind="row")


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and value != value:  # NaN from pandas/Parquet
        return False
    return not (isinstance(value, str) and not value.strip())


def _value(key: str, value: Any) -> Any:
    if key.rsplit(".", 1)[-1] in LIST_FIELDS and isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    if hasattr(value, "tolist"):  # arrays from Parquet list columns
        return value.tolist()
    return value


def _nest(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            return
    target[leaf] = value


def _is_line_key(key: str) -> bool:
    return key.startswith(LINE_PREFIXES) or key.split(".", 1)[0] in LINE_FIELDS


def _line(row: Mapping[str, Any]) -> dict[str, Any]:
    line: dict[str, Any] = {}
    for key, value in row.items():
        if _is_line_key(key) and _present(value):
            bare = key.split(".", 1)[1] if key.startswith(LINE_PREFIXES) else key
            _nest(line, bare, _value(bare, value))
    return line


def _encounter(row: Mapping[str, Any]) -> dict[str, Any]:
    encounter: dict[str, Any] = {}
    for key, value in row.items():
        if not _is_line_key(key) and _present(value):
            _nest(encounter, key, _value(key, value))
    encounter[_lines_key(encounter)] = [_line(row)]
    return encounter
