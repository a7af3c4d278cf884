"""Answers to coding queries, from the coding-review workbook (or a CSV) a biller filled.

Rows are read by header ("Query ID", "Answer", "Note"); a blank answer is skipped; an
answer that is not one of the query's choices (nor a code, for a query about a code) is a
problem naming the row, and the other rows still count.  Recorded answers release the
claims whose queries are all answered (:func:`flows.holds.release_answered`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook

from edi.worklists.coding_review import AnswerError, normalise_answer
from flows.holds import ReleaseSummary, release_answered
from flows.ledger import Ledger
from flows.ledger.held import Answer, AnswerOutcome
from flows.outputs.coding_review import REVIEW_TITLE
from flows.outputs.tables import restore
from flows.worklists.imports import UnreadableWorklist

_HEADERS = {"query id": "query_id", "query_id": "query_id", "answer": "answer", "note": "note"}


@dataclass(frozen=True, slots=True)
class TypedAnswer:
    query_id: str
    answer: str
    note: str | None
    where: str


@dataclass
class AnswerImport:
    outcome: AnswerOutcome = field(default_factory=AnswerOutcome)
    release: ReleaseSummary = field(default_factory=ReleaseSummary)
    problems: list[str] = field(default_factory=list)


def read_answers(name: str, data: bytes) -> list[TypedAnswer]:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows, where = _xlsx_rows(name, data), REVIEW_TITLE
    elif lower.endswith(".csv"):
        rows, where = _csv_rows(data), name
    else:
        raise UnreadableWorklist(f"{name}: expected the coding-review .xlsx workbook or a .csv")
    header = next(rows, None) or ()
    index = {_HEADERS[str(h).strip().lower()]: i for i, h in enumerate(header)
             if h is not None and str(h).strip().lower() in _HEADERS}  # fmt: skip
    if "query_id" not in index or "answer" not in index:
        raise UnreadableWorklist(f"{name}: no 'Query ID' and 'Answer' columns")
    found = []
    for number, row in enumerate(rows, start=2):
        qid, answer = _cell(row, index["query_id"]), _cell(row, index["answer"])
        if qid and answer:
            note = _cell(row, index.get("note"))
            found.append(TypedAnswer(qid, answer, note, f"{where}:{number}"))
    return found


def _xlsx_rows(name: str, data: bytes):
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        raise UnreadableWorklist(f"{name}: not a readable .xlsx workbook") from exc
    if REVIEW_TITLE not in wb.sheetnames:
        raise UnreadableWorklist(f"{name}: no sheet named {REVIEW_TITLE!r}")
    return iter(list(wb[REVIEW_TITLE].iter_rows(values_only=True)))


def _csv_rows(data: bytes):
    return iter(list(csv.reader(io.StringIO(data.decode("utf-8-sig")))))


def _cell(row: tuple, index: int | None) -> str | None:
    if index is None or index >= len(row) or row[index] is None:
        return None
    text = restore(str(row[index])).strip()
    return text or None


def import_answers(ledger: Ledger, name: str, data: bytes) -> AnswerImport:
    """Record the file's answers, then release what they complete."""
    result = AnswerImport()
    typed = read_answers(name, data)
    queries = {q.query_id: q for q in ledger.find_queries()}
    answers = []
    for item in typed:
        query = queries.get(item.query_id)
        if query is None:
            result.problems.append(f"{item.where}: no query {item.query_id} in the ledger")
            continue
        try:
            value = normalise_answer(item.answer, query.payload["choices"], query.field)
        except AnswerError as exc:
            result.problems.append(f"{item.where}: query {item.query_id}: {exc}")
            continue
        answers.append(Answer(item.query_id, value, item.note))
    result.outcome = ledger.record_answers(answers)
    result.release = release_answered(ledger)
    return result
