"""The billers' workbook: one sheet per queue, a summary, and the patient-responsibility list.

Every sheet has a frozen header (and the priority/ID columns), filters, set widths,
currency and date formats; rows due within ``due_soon_days`` are filled amber, past-due
rows red.  Status, Owner and Notes are the columns billers edit (lighter header, a
drop-down for Status); ``claims worklist import`` reads them back by header.  Money is
written as :class:`~decimal.Decimal` dollars made from integer cents.

Text comes from payers and billers, so every text cell is stored as text, never as a
formula (``=HYPERLINK(...)`` in a payer name stays those characters), with Excel's quote
prefix so that editing the cell does not turn it into one either.  Characters a workbook
cannot hold (control characters) are dropped rather than failing the whole build.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from edi.worklists.summary import WorklistSummary
from flows.outputs.columns import (
    EDITABLE_HEADERS,
    PATIENT_RESPONSIBILITY,
    SHEETS,
    STATUS_LABELS,
    Column,
)

MONEY_FORMAT = '"$"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
EDITABLE_FILL = PatternFill("solid", fgColor="2E75B6")
DUE_SOON_FILL = PatternFill("solid", fgColor="FFEB9C")
PAST_DUE_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SUMMARY_TITLE = "Summary"
PR_TITLE = "Patient responsibility"
GENERATED_LABEL = "Business date"


def workbook_bytes(
    rows: Mapping[str, pd.DataFrame],
    patient_responsibility: pd.DataFrame,
    summary: WorklistSummary,
) -> bytes:
    """The workbook as bytes (write them to a file or to S3)."""
    wb = Workbook()
    _summary_sheet(wb.active, summary, patient_responsibility)
    for queue, (title, columns) in SHEETS.items():
        ws = wb.create_sheet(title)
        _table(ws, rows[queue], columns, highlight=True)
        _status_dropdown(ws, columns, len(rows[queue]))
    _table(wb.create_sheet(PR_TITLE), patient_responsibility, PATIENT_RESPONSIBILITY)
    stamp = datetime.combine(summary.business_date, datetime.min.time())
    wb.properties.created = wb.properties.modified = stamp
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _table(ws: Worksheet, df: pd.DataFrame, columns: Sequence[Column], highlight: bool = False):
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = HEADER_FONT
        cell.fill = EDITABLE_FILL if col.header in EDITABLE_HEADERS else HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = col.width
    records = df.to_dict("records") if len(df) else []
    for r, record in enumerate(records, start=2):
        fill = None
        if highlight:
            days_left = record.get("days_left")
            if _present(days_left) and int(days_left) < 0:
                fill = PAST_DUE_FILL
            elif bool(record.get("due_soon")):
                fill = DUE_SOON_FILL
        for i, col in enumerate(columns, start=1):
            cell = _put(ws, r, i, _value(record.get(col.name), col))
            if col.format == "money":
                cell.number_format = MONEY_FORMAT
            elif col.format == "date":
                cell.number_format = DATE_FORMAT
            if fill is not None:
                cell.fill = fill
    ws.freeze_panes = "C2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(len(records) + 1, 2)}"
    ws.row_dimensions[1].height = 30


def _status_dropdown(ws: Worksheet, columns: Sequence[Column], count: int) -> None:
    index = next(i for i, c in enumerate(columns, start=1) if c.name == "status")
    letter = get_column_letter(index)
    choices = ",".join(STATUS_LABELS.values())
    rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=False)
    rule.error, rule.errorTitle = f"Choose one of: {choices}", "Status"
    ws.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{max(count + 1, 2) + 500}")


def _summary_sheet(ws: Worksheet, summary: WorklistSummary, pr: pd.DataFrame) -> None:
    ws.title = SUMMARY_TITLE
    ws["A1"] = "Denial and rejection worklists"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws["B2"] = GENERATED_LABEL, summary.business_date
    ws["B2"].number_format = DATE_FORMAT
    row = 4
    titles = {queue: title for queue, (title, _) in SHEETS.items()}
    by_queue = [
        [titles[r["queue"]], r["open_items"], r["due_soon"], r["recoverable_cents"], r["new"],
         r["resolved"]]
        for r in summary.by_queue.to_dict("records")
    ]  # fmt: skip
    row = _block(
        ws,
        row,
        "Open work by queue",
        ("Queue", "Open rows", "Due within 7 days", "Recoverable", "New today", "Resolved today"),
        by_queue,
        money={3},
    )
    category = [
        [titles[r["queue"]], r["category"], r["items"], r["recoverable_cents"]]
        for r in summary.by_category.to_dict("records")
    ]
    row = _block(
        ws, row, "By category", ("Queue", "Category", "Rows", "Recoverable"), category, money={3}
    )
    payer = [
        [titles[r["queue"]], r["payer_id"], r["items"], r["recoverable_cents"]]
        for r in summary.by_payer.to_dict("records")
    ]
    headers = ("Queue", "Payer ID", "Rows", "Recoverable")
    row = _block(ws, row, "By payer", headers, payer, money={3})
    pr_total = int(pr["patient_resp_cents"].sum()) if len(pr) else 0
    row = _block(
        ws, row, "Patient responsibility (today's 835s)", ("Claims", "Total"),
        [[len(pr), pr_total]], money={1},
    )  # fmt: skip
    ws.cell(row=row, column=1, value="How to record your work").font = Font(bold=True)
    help_lines = (
        "Edit only the Status, Owner and Notes columns (blue headers) of the queue sheets.",
        "Status: new, in progress, corrected, appealed, resolved, written off.",
        "Then run: claims worklist import THIS_FILE.xlsx (or drop the file in the S3 inbox).",
        "Amber rows are due within 7 days; red rows are past due.",
    )
    for offset, text in enumerate(help_lines, start=1):
        ws.cell(row=row + offset, column=1, value=text)
    for letter, width in zip("ABCDEF", (24, 26, 18, 16, 12, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"


def _block(
    ws: Worksheet,
    row: int,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    money: set[int],
) -> int:
    ws.cell(row=row, column=1, value=title).font = Font(bold=True)
    for i, header in enumerate(headers, start=1):
        cell = ws.cell(row=row + 1, column=i, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for r, values in enumerate(rows, start=row + 2):
        for i, value in enumerate(values):
            cell = _put(ws, r, i + 1, _plain(value))
            if i in money:
                cell.value = _dollars(value)
                cell.number_format = MONEY_FORMAT
    return row + len(rows) + 3


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one data cell; text is stored as text whatever its first character."""
    if not isinstance(value, str):
        return ws.cell(row=row, column=column, value=value)
    cell = ws.cell(row=row, column=column)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _value(value: Any, col: Column) -> Any:
    if not _present(value):
        return None
    if col.format == "money":
        return _dollars(value)
    if col.format == "date":
        return value if isinstance(value, date) else pd.Timestamp(value).date()
    if col.format == "int":
        return int(value)
    if col.format == "status":
        return STATUS_LABELS.get(str(value), str(value))
    return _plain(value)


def _dollars(cents: Any) -> Decimal | None:
    return None if not _present(cents) else Decimal(int(cents)).scaleb(-2)


def _plain(value: Any) -> Any:
    if not _present(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True
