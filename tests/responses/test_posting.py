"""The posting export: one row per claim and line, reconciling to the deposit."""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pyarrow.parquet as pq

from edi.responses import parse_835
from edi.responses.plb import link_plb
from edi.responses.posting import posting_rows
from flows.outputs.posting import posting_files
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import Cas, Claim, Line, Plb, remit

TEXTS = bundled_code_texts()
D = Decimal


def _export():
    one = Claim("ENC-1", "1", "175.00", "80.00", "20.00", "ICN1", lines=[
        Line("99213", "150.00", "80.00", "ENC-1-1", [Cas("CO", "45", "50.00"),
             Cas("PR", "2", "20.00")], allowed="100.00"),
        Line("J1100", "25.00", "0", "ENC-1-2", [Cas("CO", "16", "25.00")], ["M119"]),
    ])  # fmt: skip
    two = Claim("ENC-2", "1", "90.00", "90.00", "0", "ICN2",
                lines=[Line("99214", "90.00", "90.00", "ENC-2-1")])  # fmt: skip
    text = remit([one, two], payment="147.10", trace="EFT55",
                 plb=[Plb("WO", "ICN9", "30.00"), Plb("L6", "ICN2", "-7.10")])  # fmt: skip
    t = parse_835(text, texts=TEXTS)
    return t, posting_rows(t, link_plb(t.provider_adjustments, t.claims, t.payments))


def test_one_row_per_claim_and_line_with_money_by_group_and_reason():
    _, rows = _export()
    assert list(rows["row_type"]) == ["claim", "line", "line", "claim", "line", "provider"]
    line = rows[(rows["row_type"] == "line") & (rows["line_ref"] == "ENC-1-1")].iloc[0]
    assert (line["charge"], line["allowed"], line["paid"]) == (D("150.00"), D("100.00"), D("80.00"))
    assert (line["co_adjustments"], line["pr_adjustments"]) == (D("50.00"), D("20.00"))
    assert line["patient_responsibility"] == D("20.00")
    assert line["adjustments"] == "CO-45 50.00; PR-2 20.00"
    denied = rows[rows["line_ref"] == "ENC-1-2"].iloc[0]
    assert (denied["paid"], denied["adjustments"]) == (D("0.00"), "CO-16 25.00")
    claim2 = rows[(rows["row_type"] == "claim") & (rows["clm01"] == "ENC-2")].iloc[0]
    assert (claim2["plb_applied"], claim2["interest"]) == (D("7.10"), D("7.10"))
    assert claim2["plb_reasons"] == "L6 ICN2 7.10"


def test_the_export_reconciles_to_the_deposit():
    t, rows = _export()
    claims = rows[rows["row_type"] == "claim"]
    applied = rows["plb_applied"].dropna()
    deposit = sum(claims["paid"]) + sum(applied)
    assert deposit == D(int(t.payments.loc[0, "payment_cents"])).scaleb(-2) == D("147.10")
    unlinked = rows[rows["row_type"] == "provider"].iloc[0]
    assert (unlinked["plb_applied"], unlinked["plb_reasons"]) == (D("-30.00"), "WO ICN9 -30.00")


def test_files_per_remittance_in_csv_and_parquet():
    _, rows = _export()
    files = posting_files(rows)
    assert sorted(files) == ["posting-87726-EFT55.csv", "posting-87726-EFT55.parquet"]
    csv = pd.read_csv(io.BytesIO(files["posting-87726-EFT55.csv"]), dtype=str)
    assert csv.loc[1, "paid"] == "80.00" and len(csv) == 6
    table = pq.read_table(io.BytesIO(files["posting-87726-EFT55.parquet"]))
    assert str(table.schema.field("paid").type).startswith("decimal128")


def test_claims_parse_writes_the_posting_export_when_asked(tmp_path, capsys):
    from flows.cli import main

    path = tmp_path / "era.835"
    paid = Claim("ENC-1", "1", "100.00", "100.00", "0", "ICN1",
                 lines=[Line("99213", "100.00", "100.00")])  # fmt: skip
    path.write_text(remit([paid], trace="EFT9"))
    assert main(["parse", str(path), "--out", str(tmp_path / "out"), "--posting"]) == 0
    rows = pd.read_csv(tmp_path / "out" / "posting-87726-EFT9.csv", dtype=str)
    assert list(rows["row_type"]) == ["claim", "line"] and rows.loc[0, "paid"] == "100.00"
    assert (tmp_path / "out" / "posting-87726-EFT9.parquet").exists()
