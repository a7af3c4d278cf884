"""The table contract: documented, typed, stable whatever the input holds."""

from __future__ import annotations

from pathlib import Path

from edi.responses import SCHEMAS, ResponseTables, parse_any
from edi.responses.tables import markdown
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import Claim, SetAck, Status, ack_999, claim_ack, remit, ta1

TEXTS = bundled_code_texts()

DOCS = Path(__file__).resolve().parents[2] / "docs" / "tables.md"


def test_docs_match_the_schemas():
    assert DOCS.read_text() == markdown()


def test_money_is_cents_and_every_table_has_its_columns_and_dtypes():
    for schema in SCHEMAS.values():
        for name, dtype, _ in schema:
            if name.endswith("_cents"):
                assert dtype == "Int64", name
    inputs = [
        remit([Claim("E1")], "100.00"),
        claim_ack([Status("E1")]),
        ack_999("1", [SetAck("0001")]),
        ta1("000000001"),
        remit([Claim("E1")], "100.00") + ta1("000000001"),
    ]
    for text in inputs:
        tables = parse_any(text, texts=TEXTS)
        for name, frame in tables.items():
            assert [(c, frame[c].dtype) for c in frame.columns] == [
                (c, d) for c, d, _ in SCHEMAS[name]
            ], name


def test_concat_keeps_sources_and_empty_concat_is_empty():
    a, b = (
        parse_any(remit([Claim("E1")], "100.00"), "a", texts=TEXTS),
        parse_any(claim_ack([Status("E2")]), "b", texts=TEXTS),
    )
    both = ResponseTables.concat([a, b])
    assert list(both.claims["source"]) == ["a"]
    assert set(both.claim_status["source"]) == {"b"}
    empty = ResponseTables.concat([])
    assert all(frame.empty for _, frame in empty.items())
