"""Claims to later payers: the COB loops written, judged by pyx12, read back, balanced."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from edi.claims.cob_loops import claim_cob, filed_cob
from edi.claims.intake import Accepted, admit
from edi.claims.models import Encounter
from edi.claims.read_837 import FiledEncounter, file_claims
from edi.claims.records import Record
from edi.rules.registry import CheckContext, run_checks
from edi.x12.reader import iter_segments
from tests.claims.test_build_837p import build
from tests.cob.cases import MEDICARE, MEDIGAP, SPOUSE, coverage, primary_paid, secondary, tertiary
from tests.factories import encounter
from tests.support.judge import pyx12_errors


def _outcome(data: dict[str, Any], context: CheckContext) -> Any:
    (outcome,) = admit([Record("cob.jsonl:1", data)], context)
    return outcome


def _rules(data: dict[str, Any], context: CheckContext) -> set[str]:
    return {f.rule_id for f in _outcome(data, context).findings if f.rejects}


def _segments(text: str) -> list[str]:
    return [s for s in text.replace("\n", "").split("~") if s]


def _read(data: dict[str, Any]) -> tuple[str, FiledEncounter]:
    (ic,) = build(data)
    (claim,) = file_claims(iter_segments(ic.text))
    return ic.text, FiledEncounter.model_validate(claim.record)


CHILD = {
    "last_name": "Doe",
    "first_name": "Amy",
    "birth_date": "2015-06-01",
    "sex": "F",
    "relationship_to_subscriber": "19",
    "address": encounter()["subscriber"]["address"],
}
CASES = {
    "secondary after a partial primary": secondary(),
    "tertiary after primary and spouse's plan": tertiary(),
    "primary naming its secondary": encounter(other_coverage=[coverage(MEDIGAP)]),
    "paper EOB, claim level only": secondary(
        prior_adjudications=[
            primary_paid(
                MEDICARE["payer_id"],
                lines=[],
                claim_adjustments=[
                    {"group": "CO", "reason": "45", "amount": "30.00"},
                    {"group": "PR", "reason": "1", "amount": "25.00"},
                ],
            )
        ]
    ),
    "Medicare secondary (working aged)": encounter(
        encounter_id="ENC-COB-M2",
        other_coverage=[coverage(MEDICARE, insurance_type="12")],
        billed_payer_sequence="S",
        prior_adjudications=[primary_paid()],
    ),
    "dependent of the primary, spouse's plan second": encounter(
        encounter_id="ENC-COB-D1",
        patient={
            "last_name": "Doe",
            "first_name": "Amy",
            "birth_date": "2015-06-01",
            "sex": "F",
            "relationship_to_subscriber": "19",
            "address": encounter()["subscriber"]["address"],
        },
        other_coverage=[coverage(MEDIGAP, {**SPOUSE}, patient_relationship="19")],
        billed_payer_sequence="S",
        prior_adjudications=[primary_paid()],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_cob_claims_are_admitted_and_pyx12_accepts_them(name: str, context: CheckContext) -> None:
    data = CASES[name]
    outcome = _outcome(data, context)
    assert isinstance(outcome, Accepted), [f.rule_id for f in outcome.findings]
    (ic,) = build(data)
    assert pyx12_errors(ic.text) == []


def test_a_claim_without_cob_reads_back_without_a_view() -> None:
    _, filed = _read(encounter())
    assert claim_cob(Encounter.model_validate(encounter())) is None
    assert filed_cob(filed) is None


@pytest.mark.parametrize("name", CASES)
def test_cob_loops_read_back_as_written(name: str, context: CheckContext) -> None:
    data = CASES[name]
    sent = claim_cob(Encounter.model_validate(data))
    _, filed = _read(data)
    read = filed_cob(filed)
    assert sent is not None and read is not None
    assert (read.sequence, read.insurance_type, read.lines) == (
        sent.sequence,
        sent.insurance_type,
        sent.lines,
    )
    fields = ("responsibility", "relationship", "paid_amount", "patient_amount", "paid_date",
              "payer_claim_number", "adjustments", "insurance_type")  # fmt: skip
    for mine, theirs in zip(sent.others, read.others, strict=True):
        assert [getattr(theirs, f) for f in fields] == [getattr(mine, f) for f in fields]
        assert theirs.payer.payer_id == mine.payer.payer_id
        assert theirs.subscriber.member_id == mine.subscriber.member_id
    assert not [f.rule_id for f in run_checks(filed, context) if "COB" in f.rule_id]


def test_secondary_claim_carries_the_primarys_adjudication() -> None:
    text, filed = _read(secondary())
    segments = _segments(text)
    assert "SBR*S*18*******CI" in segments  # 2000B: billed to the Medigap plan
    assert filed.payer.payer_id == MEDIGAP["payer_id"]
    other = segments.index("SBR*P*18*******MB")  # 2320: Medicare, primary
    assert segments[other + 1 : other + 3] == ["AMT*D*120", "OI***Y***Y"]
    assert "DTP*573*D8*20261127" in segments and "REF*F8*ICN0001" in segments
    line1 = segments.index("SVD*SBXMCR*100*HC:99213:25**1")
    assert segments[line1 + 1 : line1 + 5] == [
        "CAS*CO*45*30", "CAS*PR*2*20", "DTP*573*D8*20261127", "AMT*EAF*20",
    ]  # fmt: skip
    assert not any(s.startswith("AMT*EAF") for s in segments[other : other + 8])


def test_paper_eob_reports_remaining_liability_at_claim_level_only() -> None:
    text, _ = _read(CASES["paper EOB, claim level only"])
    segments = _segments(text)
    assert "CAS*CO*45*30" in segments and "CAS*PR*1*25" in segments
    assert "AMT*EAF*25" in segments
    assert not any(s.startswith("SVD") for s in segments)


def test_medicare_secondary_writes_sbr05() -> None:
    text, filed = _read(CASES["Medicare secondary (working aged)"])
    assert "SBR*S*18***12****MB" in _segments(text)
    assert filed.insurance_type == "12"


def test_medicare_secondary_without_insurance_type_is_refused(context: CheckContext) -> None:
    data = copy.deepcopy(CASES["Medicare secondary (working aged)"])
    del data["other_coverage"][0]["insurance_type"]
    assert _rules(data, context) == {"SNIP4.COB.SBR05"}


def test_dependent_is_the_patient_under_the_spouses_plan() -> None:
    text, filed = _read(CASES["dependent of the primary, spouse's plan second"])
    segments = _segments(text)
    assert "SBR*S**GRP55******CI" in segments and "PAT*19" in segments
    assert filed.subscriber.member_id == SPOUSE["member_id"]
    assert "SBR*P*19*******CI" in segments  # 2320: the child of the primary's subscriber


def test_version_1_secondary_without_adjudication_is_an_exception(context: CheckContext) -> None:
    data = encounter(payer={**encounter()["payer"], "responsibility": "S"})
    outcome = _outcome(data, context)
    (finding,) = [f for f in outcome.findings if f.rejects]
    assert finding.rule_id == "SNIP4.COB.PRIOR_MISSING"
    assert "Bill the primary first" in finding.fix and "prior_adjudications" in finding.fix


def test_secondary_without_prior_adjudication_is_an_exception(context: CheckContext) -> None:
    assert _rules(secondary(prior_adjudications=[]), context) == {"SNIP4.COB.PRIOR_MISSING"}
    assert _rules(tertiary(other_coverage=[coverage(MEDIGAP)]), context) == {
        "SNIP4.COB.COVERAGE_MISSING"
    }


def test_a_line_that_does_not_balance_is_an_exception(context: CheckContext) -> None:
    data = secondary()
    data["prior_adjudications"][0]["lines"][0]["adjustments"][0]["amount"] = "31.00"
    outcome = _outcome(data, context)
    assert {f.rule_id for f in outcome.findings if f.rejects} == {
        "SNIP3.COB.LINE_BALANCE",
        "SNIP3.COB.CLAIM_BALANCE",
    }
    line = next(f for f in outcome.findings if f.rule_id == "SNIP3.COB.LINE_BALANCE")
    assert "line 1 charges 150.00" in line.message and "add up to 151.00" in line.message


def test_claim_paid_must_be_the_sum_of_line_paid(context: CheckContext) -> None:
    data = secondary()
    data["prior_adjudications"][0]["paid_amount"] = "125.00"
    assert _rules(data, context) == {"SNIP3.COB.PAID_LINES", "SNIP3.COB.CLAIM_BALANCE"}


def test_lines_unknown_or_missing_are_refused(context: CheckContext) -> None:
    data = secondary()
    data["prior_adjudications"][0]["lines"][1]["position"] = 7
    assert "SNIP4.COB.LINE_UNKNOWN" in _rules(data, context)
    data["prior_adjudications"][0]["lines"].pop()
    assert "SNIP4.COB.LINES_INCOMPLETE" in _rules(data, context)


def test_a_file_that_does_not_balance_is_found_by_the_same_rules(context: CheckContext) -> None:
    (ic,) = build(secondary())
    text = ic.text.replace("SVD*SBXMCR*100*", "SVD*SBXMCR*90*")
    (claim,) = file_claims(iter_segments(text))
    found = {f.rule_id for f in run_checks(FiledEncounter.model_validate(claim.record), context)}
    assert {"SNIP3.COB.LINE_BALANCE", "SNIP3.COB.PAID_LINES"} <= found


def test_a_file_billing_a_secondary_without_2320_is_refused(context: CheckContext) -> None:
    (ic,) = build(encounter())
    text = ic.text.replace("SBR*P*18", "SBR*S*18")
    (claim,) = file_claims(iter_segments(text))
    found = {f.rule_id for f in run_checks(FiledEncounter.model_validate(claim.record), context)}
    assert "SNIP4.COB.PRIOR_MISSING" in found


def test_negative_adjustments_balance(context: CheckContext) -> None:
    data = secondary()
    adjustments = data["prior_adjudications"][0]["lines"][0]["adjustments"]
    adjustments[0]["amount"] = "35.00"
    adjustments.append({"group": "OA", "reason": "94", "amount": "-5.00"})
    assert _rules(data, context) == set()
    text, filed = _read(data)
    assert "CAS*OA*94*-5" in _segments(text)
    assert filed.service_lines[0].adjudications[0].adjustments[-1].amounts == [Decimal("-5")]
