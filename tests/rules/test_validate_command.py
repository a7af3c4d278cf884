"""``claims validate`` end to end: exit codes, text and JSON output, acks on disk, and
the public sample files (read without a crash, a verdict for every claim)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import main
from tests.factories import encounter
from tests.fixtures.services import service_missing
from tests.rules import cms_files
from tests.rules.test_file_corpus import built, clean, sub
from tests.support.judge import pyx12_errors

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "x12-samples"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_clean_file_exits_zero_and_writes_a_999(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "clean.837", clean())
    code = main(["validate", str(path), "--today", "2026-11-27", "--ack", str(tmp_path / "acks")])
    assert code == 0
    assert "clean.837: ACCEPTED — 1 claim(s), 0 would be rejected" in capsys.readouterr().out
    ack = (tmp_path / "acks" / "clean.837.999").read_text()
    assert "AK9*A*1*1*1~" in ack and pyx12_errors(ack) == []


def test_rejected_claim_exits_one_with_json(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "bad.837", sub(r"ABK:E1140", "ABK:E11")(clean()))
    assert main(["validate", str(path), "--format", "json", "--today", "2026-11-27"]) == 1
    report = json.loads(capsys.readouterr().out)
    (claim,) = report["transactions"][0]["claims"]
    assert claim["rejected"] and claim["clm01"] == "ENC-20261120-0001"
    assert "SNIP5.ICD10.NOT_BILLABLE" in {f["rule_id"] for f in claim["findings"]}


def test_a_clean_claim_in_a_rejected_transaction_set_says_so(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "count.837", sub(r"^SE\*", "SE*9")(clean()))  # SE01 off: IK5 4
    assert main(["validate", str(path), "--today", "2026-11-27"]) == 1
    out = capsys.readouterr().out
    assert "count.837: REJECTED — 1 claim(s), 1 would be rejected" in out
    assert "rejected by the 999" in out
    assert "claim ENC-20261120-0001 (segment " in out
    assert "): REJECTED (with its transaction set)" in out


def test_an_amount_past_any_decimal_context_is_a_finding(tmp_path: Path, capsys) -> None:
    path = write(
        tmp_path, "huge.837", sub(r"^(SV1\*HC:[^*]+)\*[0-9.]+", r"\1*" + "1" * 30)(clean())
    )
    assert main(["validate", str(path), "--today", "2026-11-27"]) == 1
    out = capsys.readouterr().out
    assert "huge.837: REJECTED — 1 claim(s), 1 would be rejected" in out
    assert "SV102" in out


def test_code_set_files_from_the_command_line(tmp_path: Path, capsys) -> None:
    data = encounter()
    data["service_lines"] = [
        {"procedure_code": "27447", "charge": "900.00", "units": "1",
         "service_date": "2026-11-20", "diagnosis_pointers": [1]},
        {"procedure_code": "20610", "charge": "90.00", "units": "1",
         "service_date": "2026-11-20", "diagnosis_pointers": [1]},
    ]  # fmt: skip
    path = write(tmp_path, "ncci.837", built(data))
    ptp = write(tmp_path, "ccipra.txt", cms_files.ptp_text())
    code = main(["validate", str(path), "--today", "2026-11-27", "--ptp", str(ptp)])
    assert code == 1
    assert "SNIP7.NCCI.PTP_NOT_ALLOWED" in capsys.readouterr().out


def test_missing_file_exits_two(tmp_path: Path) -> None:
    assert main(["validate", str(tmp_path / "nope.837")]) == 2


UNUSABLE = [
    ("empty", "", "the file is not X12: expected an ISA segment, found the end of the input"),
    ("not X12", "Dear billing office,\nplease find our claims attached.\n", "is not X12"),
    ("an 835", sub(r"^ST\*837\*", "ST*835*")(clean()), "is a 835 (005010X222A1), not a"),
    (
        "a 4010 837",
        sub(r"005010X222A1", "004010X098A1", count=0)(clean()),
        "004010X098A1 is not supported",
    ),
]


@pytest.mark.parametrize(
    ("text", "reason"), [c[1:] for c in UNUSABLE], ids=[c[0] for c in UNUSABLE]
)
def test_an_unusable_file_exits_two_saying_why(
    tmp_path: Path, capsys, text: str, reason: str
) -> None:
    path = write(tmp_path, "in.837", text)
    assert main(["validate", str(path), "--today", "2026-11-27"]) == 2
    err = capsys.readouterr().err
    assert f"claims validate: {path}: unusable: " in err and reason in err


def test_a_good_file_beside_an_unusable_one_exits_one(tmp_path: Path, capsys) -> None:
    good, bad = write(tmp_path, "good.837", clean()), write(tmp_path, "bad.837", "")
    assert main(["validate", str(good), str(bad), "--today", "2026-11-27"]) == 1
    out = capsys.readouterr().out
    assert f"{good}: ACCEPTED" in out  # named by the path as given


def test_an_empty_argument_is_not_the_current_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "clean.837", clean())
    assert main(["validate", "", "--today", "2026-11-27"]) == 2
    captured = capsys.readouterr()
    assert "'' (an empty argument) is not a file name" in captured.err
    assert "clean.837" not in captured.out


def _sample_files() -> list[Path]:
    if not SAMPLES.exists():
        return []
    return sorted(
        p for p in SAMPLES.rglob("*")
        if p.is_file() and ("837" in p.name or "837" in p.parent.name)
        and p.stat().st_size < 40_000
    )  # fmt: skip


def test_public_samples_never_crash(tmp_path: Path, capsys) -> None:
    if not _sample_files():
        service_missing("shared/x12-samples is not beside the project")
    files = _sample_files()
    code = main(["validate", *map(str, files), "--format", "json", "--today", "2026-11-27",
                 "--ack", str(tmp_path)])  # fmt: skip
    assert code in (0, 1)
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in reports] == [str(f) for f in files]
    readable = [r for r in reports if r["transactions"]]
    assert any(t["claims"] for r in readable for t in r["transactions"])
    for report in readable:
        for tx in report["transactions"]:
            assert all(isinstance(c["rejected"], bool) for c in tx["claims"])
