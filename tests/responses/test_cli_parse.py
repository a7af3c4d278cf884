"""``claims parse FILE... --out DIR``: one file per table, named by the table."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from flows.cli import main
from tests.support.x12files import Cas, Claim, Line, SetAck, Status, ack_999, claim_ack, remit


@pytest.fixture
def files(tmp_path):
    line = Line(adjustments=[Cas("CO", "45", "50.00")], line_ref="E1-1")
    remit_file = tmp_path / "day1.835"
    remit_file.write_text(remit([Claim("E1", lines=[line])], "100.00"))
    ack_file = tmp_path / "day1.277"
    ack_file.write_text(claim_ack([Status("E1")]) + ack_999("5", [SetAck("0001")]))
    return tmp_path, remit_file, ack_file


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_parse_writes_one_table_per_kind(files, fmt, capsys):
    folder, remit_file, ack_file = files
    out = folder / "out"
    code = main(["parse", str(remit_file), str(ack_file), str(remit_file), "--out", str(out),
                 "--format", fmt])  # fmt: skip
    assert code == 0
    written = sorted(p.name for p in out.iterdir())
    expected = ["acks", "adjustments", "claim_status", "claims", "findings", "lines", "payments"]
    assert written == sorted(f"{name}.{fmt}" for name in expected)
    if fmt == "csv":
        claims = pd.read_csv(out / "claims.csv", dtype=str)
        assert list(claims["clm01"]) == ["E1"]  # the same 835 twice counted once
        assert list(claims["paid_cents"]) == ["10000"]
        findings = pd.read_csv(out / "findings.csv")
        assert list(findings["code"]) == ["DUPLICATE_TRANSACTION"]
    elif fmt == "parquet":
        lines = pd.read_parquet(out / "lines.parquet")
        assert lines.loc[0, "line_ref"] == "E1-1" and lines.loc[0, "charge_cents"] == 15000
    else:
        rows = [json.loads(x) for x in (out / "payments.json").read_text().splitlines()]
        assert [r["duplicate"] for r in rows] == [False, True]
    assert str(out / f"claims.{fmt}") in capsys.readouterr().out


def test_not_x12_is_reported_and_the_rest_still_written(files, capsys):
    folder, remit_file, _ = files
    junk = folder / "junk.835"
    junk.write_text("hello, this is not X12")
    code = main(["parse", str(junk), str(remit_file), "--out", str(folder / "out")])
    assert code == 2
    assert "junk.835: segment 1 at offset 0: expected an ISA segment" in capsys.readouterr().err
    assert (folder / "out" / "claims.csv").exists()


def test_official_code_list(files, tmp_path):
    folder, remit_file, _ = files
    carc = tmp_path / "carc.csv"
    carc.write_text("code,description\n45,Official 45\n")
    out = folder / "out"
    assert main(["parse", str(remit_file), "--out", str(out), "--codes", f"carc={carc}"]) == 0
    assert list(pd.read_csv(out / "adjustments.csv")["carc_text"]) == ["Official 45"]
    assert main(["parse", str(remit_file), "--out", str(out), "--codes", "nonsense"]) == 1
