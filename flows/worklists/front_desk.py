"""The front-desk worklist files (XLSX and CSV) from the ledger, and the corrected member IDs
the front desk types into them, read back to ask the payer again (issue 16).

The workbook is written like the coding-review one (text stays text, never a formula); the
CSV through the tables' neutraliser.  Reading back finds the columns by header ("Check ID",
"Corrected member ID"), so the front desk may reorder or hide columns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook

from edi.worklists.front_desk import COLUMNS, TITLE, front_desk_rows
from flows.eligibility import FixSummary, fix_member_ids
from flows.ledger import Ledger
from flows.outputs.coding_review import _sheet
from flows.outputs.storage import write_local
from flows.outputs.tables import csv_bytes, restore
from flows.worklists.imports import UnreadableWorklist

SHOWN_DAYS = 7
"""Checks answered this many days back stay on the sheet (cost sharing to collect)."""
_KEYS = {"check id": "check_id", "check_id": "check_id",
         "corrected member id": "member_id", "corrected_member_id": "member_id"}  # fmt: skip


@dataclass
class FrontDeskFiles:
    rows: int = 0
    held: int = 0
    workbook: str | None = None
    table: str | None = None


def write_front_desk(ledger: Ledger, folder: Path, today: date) -> FrontDeskFiles:
    """``front-desk-DATE.xlsx`` and ``.csv`` in ``folder``; counts only in the result."""
    since = today - timedelta(days=SHOWN_DAYS)
    recent = ledger.eligibility_rows(answered_since=since)
    shown = {r.id for r in recent}
    held = [r for r in ledger.eligibility_rows(still_held=True) if r.id not in shown]
    rows = front_desk_rows([*held, *recent], since)
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE
    _sheet(ws, rows, COLUMNS)
    wb.properties.created = wb.properties.modified = datetime.combine(today, datetime.min.time())
    buffer = io.BytesIO()
    wb.save(buffer)
    frame = pd.DataFrame(rows, columns=[c[0] for c in COLUMNS]).rename(
        columns={c[0]: c[1] for c in COLUMNS}
    )
    stamp = today.isoformat()
    return FrontDeskFiles(
        rows=len(rows),
        held=sum(r["status"].startswith("held") for r in rows),
        workbook=write_local(folder, f"front-desk-{stamp}.xlsx", buffer.getvalue()),
        table=write_local(folder, f"front-desk-{stamp}.csv", csv_bytes(frame)),
    )


def read_fixes(name: str, data: bytes) -> list[tuple[str, str, str]]:
    """(check ID, corrected member ID, where) of each row with a corrected member ID."""
    if name.lower().endswith(".xlsx"):
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a non-workbook
            raise UnreadableWorklist(f"{name}: not a readable .xlsx workbook") from exc
        if TITLE not in wb.sheetnames:
            raise UnreadableWorklist(f"{name}: no sheet named {TITLE!r}")
        rows, where = list(wb[TITLE].iter_rows(values_only=True)), TITLE
    elif name.lower().endswith(".csv"):
        rows, where = list(csv.reader(io.StringIO(data.decode("utf-8-sig")))), name
    else:
        raise UnreadableWorklist(f"{name}: expected the front-desk .xlsx workbook or a .csv")
    header = [str(h or "").strip().lower() for h in (rows[0] if rows else ())]
    index = {_KEYS[h]: i for i, h in enumerate(header) if h in _KEYS}
    if set(index) != {"check_id", "member_id"}:
        raise UnreadableWorklist(f"{name}: no 'Check ID' and 'Corrected member ID' columns")
    found = []
    for number, row in enumerate(rows[1:], start=2):
        check, member = (_text(row, index[k]) for k in ("check_id", "member_id"))
        if check and member:
            found.append((check, member, f"{where}:{number}"))
    return found


def import_fixes(ledger: Ledger, name: str, data: bytes, today: date) -> FixSummary:
    """Ask again about the held claims whose rows carry a corrected member ID."""
    return fix_member_ids(ledger, read_fixes(name, data), today)


def _text(row: tuple, index: int) -> str:
    value = row[index] if index < len(row) else None
    return restore(str(value)).strip() if value is not None else ""
