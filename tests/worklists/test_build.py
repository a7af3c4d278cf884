"""The whole build on a real SQLite ledger: items persisted, files written, edits imported."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from flows.cli import main
from flows.ledger import Ledger
from flows.outputs.xlsx import DUE_SOON_FILL, MONEY_FORMAT
from flows.worklists import build_worklists
from tests.ledger.helpers import claim, submit
from tests.support.x12files import Claim, Line, remit
from tests.worklists.conftest import context
from tests.worklists.tables import parse
from tests.worklists.test_classify import REMIT_DAY, day_one_835

DAY1 = date(2026, 10, 21)
NOW1 = datetime(2026, 10, 21, 6, 0, tzinfo=UTC)


def day_one_context() -> pd.DataFrame:
    # ENC-1's filing deadline falls within 7 days of DAY1, so its row is highlighted.
    return context(**{"ENC-1": {"dos": date(2026, 4, 25)}})


@pytest.fixture
def built(sqlite_url, tmp_path):
    ledger = Ledger.open(sqlite_url)
    submit(ledger, [claim("ENC-9")], at=datetime(2026, 9, 1, 12, tzinfo=UTC))
    phi = {"clm01": "ENC-9", "patient_name": "SHELLEY, MARY", "member_id": "W111222333",
           "dos": date(2026, 8, 30), "payer_name": "Acme Health Plan"}  # fmt: skip
    ctx = pd.concat([day_one_context(), pd.DataFrame([phi])], ignore_index=True)
    summary = build_worklists(
        ledger, parse(("a.835", day_one_835())), ctx, DAY1, tmp_path / "out", now=NOW1
    )
    yield ledger, summary, tmp_path / "out" / DAY1.isoformat(), ctx
    ledger.close()


def test_items_are_kept_in_the_ledger_without_phi(built):
    ledger, summary, _, _ = built
    items = ledger.worklist_items()
    queues = sorted((i.queue, i.clm01) for i in items.values())
    # ENC-9 comes from the ledger alone: submitted 2026-09-01, never answered.
    assert queues == [("denials", "ENC-1"), ("denials", "ENC-2"), ("no_response", "ENC-9")]
    stored = repr([i.payload for i in items.values()])
    for phi in ("DOE", "JANE", "W123456789", "SHELLEY", "W111222333"):
        assert phi not in stored
    assert summary.by_queue.set_index("queue").loc["denials", "open_items"] == 2


def test_the_workbook_has_the_formats_billers_need(built):
    _, _, folder, _ = built
    wb = load_workbook(folder / f"worklists-{DAY1.isoformat()}.xlsx")
    assert wb.sheetnames == ["Summary", "Denials", "Rejections", "No response",
                             "Information requested", "Patient responsibility"]  # fmt: skip
    ws = wb["Denials"]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["B"].width == 22
    first = {h: ws.cell(row=2, column=col[h]) for h in headers}
    assert first["Claim (CLM01)"].value == "ENC-1"  # due in 7 days: priority 1
    assert first["Patient"].value == "DOE, JANE"
    assert first["Denied"].value == Decimal("25.00")
    assert first["Denied"].number_format == MONEY_FORMAT
    assert first["Due"].number_format == "yyyy-mm-dd"
    assert first["Due"].value.date() == date(2026, 10, 22)
    assert first["Claim (CLM01)"].fill.fgColor.rgb.endswith(DUE_SOON_FILL.fgColor.rgb[-6:])
    second = ws.cell(row=3, column=col["Claim (CLM01)"])
    assert second.value == "ENC-2" and second.fill.fgColor.rgb in (None, "00000000")
    rules = ws.data_validations.dataValidation
    assert any("new,in progress" in (dv.formula1 or "") for dv in rules)
    pr = wb["Patient responsibility"]
    assert [c.value for c in pr[2]][:2] == ["ENC-1", "PCN1"]
    assert wb["Summary"]["B2"].value.date() == DAY1


def test_csv_and_parquet_sit_beside_the_workbook(built):
    _, _, folder, _ = built
    parquet = pd.read_parquet(folder / f"denials-{DAY1.isoformat()}.parquet")
    assert parquet["denied_cents"].dtype.name in ("Int64", "int64")
    assert sorted(parquet["denied_cents"]) == [2500, 9000]
    text = (folder / f"denials-{DAY1.isoformat()}.csv").read_text()
    assert "denied" in text.splitlines()[0] and ",25.00," in text
    assert (folder / f"report-{DAY1.isoformat()}.html").stat().st_size > 2000
    assert (folder / f"patient-responsibility-{DAY1.isoformat()}.parquet").exists()


def test_edits_imported_from_the_workbook_survive_the_next_build(built, sqlite_url, capsys):
    ledger, _, folder, ctx = built
    path = folder / f"worklists-{DAY1.isoformat()}.xlsx"
    wb = load_workbook(path)
    ws = wb["Denials"]
    col = {c.value: c.column for c in ws[1]}
    ws.cell(row=2, column=col["Status"], value="in progress")
    ws.cell(row=2, column=col["Owner"], value="maria")
    ws.cell(row=3, column=col["Status"], value="appealed")
    ws.cell(row=3, column=col["Notes"], value="records faxed")
    ws.cell(row=4, column=col["Item ID"], value="DEN-NOTANITEM0000")
    ws.cell(row=4, column=col["Status"], value="resolved")
    wb.save(path)

    assert main(["worklist", "import", str(path), "--ledger", sqlite_url]) == 1
    out, err = capsys.readouterr()
    assert "2 row(s) updated" in out and "no worklist item DEN-NOTANITEM0000" in err

    paid = Claim("ENC-2", "1", "90", "90", "0", "PCN2",
                 lines=[Line("99214", "90", "90", "ENC-2-1")])  # fmt: skip
    later = remit([paid], trace="TRACE2", pay_date=REMIT_DAY + timedelta(days=10), isa13=202)
    day2 = DAY1 + timedelta(days=10)
    summary = build_worklists(ledger, parse(("b.835", later)), ctx, day2, folder.parent,
                              now=NOW1 + timedelta(days=10))  # fmt: skip
    items = {i.clm01: i for i in ledger.worklist_items(clm01s=["ENC-2"]).values()}
    assert (items["ENC-1"].status, items["ENC-1"].owner) == ("in_progress", "maria")
    assert (items["ENC-2"].status, items["ENC-2"].notes) == ("resolved", "records faxed")
    assert summary.counts["resolved"] == 1
    wb2 = load_workbook(folder.parent / day2.isoformat() / f"worklists-{day2.isoformat()}.xlsx")
    statuses = [c.value for c in wb2["Denials"]["C"][1:]]
    assert statuses == ["in progress"]


def test_the_cli_builds_from_saved_tables(sqlite_url, tmp_path, capsys):
    tables = parse(("a.835", day_one_835()))
    folder = tmp_path / "tables"
    folder.mkdir()
    for name, table in tables.items():
        table.to_parquet(folder / f"{name}.parquet")
    out = tmp_path / "out"
    code = main(["worklist", "build", "--ledger", sqlite_url, "--out", str(out),
                 "--date", DAY1.isoformat(), "--tables", str(folder)])  # fmt: skip
    assert code == 0
    assert "denials: 2 open" in capsys.readouterr().out
    assert (out / DAY1.isoformat() / f"worklists-{DAY1.isoformat()}.xlsx").exists()
    assert main(["worklist", "import", str(tmp_path / "none.xlsx"), "--ledger", sqlite_url]) == 2


def test_files_go_to_s3_and_edits_come_back_from_its_inbox(sqlite_url, tmp_path, s3_config):
    from flows.s3 import S3Store, make_client

    store = S3Store(s3_config)
    with Ledger.open(sqlite_url) as ledger:
        summary = build_worklists(ledger, parse(("a.835", day_one_835())), context(), DAY1,
                                  tmp_path / "out", store, now=NOW1)  # fmt: skip
        keys = {o["Key"] for o in make_client(s3_config).list_objects_v2(
            Bucket=s3_config.bucket)["Contents"]}  # fmt: skip
        assert f"nightly/worklists/{DAY1.isoformat()}/worklists-{DAY1.isoformat()}.xlsx" in keys
        item_id = summary.top.set_index("clm01").loc["ENC-2", "item_id"]
        edits = f"item_id,status,owner\n{item_id},written off,li\n".encode()
        store.put("nightly/worklists/inbox/li.csv", edits)
        again = build_worklists(ledger, None, context(), DAY1, tmp_path / "out", store,
                                now=NOW1 + timedelta(hours=2))  # fmt: skip
        assert again.counts["imported_rows"] == 1
        assert ledger.worklist_items(item_ids=[item_id])[item_id].status == "written_off"
        # The second build's files differ, so they went to a rerun folder, not over the first.
        assert any("/rerun-" in url for url in again.outputs.values())
        third = build_worklists(ledger, None, context(), DAY1, tmp_path / "out", store,
                                now=NOW1 + timedelta(hours=3))  # fmt: skip
        assert third.counts["imported_files"] == 0  # the inbox file is imported once


def test_an_unreadable_import_is_refused(sqlite_url, tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_bytes(io.BytesIO(b"not a workbook").getvalue())
    assert main(["worklist", "import", str(bad), "--ledger", sqlite_url]) == 2
    missing = tmp_path / "x.csv"
    missing.write_text("claim,status\nENC-1,new\n")
    assert main(["worklist", "import", str(missing), "--ledger", sqlite_url]) == 2


def test_report_lists_top_rows(built):
    _, summary, folder, _ = built
    html = (folder / f"report-{DAY1.isoformat()}.html").read_text()
    assert "<svg" in html and summary.top.iloc[0]["item_id"] in html
    assert "DOE" not in html and "W123456789" not in html
    assert Path(folder).exists()


def test_the_ledger_context_knows_answers_and_envelopes(sqlite_url):
    from flows.ledger import ClaimEvent, EventKind
    from flows.worklists import ledger_context

    with Ledger.open(sqlite_url) as ledger:
        submit(ledger, [claim("ENC-7"), claim("ENC-8")], at=datetime(2026, 10, 2, 12, tzinfo=UTC))
        at = datetime(2026, 10, 4, 9, tzinfo=UTC)
        accepted = ClaimEvent("ENC-7", EventKind.STATUS_ACCEPTED, at, "s.277")
        ledger.apply_events([accepted])
        rows = ledger_context(ledger, clm01s=["ENC-7"]).set_index("clm01")
    assert sorted(rows.index) == ["ENC-7", "ENC-8"]  # ENC-8 still waits for an answer
    assert rows.loc["ENC-7", "accepted_on"] == date(2026, 10, 4)
    assert rows.loc["ENC-7", "responded_on"] == date(2026, 10, 4)
    assert pd.isna(rows.loc["ENC-8", "responded_on"])
    assert rows.loc["ENC-8", "submitted_on"] == date(2026, 10, 2)
    assert rows.loc["ENC-8", "billed_cents"] == 17500 and rows.loc["ENC-8", "st02"] == 1


def test_items_round_trip_on_both_databases(ledger_url):
    from edi.worklists.model import Item

    item = Item("DEN-0000000000000001", "denials", "ENC-1", "ENC-1-2", "coding", "new", None,
                None, NOW1, NOW1, 1, None, {"denied_cents": 2500, "seen_in": ["k"]})  # fmt: skip
    with Ledger.open(ledger_url) as ledger:
        ledger.save_worklist_items([item])
        item.status, item.owner, item.times_seen = "appealed", "li", 2
        ledger.save_worklist_items([item])
        (back,) = ledger.worklist_items().values()
    assert (back.status, back.owner, back.times_seen) == ("appealed", "li", 2)
    assert back.payload == {"denied_cents": 2500, "seen_in": ["k"]} and back.first_seen == NOW1
