"""Each row of mappings/denials.csv changed for issue 15, read from a hand-written 835.

A plain reading of each adjustment: a CO adjustment never says "bill the patient"; a penalty
or a regulatory reduction is posted, not worked; CO-31 needs a new claim; CO-97 follows the
NCCI modifier indicator when the edits are known; Medicare Part B is reopened, not replaced.
"""

from __future__ import annotations

from datetime import date

import pytest

from edi.codesets.ncci import PtpEdit, PtpEdits
from edi.worklists.adapt import from_response_tables
from edi.worklists.classify import classify
from edi.worklists.rules import MEDICARE_B
from tests.support.x12files import Cas, Claim, Line, remit
from tests.worklists.conftest import context
from tests.worklists.tables import parse
from tests.worklists.test_classify import rows_of


def _denial(carc_cas, rules, settings, terms, clm01="ENC-1", codes=("99214",), ptp=None):
    """The denial rows of a one-claim 835 whose first line carries ``carc_cas``."""
    lines = [Line(codes[0], "90", "0", f"{clm01}-1", [carc_cas])]
    lines += [Line(code, "10", "10", f"{clm01}-{i}") for i, code in enumerate(codes[1:], 2)]
    charge = str(90 + 10 * (len(codes) - 1))
    claim = Claim(clm01, "1", charge, str(10 * (len(codes) - 1)), "", "PCN9", lines=lines)
    ctx = context()
    responses, texts = from_response_tables(parse(("t9.835", remit([claim], trace="T9"))))
    result = classify(responses, ctx, rules, settings, terms, date(2026, 11, 27), texts, ptp=ptp)
    return rows_of(result, ctx, settings, terms)["denials"]


NO_PATIENT_BILL_ON_CO = ["119", "35", "49", "51"]


@pytest.mark.parametrize("carc", NO_PATIENT_BILL_ON_CO)
def test_a_co_adjustment_never_bills_the_patient(carc, rules, settings, terms):
    rows = _denial(Cas("CO", carc, "90"), rules, settings, terms)
    (row,) = rows.to_dict("records")
    assert row["action_kind"] != "bill_patient" and "bill the patient" in row["action"]
    assert row["action"].startswith("Do not bill the patient")


@pytest.mark.parametrize("carc", ["35", "49", "51"])
def test_the_same_carc_under_pr_is_the_patients(carc, rules):
    rule = rules.lookup("PR", carc)
    assert (rule.kind, rule.action_kind) == ("normal", "bill_patient")


@pytest.mark.parametrize("carc", ["237", "209", "B10", "100"])
def test_penalties_and_regulatory_reductions_are_posted_not_payer_errors(
    carc, rules, settings, terms
):
    rows = _denial(Cas("CO", carc, "90"), rules, settings, terms)
    assert rows.empty
    rule = rules.lookup("CO", carc)
    assert rule.carc == carc and rule.category != "payer error"


def test_co_100_collects_from_the_patient_what_the_payer_paid_them(rules):
    rule = rules.lookup("CO", "100")
    assert rule.action_kind == "bill_patient" and "paid the patient" in rule.why


def test_co_209_says_not_to_bill_the_patient(rules):
    assert "do not bill the patient" in rules.lookup("CO", "209").action


@pytest.mark.parametrize(("carc", "word"), [("231", "Mutually exclusive"), ("B14", "one visit")])
def test_coding_denials_have_their_own_advice(carc, word, rules, settings, terms):
    (row,) = _denial(Cas("CO", carc, "90"), rules, settings, terms).to_dict("records")
    assert (row["category"], row["action_kind"]) == ("coding", "correct")
    assert word in row["why"]


def test_co_31_needs_a_new_claim_not_a_replacement(rules, settings, terms):
    (row,) = _denial(Cas("CO", "31", "90"), rules, settings, terms).to_dict("records")
    assert row["action_kind"] == "resubmit"
    assert "NEW original claim (frequency 1)" in row["action"]


def _ptp(indicator: str) -> PtpEdits:
    return PtpEdits("test", [PtpEdit("99214", "36415", date(2020, 1, 1), None, indicator, "")])


def test_co_97_with_indicator_0_is_a_write_off(rules, settings, terms):
    rows = _denial(Cas("CO", "97", "90"), rules, settings, terms, codes=("99214", "36415"),
                   ptp=_ptp("0"))  # fmt: skip
    (row,) = rows.to_dict("records")
    assert row["action_kind"] == "write_off" and "indicator 0" in row["why"]


def test_co_97_with_indicator_1_advises_the_modifier(rules, settings, terms):
    rows = _denial(Cas("CO", "97", "90"), rules, settings, terms, codes=("99214", "36415"),
                   ptp=_ptp("1"))  # fmt: skip
    (row,) = rows.to_dict("records")
    assert row["action_kind"] == "correct" and "indicator 1" in row["why"]


def test_co_97_without_the_edits_says_to_check_them(rules, settings, terms):
    rows = _denial(Cas("CO", "97", "90"), rules, settings, terms, codes=("99214", "36415"))
    (row,) = rows.to_dict("records")
    assert row["action"].startswith("Check the NCCI edit")


def test_medicare_part_b_is_reopened_not_corrected(rules, settings, terms):
    medicare = _denial(Cas("CO", "4", "90"), rules, settings, terms, clm01="ENC-3")
    commercial = _denial(Cas("CO", "4", "90"), rules, settings, terms, clm01="ENC-1")
    (part_b,) = medicare.to_dict("records")
    (other,) = commercial.to_dict("records")
    assert part_b["action_kind"] == "reopen" and "clerical reopening" in part_b["action"]
    assert "frequency 7" not in part_b["action"].replace("corrected claim (frequency 7)", "")
    assert other["action_kind"] == "correct" and "frequency 7" in other["action"]


def test_medicare_part_b_unprocessable_still_needs_a_new_claim(rules):
    rule = rules.lookup("CO", "16", ["MA130"], [MEDICARE_B])
    assert rule.action_kind == "resubmit"


def test_co_236_with_indicator_0_is_a_write_off(rules, settings, terms):
    rows = _denial(Cas("CO", "236", "90"), rules, settings, terms, codes=("99214", "36415"),
                   ptp=_ptp("0"))  # fmt: skip
    (row,) = rows.to_dict("records")
    assert row["action_kind"] == "write_off" and "indicator 0" in row["why"]
