"""``claims worklist import``: the billers' edited workbook (or CSV) back into the ledger.

Queue sheets are found by title and columns by header (``Item ID``, ``Status``, ``Owner``,
``Notes``, ``Row version``), so billers may reorder, hide or add columns; a header twice is
refused.  ``Row version`` lets the import skip (and report) a stale row whose item changed
after the file was exported.  A CSV needs ``item_id`` (or
``Item ID``) and any of the three edited columns.  Files dropped into the S3 inbox
(``PREFIX/worklists/inbox/``) are imported by the next build, once per object version.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from edi.worklists.edits import Edit, EditPlan, plan_edits
from flows.ledger import Ledger
from flows.outputs.columns import SHEETS
from flows.outputs.tables import restore
from flows.outputs.xlsx import GENERATED_LABEL, SUMMARY_TITLE

_HEADERS = {
    "item id": "item_id",
    "item_id": "item_id",
    "status": "status",
    "owner": "owner",
    "notes": "notes",
    "row version": "version",
    "version": "version",
}


class UnreadableWorklist(ValueError):
    """The file is not a worklist workbook or CSV; the message says what is missing."""


@dataclass(frozen=True)
class ImportResult:
    updated: int
    unchanged: int
    problems: tuple[str, ...]


def read_edits(name: str, data: bytes) -> tuple[list[Edit], date | None]:
    """The edits in a workbook (``.xlsx``) or CSV, and the workbook's business date."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _xlsx_edits(name, data)
    if lower.endswith(".csv"):
        return _csv_edits(name, data), None
    raise UnreadableWorklist(f"{name}: expected a .xlsx workbook or a .csv file")


def _xlsx_edits(name: str, data: bytes) -> tuple[list[Edit], date | None]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        raise UnreadableWorklist(f"{name}: not a readable .xlsx workbook") from exc
    made_on = None
    if SUMMARY_TITLE in wb.sheetnames:
        for label, value in wb[SUMMARY_TITLE].iter_rows(min_row=2, max_row=2, max_col=2,
                                                        values_only=True):  # fmt: skip
            if label == GENERATED_LABEL and isinstance(value, datetime | date):
                made_on = value.date() if isinstance(value, datetime) else value
    titles = [title for title, _ in SHEETS.values() if title in wb.sheetnames]
    if not titles:
        expected = ", ".join(t for t, _ in SHEETS.values())
        raise UnreadableWorklist(f"{name}: no queue sheet ({expected})")
    edits: list[Edit] = []
    for title in titles:
        rows = wb[title].iter_rows(values_only=True)
        header = next(rows, None) or ()
        index = _header_index(name, title, header)
        for number, row in enumerate(rows, start=2):
            item_id = _cell(row, index.get("item_id"))
            if not item_id:
                continue
            edits.append(
                Edit(
                    item_id=str(item_id).strip(),
                    status=_cell(row, index.get("status")),
                    owner=_cell(row, index.get("owner")),
                    notes=_cell(row, index.get("notes")),
                    where=f"{title}!{number}",
                    version=_version(row, index),
                )
            )
    wb.close()
    return edits, made_on


def _header_index(name: str, title: str, header: tuple) -> dict[str, int]:
    """Column of each edited field; a header twice is refused (which one is meant?)."""
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        key = _HEADERS.get(str(h).strip().lower()) if h is not None else None
        if key is None:
            continue
        if key in index:
            raise UnreadableWorklist(
                f"{name}: sheet {title} has two columns headed {str(h).strip()!r}; "
                "rename or delete one and import again"
            )
        index[key] = i
    if "item_id" not in index:
        raise UnreadableWorklist(f"{name}: sheet {title} has no 'Item ID' column")
    return index


def _version(row: tuple, index: dict[str, int]) -> str | None:
    if "version" not in index:
        return None
    return _cell(row, index["version"]) or ""


def _csv_edits(name: str, data: bytes) -> list[Edit]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    fields = {_HEADERS[f.strip().lower()]: f for f in reader.fieldnames or ()
              if f.strip().lower() in _HEADERS}  # fmt: skip
    if "item_id" not in fields:
        raise UnreadableWorklist(f"{name}: no item_id column")

    def text(row: dict, column: str) -> str | None:  # our CSV export quoted formula-like text
        value = row.get(fields.get(column, ""))
        return None if value is None else restore(value)

    return [
        Edit(
            item_id=row[fields["item_id"]].strip(),
            status=text(row, "status"),
            owner=text(row, "owner"),
            notes=text(row, "notes"),
            where=f"{name}:{reader.line_num}",
            version=None if "version" not in fields else (text(row, "version") or ""),
        )
        for row in reader
        if (row.get(fields["item_id"]) or "").strip()
    ]


def _cell(row: tuple, index: int | None) -> str | None:
    if index is None or index >= len(row) or row[index] is None:
        return None
    return str(row[index])


def import_edits(ledger: Ledger, name: str, data: bytes, now: datetime) -> ImportResult:
    """Apply a file's edits to the ledger's items; see :func:`edi.worklists.edits.plan_edits`."""
    edits, made_on = read_edits(name, data)
    current = ledger.worklist_items_by_id({e.item_id for e in edits})
    plan: EditPlan = plan_edits(edits, current, now, Path(name).name, made_on)
    ledger.save_worklist_items(plan.changed)
    return ImportResult(len(plan.changed), plan.unchanged, plan.problems)
