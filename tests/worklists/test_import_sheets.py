"""``claims worklist import`` reads every queue sheet; an older file cannot undo newer edits."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from flows.cli import main
from flows.ledger import Ledger
from flows.outputs.columns import SHEETS
from flows.worklists import build_worklists
from tests.ledger.helpers import claim, submit
from tests.support.x12files import Status, claim_ack
from tests.worklists.tables import parse
from tests.worklists.test_build import DAY1, NOW1, day_one_context
from tests.worklists.test_classify import day_one_835


@pytest.fixture
def workbook(sqlite_url, tmp_path):
    with Ledger.open(sqlite_url) as ledger:
        submit(ledger, [claim("ENC-9")], at=datetime(2026, 9, 1, 12, tzinfo=UTC))
        phi = {"clm01": "ENC-9", "patient_name": "SHELLEY, MARY", "dos": date(2026, 8, 30)}
        ctx = pd.concat([day_one_context(), pd.DataFrame([phi])], ignore_index=True)
        statuses = claim_ack([Status("ENC-3", "A7", "562", "82"),
                              Status("ENC-4", "R4", "252", "41", action="WQ")],
                             payer=True, created=datetime(2026, 10, 20, 12))  # fmt: skip
        tables = parse(("a.835", day_one_835()), ("s.277", statuses))
        build_worklists(ledger, tables, ctx, DAY1, tmp_path / "out", now=NOW1)
    return tmp_path / "out" / DAY1.isoformat() / f"worklists-{DAY1.isoformat()}.xlsx"


def test_every_sheet_has_unique_headers():
    for title, columns in SHEETS.values():
        headers = [c.header for c in columns]
        assert len(headers) == len(set(headers)), title


def _edit_first_row(path, title, **values):
    wb = load_workbook(path)
    ws = wb[title]
    col = {c.value: c.column for c in ws[1]}
    for header, value in values.items():
        ws.cell(row=2, column=col[header], value=value)
    item_id = ws.cell(row=2, column=col["Item ID"]).value
    wb.save(path)
    return item_id


def test_an_edit_on_every_sheet_is_imported(workbook, sqlite_url, capsys):
    edited = {title: _edit_first_row(workbook, title, Status="in progress", Owner="li")
              for title, _ in SHEETS.values()}  # fmt: skip
    assert main(["worklist", "import", str(workbook), "--ledger", sqlite_url]) == 0
    assert f"{len(SHEETS)} row(s) updated" in capsys.readouterr().out
    with Ledger.open(sqlite_url) as ledger:
        found = ledger.worklist_items(item_ids=list(edited.values()))
    items = [found[i] for i in edited.values()]
    assert {i.status for i in items} == {"in_progress"}
    assert {i.queue for i in items} == set(SHEETS)


def test_an_older_file_cannot_undo_a_newer_edit(workbook, sqlite_url, tmp_path, capsys):
    older = tmp_path / "older.xlsx"
    shutil.copy(workbook, older)
    item_id = _edit_first_row(workbook, "Rejections", Status="in progress", Owner="li")
    assert main(["worklist", "import", str(workbook), "--ledger", sqlite_url]) == 0
    _edit_first_row(older, "Rejections", Owner="sam")
    assert main(["worklist", "import", str(older), "--ledger", sqlite_url]) == 1
    err = capsys.readouterr().err
    assert f"item {item_id} changed" in err and "edit skipped" in err
    with Ledger.open(sqlite_url) as ledger:
        item = ledger.worklist_items(item_ids=[item_id])[item_id]
    assert (item.status, item.owner) == ("in_progress", "li")


def test_a_header_twice_is_refused(workbook, sqlite_url, capsys):
    wb = load_workbook(workbook)
    ws = wb["Denials"]
    ws.cell(row=1, column=ws.max_column + 1, value="Status")
    wb.save(workbook)
    assert main(["worklist", "import", str(workbook), "--ledger", sqlite_url]) == 2
    assert "two columns headed 'Status'" in capsys.readouterr().err
