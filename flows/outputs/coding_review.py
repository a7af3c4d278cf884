"""The coding-review worklist: an XLSX workbook (billers answer in it) and an HTML page.

Sheet "Coding review" has one row per query of a held claim: the question, the clinical
facts, the choices, and the editable "Answer" and "Note" columns ``claims queries import``
reads back by header.  Sheet "Warnings" lists the night's claims sent with warnings (rule,
message, fix), so advisory findings reach a person.  Text is written as text, never as a
formula (see :func:`flows.outputs.xlsx._put`), and HTML-escaped in the page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from flows.outputs.xlsx import DUE_SOON_FILL, EDITABLE_FILL, HEADER_FILL, HEADER_FONT, _put

REVIEW_TITLE = "Coding review"
WARNINGS_TITLE = "Warnings"
REVIEW_COLUMNS = (
    ("query_id", "Query ID", 24),
    ("clm01", "Claim (CLM01)", 18),
    ("payer_id", "Payer", 10),
    ("asked_on", "Asked on", 12),
    ("days_waiting", "Days waiting", 9),
    ("status", "Status", 11),
    ("question", "Question for the provider", 60),
    ("facts", "Clinical facts", 55),
    ("choices", "Choices", 45),
    ("answer", "Answer", 22),
    ("note", "Note", 30),
    ("rule_id", "Rule", 26),
)
EDITABLE = {"Answer", "Note"}
WARNING_COLUMNS = (
    ("clm01", "Claim (CLM01)", 18),
    ("rule_id", "Rule", 30),
    ("level", "SNIP level", 8),
    ("message", "What was found", 70),
    ("fix", "What to do", 60),
    ("field", "Field", 26),
)


def review_workbook(
    rows: Sequence[dict[str, Any]], warnings: Sequence[dict[str, Any]], day: date
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = REVIEW_TITLE
    _sheet(ws, rows, REVIEW_COLUMNS)
    for r, row in enumerate(rows, start=2):
        if row.get("aged"):
            for i in range(1, len(REVIEW_COLUMNS) + 1):
                ws.cell(row=r, column=i).fill = DUE_SOON_FILL
        _answer_dropdown(ws, r, row)
    _sheet(wb.create_sheet(WARNINGS_TITLE), warnings, WARNING_COLUMNS)
    stamp = datetime.combine(day, datetime.min.time())
    wb.properties.created = wb.properties.modified = stamp
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet(ws: Any, rows: Sequence[dict[str, Any]], columns: Sequence[tuple]) -> None:
    for i, (_, header, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=header)
        cell.font = HEADER_FONT
        cell.fill = EDITABLE_FILL if header in EDITABLE else HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = width
    for r, row in enumerate(rows, start=2):
        for i, (name, _, _) in enumerate(columns, start=1):
            value = row.get(name)
            cell = _put(ws, r, i, value if not isinstance(value, list | dict) else str(value))
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"


def _answer_dropdown(ws: Any, r: int, row: dict[str, Any]) -> None:
    """The row's choices as a drop-down (any other code may still be typed)."""
    values = [line.split("  (", 1)[0] for line in str(row.get("choices") or "").splitlines()]
    formula = '"' + ",".join(values) + '"'
    if not values or len(formula) > 255 or any('"' in v or "," in v for v in values):
        return
    column = get_column_letter(next(i for i, c in enumerate(REVIEW_COLUMNS, 1) if c[0] == "answer"))
    rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
    ws.add_data_validation(rule)
    rule.add(f"{column}{r}")


def review_html(rows: Sequence[dict[str, Any]], counts: dict[str, int], day: date) -> str:
    """One page: the counts, then each query with its facts and choices."""
    e = html.escape
    items = []
    for row in rows:
        facts = "<br>".join(e(line) for line in str(row["facts"]).splitlines())
        choices = "".join(f"<li><code>{e(line)}</code></li>" for line in
                          str(row["choices"]).splitlines())  # fmt: skip
        aged = ' class="aged"' if row.get("aged") else ""
        items.append(
            f"<section{aged}><h2>{e(str(row['query_id']))} &middot; claim "
            f"{e(str(row['clm01']))} &middot; {e(str(row['status']))}</h2>"
            f"<p class=q>{e(str(row['question']))}</p><p class=f>{facts}</p>"
            f"<ul>{choices}</ul></section>"
        )
    summary = " &middot; ".join(f"{e(k)}: {v}" for k, v in counts.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coding review {day}</title>
<style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:70em}}
section{{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:1em 0}}
section.aged{{background:#FFEB9C}} h2{{font-size:15px;margin:.2em 0}}
p.q{{font-weight:600}} p.f{{color:#333}}</style></head>
<body><h1>Coding review, {day}</h1><p>{summary}</p>
{"".join(items) or "<p>No queries.</p>"}
</body></html>
"""
