"""835 remittances: every claim kept, money exact, balancing and duplicates as findings."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from edi.responses import (
    ResponseTables,
    claim_totals,
    drop_duplicates,
    fingerprints,
    parse_835,
    parse_any,
)
from edi.x12.delimiters import Delimiters
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import Cas, Claim, Line, Plb, remit

TEXTS = bundled_code_texts()

PAID_LINE = Line(
    charge="150.00",
    paid="100.00",
    adjustments=[Cas("CO", "45", "30.00"), Cas("PR", "2", "20.00")],
    line_ref="ENC-1-1",
    allowed="120.00",
    remarks=("N130",),
)
CLAIM = Claim("ENC-1", charge="150.00", paid="100.00", patient_resp="20.00", lines=[PAID_LINE])


def codes(tables: ResponseTables) -> list[str]:
    return list(tables.findings["code"])


def test_one_paid_claim_in_every_table():
    t = parse_835(
        remit([CLAIM], payment="75.00", plb=[Plb("WO", "PCN9", "25.00")]), "a.835", texts=TEXTS
    )
    (pay,) = t.payments.to_dict("records")
    assert pay["payment_cents"] == 7500 and pay["method"] == "CHK"
    assert pay["remit_trace"] == "CHK000123" and pay["payer_id"] == "87726"
    assert pay["payment_date"] == pd.Timestamp("2026-11-25")
    assert (pay["claims_paid_cents"], pay["plb_cents"], pay["balanced"]) == (10000, 2500, True)
    (claim,) = t.claims.to_dict("records")
    assert claim["clm01"] == "ENC-1" and claim["payer_claim_number"] == "PCN0001"
    assert (claim["charge_cents"], claim["paid_cents"]) == (15000, 10000)
    assert claim["patient_responsibility_cents"] == 2000
    assert claim["remit_trace"] == "CHK000123" and claim["balanced"]
    assert claim["claim_status_text"] == "Processed as primary"
    assert (claim["source"], claim["isa13"], claim["gs06"], claim["st02"]) == (
        "a.835",
        "000001001",
        "1001",
        "0001",
    )
    (line,) = t.lines.to_dict("records")
    assert (line["procedure_code"], line["line_ref"], line["allowed_cents"]) == (
        "99213",
        "ENC-1-1",
        12000,
    )
    assert line["line_status"] == "reduced" and line["balanced"]
    adjustments = t.adjustments[["level", "line_ref", "group_code", "carc", "amount_cents"]]
    assert adjustments.values.tolist() == [
        ["line", "ENC-1-1", "CO", "45", 3000],
        ["line", "ENC-1-1", "PR", "2", 2000],
    ]
    assert t.adjustments["carc_text"].str.len().min() > 10
    assert t.remarks[["code", "level"]].values.tolist() == [["N130", "line"]]
    assert t.provider_adjustments[["reason_code", "reference", "amount_cents"]].values.tolist() == [
        ["WO", "PCN9", 2500]
    ]
    assert codes(t) == []


def test_money_columns_are_integer_cents():
    t = parse_835(remit([CLAIM], payment="100"), texts=TEXTS)
    for name, frame in t.items():
        for column in frame.columns:
            if column.endswith("_cents"):
                assert frame[column].dtype == "Int64", (name, column)


def test_claim_without_service_lines_is_kept():
    claims = [
        Claim("ENC-A", "4", charge="80.00", paid="0", adjustments=[Cas("CO", "29", "80.00")]),
        Claim("ENC-B", charge="50.00", paid="50.00"),
        CLAIM,
    ]
    t = parse_835(remit(claims, payment="150.00"), texts=TEXTS)
    assert list(t.claims["clm01"]) == ["ENC-A", "ENC-B", "ENC-1"]
    assert list(t.claims["line_count"]) == [0, 0, 1]
    assert list(t.claims["balanced"]) == [True, True, True]
    assert t.adjustments.loc[0, ["level", "carc", "line_no"]].tolist() == ["claim", "29", pd.NA]


def test_payer_contact_per_bl_and_missing_per_both_read():
    with_per = parse_835(remit([CLAIM], payment="100.00", with_contact=True), texts=TEXTS)
    without = parse_835(remit([CLAIM], payment="100.00", with_contact=False), texts=TEXTS)
    assert list(with_per.claims["clm01"]) == list(without.claims["clm01"]) == ["ENC-1"]


def test_several_payers_and_payments_in_one_file():
    first = remit([CLAIM], payment="100.00", trace="EFT1", isa13=1)
    second = remit(
        [Claim("ENC-2", charge="90.00", paid="90.00"), Claim("ENC-3", charge="10", paid="10")],
        payment="100.00",
        trace="EFT2",
        payer_name="OTHER PAYER",
        payer_id="99999",
        isa13=2,
    )
    t = parse_835(first + "\n" + second, "two.835", texts=TEXTS)
    assert t.payments[["remit_trace", "payer_id", "claim_count"]].values.tolist() == [
        ["EFT1", "87726", 1],
        ["EFT2", "99999", 2],
    ]
    assert t.claims[["clm01", "remit_trace", "payer_name", "isa13"]].values.tolist() == [
        ["ENC-1", "EFT1", "ACME HEALTH PLAN", "000000001"],
        ["ENC-2", "EFT2", "OTHER PAYER", "000000002"],
        ["ENC-3", "EFT2", "OTHER PAYER", "000000002"],
    ]
    assert list(t.claims["claim_seq"]) == [0, 1, 2]


def test_reversal_and_correction_net_out():
    reversal = Claim(
        "ENC-1",
        status="22",
        charge="-150.00",
        paid="-100.00",
        adjustments=[Cas("CO", "45", "-50.00")],
    )
    correction = Claim(
        "ENC-1",
        charge="150.00",
        paid="120.00",
        payer_claim_number="PCN0002",
        adjustments=[Cas("CO", "45", "30.00")],
    )
    t = parse_835(remit([reversal, correction], payment="20.00"), texts=TEXTS)
    assert list(t.claims["adjustment_kind"]) == ["reversal", "correction"]
    assert list(t.claims["balanced"]) == [True, True]
    assert bool(t.payments.loc[0, "balanced"])
    first = parse_835(remit([CLAIM], payment="100.00", trace="EFT1"), "first.835", texts=TEXTS)
    second = t.replace()
    totals = claim_totals(pd.concat([first.claims, second.claims], ignore_index=True))
    (row,) = totals.to_dict("records")
    assert (row["clm01"], row["paid_cents"], row["charge_cents"]) == ("ENC-1", 12000, 15000)
    assert row["reversed"] and row["payer_claim_numbers"] == "PCN0001,PCN0002"
    assert row["remit_count"] == 2


def test_claim_paid_across_several_remittances():
    part_one = remit(
        [Claim("ENC-9", charge="200.00", paid="80.00", adjustments=[Cas("OA", "23", "120.00")])],
        payment="80.00",
        trace="EFT1",
        pay_date=date(2026, 12, 1),
    )
    part_two = remit(
        [Claim("ENC-9", charge="200.00", paid="40.00", adjustments=[Cas("OA", "23", "160.00")])],
        payment="40.00",
        trace="EFT2",
        pay_date=date(2026, 12, 15),
    )
    tables = ResponseTables.concat(
        [parse_835(part_one, "1.835", texts=TEXTS), parse_835(part_two, "2.835", texts=TEXTS)]
    )
    (row,) = claim_totals(tables.claims).to_dict("records")
    assert (row["paid_cents"], row["remit_count"]) == (12000, 2)
    assert row["last_payment_date"] == pd.Timestamp("2026-12-15")


def test_plb_only_remittance():
    text = remit([], payment="0", plb=[Plb("L6", "INTEREST", "-12.34"), Plb("WO", "X1", "12.34")])
    t = parse_835(text, texts=TEXTS)
    assert t.claims.empty and len(t.payments) == 1
    assert list(t.provider_adjustments["amount_cents"]) == [-1234, 1234]
    assert t.payments.loc[0, "balanced"]


def test_denied_line_inside_processed_claim():
    denied = Line(code="93000", charge="50.00", paid="0", adjustments=[Cas("CO", "97", "50.00")])
    claim = Claim("ENC-5", charge="200.00", paid="120.00", lines=[
        Line(charge="150.00", paid="120.00", adjustments=[Cas("CO", "45", "30.00")]),
        denied,
    ])  # fmt: skip
    t = parse_835(remit([claim], payment="120.00"), texts=TEXTS)
    assert t.claims.loc[0, "claim_status"] == "1"
    assert int(t.claims.loc[0, "denied_line_count"]) == 1
    assert list(t.lines["line_status"]) == ["reduced", "denied"]
    denial = t.adjustments[t.adjustments["line_no"] == 2]
    assert denial[["carc", "amount_cents"]].values.tolist() == [["97", 5000]]


def test_a_deductible_only_line_is_the_patients_not_denied():
    deductible = Line(code="99213", charge="150.00", paid="0",
                      adjustments=[Cas("CO", "45", "30.00"), Cas("PR", "1", "120.00")])  # fmt: skip
    mixed = Line(code="93000", charge="50.00", paid="0",
                 adjustments=[Cas("CO", "97", "20.00"), Cas("PR", "1", "30.00")])  # fmt: skip
    claim = Claim("ENC-6", charge="200.00", paid="0", lines=[deductible, mixed])
    t = parse_835(remit([claim], payment="0"), texts=TEXTS)
    assert list(t.lines["line_status"]) == ["patient", "denied"]
    assert int(t.claims.loc[0, "denied_line_count"]) == 1


def test_unbalanced_amounts_are_findings_on_rows():
    line = Line(charge="150.00", paid="100.00", adjustments=[Cas("CO", "45", "30.00")])
    claim = Claim("ENC-7", charge="150.00", paid="100.00", lines=[line])
    t = parse_835(remit([claim], payment="99.00"), texts=TEXTS)
    assert list(t.lines["balance_difference_cents"]) == [2000]
    assert list(t.claims["balance_difference_cents"]) == [2000]
    assert list(t.payments["balance_difference_cents"]) == [-100]
    assert [bool(t.lines.loc[0, "balanced"]), bool(t.claims.loc[0, "balanced"])] == [False, False]
    assert sorted(codes(t)) == ["BALANCE_CLAIM", "BALANCE_LINE", "BALANCE_PAYMENT"]
    claim_finding = t.findings[t.findings["code"] == "BALANCE_CLAIM"].iloc[0]
    assert claim_finding["clm01"] == "ENC-7" and claim_finding["position"] == 15
    assert "DOE" not in " ".join(t.findings["message"])


@pytest.mark.parametrize("bad", ["12.345", "1e3", "12,00", "ABC"])
def test_unreadable_amount_is_null_and_reported(bad):
    claim = Claim("ENC-8", charge="150.00", paid=bad, lines=[Line(paid=bad)])
    t = parse_835(remit([claim], payment="100.00"), texts=TEXTS)
    assert pd.isna(t.claims.loc[0, "paid_cents"]) and pd.isna(t.claims.loc[0, "balanced"])
    assert pd.isna(t.payments.loc[0, "balanced"])
    assert codes(t).count("BAD_AMOUNT") == 2
    assert t.findings.loc[0, "clm01"] == "ENC-8"


def test_cas_with_several_reasons_and_quantities():
    line = Line(
        charge="300.00",
        paid="100.00",
        units="3",
        adjustments=[
            Cas("CO", "45", "100.00"),
            Cas("CO", "59", "60.00", "1"),
            Cas("CO", "97", "40"),
        ],
    )
    t = parse_835(
        remit([Claim("ENC-4", charge="300.00", paid="100.00", lines=[line])], "100"), texts=TEXTS
    )
    assert t.adjustments[["carc", "amount_cents"]].values.tolist() == [
        ["45", 10000],
        ["59", 6000],
        ["97", 4000],
    ]
    assert str(t.adjustments.loc[1, "quantity"]) == "1"
    assert str(t.lines.loc[0, "units_paid"]) == "3" and t.lines.loc[0, "balanced"]


def test_moa_remarks_and_submitted_code():
    line = Line(code="99214", submitted_code="99215", modifiers=("25", "59"))
    claim = Claim("ENC-6", lines=[line], moa=("MA01", "N130"), statement=("20261120", "20261121"))
    t = parse_835(remit([claim], payment="100.00"), texts=TEXTS)
    assert t.claims.loc[0, "remark_codes"] == "MA01,N130"
    assert t.claims.loc[0, "statement_to"] == pd.Timestamp("2026-11-21")
    assert t.remarks[["origin", "code", "level"]].values.tolist() == [
        ["MOA", "MA01", "claim"],
        ["MOA", "N130", "claim"],
    ]
    row = t.lines.loc[0]
    assert (row["procedure_code"], row["modifiers"], row["submitted_code"]) == (
        "99214",
        "25,59",
        "99215",
    )


def test_same_835_twice_is_detected_not_double_counted():
    original = remit([CLAIM], payment="100.00", isa13=10, st02=1)
    again = remit([CLAIM], payment="100.00", isa13=11, st02=7, delimiters=Delimiters("|", ">"),
                  line_breaks=True)  # fmt: skip
    t = parse_any(original + again, "both.835", texts=TEXTS)
    assert list(t.payments["duplicate"]) == [False, True]
    assert list(t.claims["clm01"]) == ["ENC-1"] and len(t.lines) == 1
    assert "DUPLICATE_TRANSACTION" in codes(t)
    assert t.payments["fingerprint"].nunique() == 1
    # across deliveries: the fingerprints already read
    seen = fingerprints(parse_any(original, "day1.835", texts=TEXTS))
    later = parse_any(again, "day2.835", seen=seen, texts=TEXTS)
    assert later.claims.empty and bool(later.payments.loc[0, "duplicate"])
    # on tables read separately and put together
    merged = ResponseTables.concat(
        [parse_any(original, "a", texts=TEXTS), parse_any(again, "b", texts=TEXTS)]
    )
    deduped = drop_duplicates(merged, set())
    assert list(deduped.payments["duplicate"]) == [False, True]
    assert list(deduped.claims["source"]) == ["a"] and list(deduped.lines["source"]) == ["a"]


def test_a_different_payment_is_not_a_duplicate():
    one = parse_any(remit([CLAIM], payment="100.00", trace="EFT1"), texts=TEXTS)
    two = parse_any(remit([CLAIM], payment="100.00", trace="EFT2"), texts=TEXTS)
    assert fingerprints(one).isdisjoint(fingerprints(two))


def test_other_kinds_and_sets_are_skipped_with_findings():
    from tests.support.x12files import SetAck, ack_999

    t = parse_835(remit([CLAIM], payment="100.00") + ack_999("1", [SetAck("0001")]), texts=TEXTS)
    assert list(t.claims["clm01"]) == ["ENC-1"] and t.acks.empty
    assert "WRONG_KIND" in codes(t)
