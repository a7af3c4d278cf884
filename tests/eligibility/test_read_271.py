"""Hand-written 271s (X279A1) read into answers: active, inactive, dependent, other payer, AAA."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edi.eligibility.read_271 import cost_sharing, read_271
from tests.support.x12files import Eligibility271, eligibility_271

MEMBER = ("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "W100000001")


ANSWERS = [
    Eligibility271("ACTIVE", [
        MEMBER, ("DMG", "D8", "19800201", "F"), ("DTP", "346", "D8", "20260101"),
        ("EB", "1", "IND", "30", "HM", "GOLD PLAN"),
        ("EB", "B", "IND", "98", "", "", "27", "25.00"),
        ("EB", "C", "IND", "30", "", "", "29", "350.50"),
        ("EB", "A", "IND", "30", "", "", "27", "", "0.2"),
    ]),
    Eligibility271("INACTIVE", [MEMBER, ("DTP", "347", "D8", "20260430"),
                                ("EB", "6", "IND", "30")]),
    Eligibility271("KID", [("NM1", "03", "1", "DOE", "TIMOTHY"),
                           ("DMG", "D8", "20150506", "M"), ("EB", "1", "FAM", "30")],
                   dependent=True),
    Eligibility271("COB", [MEMBER, ("EB", "1", "IND", "30"), ("EB", "R", "", "30"),
                           ("REF", "IG", "M77"), ("MSG", "SECONDARY ON FILE"),
                           ("LS", "2120"),
                           ("NM1", "SEP", "2", "OTHER MUTUAL", "", "", "", "", "PI", "OM1"),
                           ("LE", "2120")]),
    Eligibility271("UNKNOWN", [MEMBER, ("AAA", "N", "", "75", "C")]),
]  # fmt: skip
"""One of each kind of answer; tests/validate/test_own_guides.py judges them by the guide."""


@pytest.fixture(scope="module")
def answers():
    text = eligibility_271(ANSWERS)
    return {a.inquiry_id: a for a in read_271(text.encode("ascii"), "a.271")}


def test_every_answer_lands_on_its_inquiry(answers):
    assert list(answers) == ["ACTIVE", "INACTIVE", "KID", "COB", "UNKNOWN"]


def test_active_coverage_with_plan_dates_and_money(answers):
    a = answers["ACTIVE"]
    assert a.covered() is True
    assert a.dates == {"plan_begin": "20260101"}
    assert (a.last_name, a.member_id, a.birth_date) == ("DOE", "W100000001", "19800201")
    money = {b.code: (b.amount, b.percent) for b in a.benefits if b.code in "BCA"}
    assert money == {"B": (Decimal("25.00"), None), "C": (Decimal("350.50"), None),
                     "A": (None, Decimal("0.2"))}  # fmt: skip
    assert cost_sharing(a) == {"copay": "25.00", "deductible": "350.50", "coinsurance": "20%"}


def test_inactive_coverage_ends_on_the_plan_end_date(answers):
    a = answers["INACTIVE"]
    assert a.covered() is False
    assert a.dates == {"plan_end": "20260430"}


def test_dependent_answer_names_the_patient_as_the_payer_knows_them(answers):
    a = answers["KID"]
    assert (a.level, a.first_name, a.birth_date) == ("dependent", "TIMOTHY", "20150506")
    assert a.covered() is True and a.benefits[0].coverage_level == "FAM"


def test_other_payer_is_named(answers):
    (other,) = answers["COB"].other_payers
    assert (other.role, other.name, other.payer_id, other.member_id) == (
        "SEP", "OTHER MUTUAL", "OM1", "M77")  # fmt: skip
    assert answers["COB"].messages == ["SECONDARY ON FILE"]
    assert answers["ACTIVE"].other_payers == []


def test_aaa_rejection_keeps_its_reason(answers):
    a = answers["UNKNOWN"]
    assert a.rejections == ["75"]
    assert a.covered() is None


def test_claims_parse_reads_a_271_into_tables(tmp_path):
    """``claims parse`` writes the answers, their benefits and other payers as tables."""
    import pandas as pd

    from flows.cli import main

    path = tmp_path / "answers.271"
    path.write_text(
        eligibility_271(
            [
                Eligibility271(
                    "ACTIVE",
                    [
                        MEMBER,
                        ("EB", "1", "IND", "30"),
                        ("EB", "B", "IND", "98", "", "", "27", "25.00"),
                    ],
                ),
                Eligibility271(
                    "COB",
                    [
                        MEMBER,
                        ("EB", "1", "IND", "30"),
                        ("EB", "R", "", "30"),
                        ("LS", "2120"),
                        ("NM1", "PRP", "2", "OTHER MUTUAL"),
                        ("LE", "2120"),
                    ],
                ),
                Eligibility271("UNKNOWN", [MEMBER, ("AAA", "N", "", "75", "C")]),
            ]
        )
    )
    assert main(["parse", str(path), "--out", str(tmp_path / "out"), "--format", "parquet"]) == 0
    answers = pd.read_parquet(tmp_path / "out" / "eligibility.parquet")
    assert list(answers["trace"]) == ["ACTIVE", "COB", "UNKNOWN"]
    assert list(answers["coverage"]) == ["active", "active", "unknown"]
    assert answers["copay_cents"].tolist()[0] == 2500 and answers["rejections"][2] == "75"
    others = pd.read_parquet(tmp_path / "out" / "eligibility_other_payers.parquet")
    assert others[["trace", "role", "name"]].values.tolist() == [["COB", "PRP", "OTHER MUTUAL"]]
    benefits = pd.read_parquet(tmp_path / "out" / "eligibility_benefits.parquet")
    assert len(benefits) == 4


def test_the_tables_have_the_documented_columns_and_dtypes(answers):
    """``docs/tables.md`` lists the 271 tables from SCHEMAS: each frame has exactly those."""
    from edi.eligibility.tables import SCHEMAS, eligibility_tables

    frames = eligibility_tables(("a.271", a) for a in answers.values())
    for name, schema in SCHEMAS.items():
        got = [(c, str(frames[name][c].dtype)) for c in frames[name].columns]
        assert got == [(c, d) for c, d, _ in schema], name
    assert frames["eligibility"]["coinsurance"].tolist()[0] == "20%"
