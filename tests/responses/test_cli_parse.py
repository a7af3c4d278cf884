"""``claims parse FILE... --out DIR``: one file per table, named by the table."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from flows.cli import main
from tests.support.x12files import Cas, Claim, Line, Plb, SetAck, Status, ack_999, claim_ack, remit


@pytest.fixture
def files(tmp_path):
    line = Line(adjustments=[Cas("CO", "45", "50.00")], line_ref="E1-1")
    remit_file = tmp_path / "day1.835"
    remit_file.write_text(remit([Claim("E1", lines=[line])], "100.00"))
    ack_file = tmp_path / "day1.277"
    ack_file.write_text(claim_ack([Status("E1")]) + ack_999("5", [SetAck("0001")]))
    return tmp_path, remit_file, ack_file


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_parse_writes_one_table_per_kind(files, fmt, capsys):
    folder, remit_file, ack_file = files
    out = folder / "out"
    code = main(["parse", str(remit_file), str(ack_file), str(remit_file), "--out", str(out),
                 "--format", fmt])  # fmt: skip
    assert code == 0
    written = sorted(p.name for p in out.iterdir())
    expected = ["ack_errors", "acks", "adjustments", "claim_status", "claims", "findings",
                "line_status", "lines", "payments", "provider_adjustments", "remarks"]  # fmt: skip
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
        rows = [json.loads(x) for x in (out / "payments.jsonl").read_text().splitlines()]
        assert [r["duplicate"] for r in rows] == [False, True]
        assert (out / "remarks.jsonl").read_bytes() == b""  # JSON Lines of no rows
    assert str(out / f"claims.{fmt}") in capsys.readouterr().out


def test_not_x12_is_reported_and_the_rest_still_written(files, capsys):
    folder, remit_file, _ = files
    junk = folder / "junk.835"
    junk.write_text("hello, this is not X12")
    code = main(["parse", str(junk), str(remit_file), "--out", str(folder / "out")])
    assert code == 1  # the good file's tables are written; the bad one is refused
    assert "junk.835: segment 1 at offset 0: expected an ISA segment" in capsys.readouterr().err
    assert (folder / "out" / "claims.csv").exists()
    assert main(["parse", str(junk), "--out", str(folder / "out2")]) == 2


def test_official_code_list(files, tmp_path):
    folder, remit_file, _ = files
    carc = tmp_path / "carc.csv"
    carc.write_text("code,description\n45,Official 45\n")
    out = folder / "out"
    assert main(["parse", str(remit_file), "--out", str(out), "--codes", f"carc={carc}"]) == 0
    assert list(pd.read_csv(out / "adjustments.csv")["carc_text"]) == ["Official 45"]
    assert main(["parse", str(remit_file), "--out", str(out), "--codes", "nonsense"]) == 2


def _other_kind(code: str, version: str) -> str:
    """A transaction set of another kind in a real envelope (its body is not read)."""
    text = ack_999("5", [SetAck("0001", "R", ["5"])])
    return text.replace("ST*999*0001*005010X231A1", f"ST*{code}*0001*{version}")


@pytest.mark.parametrize(
    ("code", "version", "reason"),
    [
        ("270", "005010X279A1", "ST 270 005010X279A1 is not a response this reader knows"),
        ("276", "005010X212", "ST 276 005010X212 is not a response"),
        ("834", "005010X220A1", "ST 834 005010X220A1 is not a response"),
        ("997", "", "ST 997 is a 4010 functional acknowledgment, which this reader does not read"),
    ],
)
def test_a_file_with_no_response_in_it_is_unusable(tmp_path, code, version, reason, capsys):
    path = tmp_path / f"in.{code}"
    path.write_text(_other_kind(code, version).replace(f"ST*{code}*0001*~", f"ST*{code}*0001~"))
    assert main(["parse", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{path}: no TA1, 999, 277CA or 835 read: {reason}" in err


def test_an_835_paying_no_claim_writes_its_empty_tables(tmp_path, capsys):
    path = tmp_path / "nothing.835"
    path.write_text(remit([], "0.00"))
    out = tmp_path / "out"
    assert main(["parse", str(path), "--out", str(out)]) == 0
    claims = pd.read_csv(out / "claims.csv")
    assert claims.empty and "clm01" in claims.columns
    payments = pd.read_csv(out / "payments.csv")
    assert list(payments["source"]) == [str(path.absolute())]  # the full path, not the name


def test_a_damaged_segment_is_skipped_and_the_claims_read(tmp_path, capsys):
    claims = [Claim(f"E{n}", lines=[Line(line_ref=f"E{n}-1")]) for n in (1, 2, 3)]
    text = remit(claims, "300.00", plb=[Plb("WO", "X", "10.00")])
    path = tmp_path / "damaged.835"
    path.write_text(text.replace("PLB*", "PLXX*"))
    out = tmp_path / "out"
    assert main(["parse", str(path), "--out", str(out)]) == 1
    assert "1 damaged segment(s) skipped" in capsys.readouterr().err
    assert list(pd.read_csv(out / "claims.csv")["clm01"]) == ["E1", "E2", "E3"]
    findings = pd.read_csv(out / "findings.csv")
    skipped = findings[findings["code"] == "SEGMENT_ID"]
    position = text.split("~").index(next(s for s in text.split("~") if s.startswith("PLB*"))) + 1
    assert list(skipped["position"]) == [position]


def test_an_empty_argument_is_not_the_current_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "day.835").write_text(remit([], "0.00"))
    assert main(["parse", "", "--out", str(tmp_path / "out")]) == 2
    assert "'' (an empty argument) is not a file name" in capsys.readouterr().err


def test_a_response_over_the_size_cap_is_refused_saying_which_setting(
    tmp_path, capsys, monkeypatch
):
    """A 200 MB 835 took 2.1 GB to parse: the command reads no file over the cap."""
    small, big = tmp_path / "small.835", tmp_path / "big.835"
    small.write_text(remit([Claim("E1", lines=[Line(line_ref="E1-1")])], "100.00"))
    big.write_text(remit([Claim(f"E{n}", lines=[Line(line_ref=f"E{n}-1")]) for n in range(40)]))
    monkeypatch.setenv("CLAIMS_RESPONSE_MAX_BYTES", str(small.stat().st_size + 1))
    assert main(["parse", str(small), str(big), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "big.835" in err and "CLAIMS_RESPONSE_MAX_BYTES" in err and "Traceback" not in err
    assert "small.835" not in err
    assert (tmp_path / "out" / "claims.csv").read_text().count("E1") == 1
