"""The coding-review worklist a biller opens, answered and imported back: the claim is
released into the next night; wrong answers are named by row and the rest still count."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.cli import main
from flows.holds import release_answered
from flows.ledger.held import Answer
from flows.outputs.coding_review import REVIEW_COLUMNS, REVIEW_TITLE
from flows.worklists.coding_review import write_coding_review
from tests.night.conftest import NIGHT, Build, ecg_pair, encounter


def _answer(path: Path, answers: dict[str, str]) -> None:
    """Type answers into the workbook's Answer column, as a biller would."""
    wb = load_workbook(path)
    ws = wb[REVIEW_TITLE]
    headers = [c[1] for c in REVIEW_COLUMNS]
    qid, answer = headers.index("Query ID") + 1, headers.index("Answer") + 1
    for row in range(2, ws.max_row + 1):
        value = answers.get(ws.cell(row=row, column=qid).value)
        if value:
            ws.cell(row=row, column=answer, value=value)
    wb.save(path)


def test_the_worklist_answered_and_imported_releases_the_claims(
    build: Build, tmp_path: Path, ledger_url: str, capsys: pytest.CaptureFixture
) -> None:
    unspecified = encounter(encounter_id="DM-1", diagnoses=["R51.9"])
    unspecified["service_lines"] = unspecified["service_lines"][:1]
    unspecified["service_lines"][0]["diagnosis_pointers"] = [1]
    build.checks.context.payers["87726"] = build.checks.context.payers["87726"].model_copy(
        update={"dispositions": {"SNIP7.NCCI.": "hold", "SNIP5.ICD10.SYMPTOM_PRINCIPAL": "hold"}}
    )
    build.put("day.jsonl", [ecg_pair("ECG-9"), unspecified])
    assert build.night().held == 2
    review = write_coding_review(build.ledger, NIGHT, NIGHT, tmp_path, 7)
    assert review.counts["queries pending"] == 2

    rows = list(load_workbook(review.workbook)[REVIEW_TITLE].iter_rows(values_only=True))
    by_claim = {r[1]: dict(zip([c[1] for c in REVIEW_COLUMNS], r, strict=True)) for r in rows[1:]}
    dm = by_claim["DM-1"]
    question = dm["Question for the provider"]
    assert question.index("Headache") < question.index("R51.9")  # clinical words, then codes
    assert "R51.0" not in question  # non-leading: the question suggests no answer
    assert "clinically undetermined" in dm["Choices"] and "other" in dm["Choices"]
    assert "Diagnosis 1: Headache, unspecified (R51.9)" in dm["Clinical facts"]
    assert "code:R510" in dm["Choices"]
    html = Path(review.report).read_text()
    assert "ECG-9" in html and "<script" not in html

    _answer(Path(review.workbook), {dm["Query ID"]: "R51.0", by_claim["ECG-9"]["Query ID"]: "nope"})
    code = main(["queries", "import", review.workbook, "--ledger", ledger_url])

    out, err = capsys.readouterr()
    assert code == 1 and "1 answer(s) recorded" in out and "1 claim(s) released" in out
    assert f"{REVIEW_TITLE}:" in err and "'nope' is not one of the choices" in err
    later = build.released(NIGHT + timedelta(days=1))
    assert later.claims == 1
    [held] = [h for h in build.ledger.find_holds() if h.clm01 == "DM-1"]
    assert held.answered["diagnoses"] == ["R510"] and held.encounter["diagnoses"] == ["R519"]


def test_aged_queries_are_counted_and_marked(build: Build, tmp_path: Path) -> None:
    build.put("day.jsonl", [ecg_pair("ECG-10")])
    build.night()
    review = write_coding_review(build.ledger, NIGHT, NIGHT + timedelta(days=8), tmp_path, 7)
    assert review.counts["queries aged"] == 1 and review.aged == review.pending
    [query] = build.ledger.find_queries()
    build.ledger.record_answers([Answer(query.query_id, "remove-line")])
    release_answered(build.ledger)
    review = write_coding_review(build.ledger, NIGHT, NIGHT + timedelta(days=8), tmp_path, 7)
    assert review.counts["queries answered"] == 1 and review.counts["queries aged"] == 0
    wb = load_workbook(io.BytesIO(Path(review.workbook).read_bytes()))
    assert wb[REVIEW_TITLE].max_row == 1  # released: off the worklist


def test_claims_queries_build_and_unusable_imports(
    build: Build, tmp_path: Path, ledger_url: str, capsys: pytest.CaptureFixture
) -> None:
    build.put("day.jsonl", [ecg_pair("ECG-11")])
    build.night()

    assert main(["queries", "build", "--out", str(tmp_path / "out"), "--ledger", ledger_url]) == 0
    out = capsys.readouterr().out
    assert "queries pending: 1" in out and "coding-review-" in out
    [workbook] = (tmp_path / "out").glob("*.xlsx")
    assert load_workbook(workbook)[REVIEW_TITLE].max_row == 2

    assert main(["queries", "import", str(tmp_path / "none.xlsx"), "--ledger", ledger_url]) == 2
    assert "none.xlsx: no such file" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["queries", "import", str(tmp_path / "notes.txt"), "--ledger", ledger_url]) == 2
    assert "expected the coding-review .xlsx workbook or a .csv" in capsys.readouterr().err
    (tmp_path / "fake.xlsx").write_bytes(b"not a workbook")
    assert main(["queries", "import", str(tmp_path / "fake.xlsx"), "--ledger", ledger_url]) == 2
    assert "fake.xlsx: not a readable .xlsx workbook" in capsys.readouterr().err
    (tmp_path / "a.csv").write_text("Query ID,Answer\nQ-NOPE-1,remove-line\n")
    assert main(["queries", "import", str(tmp_path / "a.csv"), "--ledger", ledger_url]) == 1
    assert "a.csv:2: no query Q-NOPE-1 in the ledger" in capsys.readouterr().err
