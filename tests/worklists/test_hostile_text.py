"""Text from payers and billers reaches the workbook, the CSV copies and the report as text:
never a live formula, never markup."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from flows.cli import main
from flows.ledger import Ledger
from flows.outputs.tables import neutralise, restore
from flows.worklists import build_worklists
from tests.support.x12files import Cas, Claim, Line, remit
from tests.worklists.conftest import context
from tests.worklists.tables import parse
from tests.worklists.test_classify import REMIT_DAY

DAY = date(2026, 10, 21)
NOW = datetime(2026, 10, 21, 6, 0, tzinfo=UTC)
LINK = '=HYPERLINK("EVIL.EXAMPLE/STEAL","OPEN CLAIM")'  # as the X12 writer sends it
PAYER_ID = "@SUM(1)<script>alert(1)</script>"
NOTES = [LINK, "+1+cmd", "-2+3", "@SUM(A1)", "\tx=1", "\r=1", "plain note"]


def hostile_835() -> str:
    denied = Claim(
        "ENC-2", "4", "90", "0", "0", LINK,
        lines=[Line("99214", "90", "0", "ENC-2-1", [Cas("CO", "197", "90")])],
    )  # fmt: skip
    return remit([denied], trace="TRACE9", pay_date=REMIT_DAY, isa13=909, payer_id=PAYER_ID)


def sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")
        )


@pytest.fixture
def built(sqlite_url, tmp_path):
    ctx = context(**{"ENC-2": {"payer_name": LINK + "\x07", "payer_id": PAYER_ID}})
    with Ledger.open(sqlite_url) as ledger:
        build_worklists(ledger, parse(("h.835", hostile_835())), ctx, DAY, tmp_path, now=NOW)
        yield ledger, ctx, tmp_path / DAY.isoformat()


@pytest.mark.parametrize("text", [*NOTES, "'=already quoted", "", "=", "'"])
def test_neutralise_and_restore_are_inverse(text: str) -> None:
    assert restore(neutralise(text)) == text
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_payer_text_is_text_in_the_workbook(built) -> None:
    _, _, folder = built
    path = folder / f"worklists-{DAY.isoformat()}.xlsx"
    assert "<f>" not in sheet_xml(path), "a formula reached the workbook"
    ws = load_workbook(path)["Denials"]
    header = {c.value: c.column for c in ws[1]}
    (row,) = [r for r in ws.iter_rows(min_row=2) if r[header["Claim (CLM01)"] - 1].value]
    for column, expected in (("Payer claim #", LINK), ("Payer", LINK), ("Payer ID", PAYER_ID)):
        cell = row[header[column] - 1]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (expected, "s", True), column


def test_payer_text_is_neutralised_in_csv_and_escaped_in_the_report(built) -> None:
    _, _, folder = built
    rows = list(csv.DictReader(io.StringIO((folder / f"denials-{DAY}.csv").read_text())))
    assert [r["payer_claim_number"] for r in rows] == ["'" + LINK]
    assert [r["payer_id"] for r in rows] == ["'" + PAYER_ID]
    assert rows[0]["billed"] == "90.00"  # money stays a number
    html = (folder / f"report-{DAY}.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_notes_imported_from_csv_come_back_as_text(built, sqlite_url, tmp_path, capsys) -> None:
    ledger, ctx, _ = built
    (item_id,) = [i.item_id for i in ledger.worklist_items().values() if i.queue == "denials"]
    for note in NOTES:
        kept = note.strip()  # imports trim whitespace: "\r=1" is kept as "=1"
        edits = tmp_path / "edits.csv"
        with edits.open("w", newline="") as f:
            csv.writer(f).writerows([("item_id", "notes", "owner"), (item_id, note, LINK)])
        assert main(["worklist", "import", str(edits), "--ledger", sqlite_url]) == 0
        later = DAY + timedelta(days=1)
        build_worklists(ledger, None, ctx, later, tmp_path / "next", now=NOW + timedelta(days=1))
        out = tmp_path / "next" / later.isoformat()
        assert "<f>" not in sheet_xml(out / f"worklists-{later}.xlsx"), note
        ws = load_workbook(out / f"worklists-{later}.xlsx")["Denials"]
        header = {c.value: c.column for c in ws[1]}
        cell = ws.cell(row=2, column=header["Notes"])
        assert (cell.value, cell.data_type) == (kept, "s")
        exported = (out / f"denials-{later}.csv").read_bytes()
        (row,) = csv.DictReader(io.StringIO(exported.decode()))
        assert row["notes"] == neutralise(kept) and row["owner"] == "'" + LINK
        # The CSV billers get back imports as the same note, not a note with a quote added.
        edits.write_bytes(exported)
        assert main(["worklist", "import", str(edits), "--ledger", sqlite_url]) == 0
        assert ledger.worklist_items(item_ids=[item_id])[item_id].notes == kept
    capsys.readouterr()


def test_payer_text_is_neutralised_in_parsed_tables(tmp_path, capsys) -> None:
    remit = tmp_path / "h.835"
    remit.write_text(hostile_835())
    assert main(["parse", str(remit), "--out", str(tmp_path / "tables")]) == 0
    capsys.readouterr()
    (row,) = csv.DictReader(io.StringIO((tmp_path / "tables" / "claims.csv").read_text()))
    assert row["payer_claim_number"] == "'" + LINK
    assert row["charge_cents"] == "9000"
