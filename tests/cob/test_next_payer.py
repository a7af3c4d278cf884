"""The next payer from hand-written 835s: bill it, wait for a crossover, or stop, once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from edi.claims.cob import (
    Action,
    Recorded,
    RemitClaim,
    Step,
    crossover_carriers,
    next_step,
    reconcile,
    remit_claims,
)
from edi.claims.intake import Accepted, admit
from edi.claims.models import Encounter
from edi.claims.records import Record
from edi.responses import parse_any
from edi.rules.registry import CheckContext
from edi.x12.reader import iter_segments
from mappings.code_texts import bundled_code_texts
from tests.claims.test_build_837p import build
from tests.cob.cases import MEDICAID, MEDICARE, MEDIGAP, coverage
from tests.factories import encounter
from tests.support.judge import pyx12_errors
from tests.support.x12files import Cas, Claim, Line, remit

TEXTS = bundled_code_texts()
CLM01 = "ENC-COB-P1"


def primary_encounter(**changes: Any) -> Encounter:
    """Medicare first, then the Medigap plan and Medicaid."""
    data = encounter(
        encounter_id=CLM01,
        payer=MEDICARE,
        other_coverage=[coverage(MEDIGAP), coverage(MEDICAID)],
    )
    return Encounter.model_validate({**data, **changes})


def paid_partly(status: str = "1", **changes: Any) -> Claim:
    """The example's two lines: 100 + 20 paid, CO-45 and PR deductible/coinsurance."""
    lines = [
        Line("99213", "150.00", "100.00", f"{CLM01}-1", [Cas("CO", "45", "30.00"),
             Cas("PR", "2", "20.00")], modifiers=("25",), units="1"),
        Line("J1100", "25.00", "20.00", f"{CLM01}-2", [Cas("PR", "1", "5.00")], units="2"),
    ]  # fmt: skip
    base: dict[str, Any] = {
        "status": status,
        "charge": "175.00",
        "paid": "120.00",
        "patient_resp": "25.00",
        "payer_claim_number": "MCR001",
        "lines": lines,
    }
    return Claim(CLM01, **{**base, **changes})


def read(*claims: Claim, payer_id: str = "SBXMCR", name: str = "r.835") -> list[RemitClaim]:
    text = remit(list(claims), payer_id=payer_id, payer_name="SANDBOX MEDICARE")
    tables = parse_any(text, name, texts=TEXTS)
    crossovers = crossover_carriers(iter_segments(text), name)
    return list(remit_claims(tables.claims, tables.lines, tables.adjustments, crossovers))


def _sendable(enc: Encounter, context: CheckContext) -> None:
    """Admitted with no reject, and pyx12 accepts the 837P."""
    (outcome,) = admit(
        [Record("next.jsonl:1", enc.model_dump(mode="json", exclude_none=True))], context
    )
    assert isinstance(outcome, Accepted), [(f.rule_id, f.message) for f in outcome.findings]
    (ic,) = build(enc.model_dump(mode="json", exclude_none=True))
    assert pyx12_errors(ic.text) == []


def test_partial_primary_bills_a_balanced_secondary(context: CheckContext) -> None:
    (payment,) = read(paid_partly())
    step = next_step(primary_encounter(), payment)
    assert (step.step, step.sequence, step.payer and step.payer.payer_id) == (
        Step.BILL,
        "S",
        "SBXGAP",
    )
    claim = step.encounter
    assert claim is not None and claim.billed_payer_sequence == "S"
    (adjudication,) = claim.prior_adjudications
    assert adjudication.paid_amount == Decimal("120.00")
    assert adjudication.payer_claim_number == "MCR001"
    assert [line.position for line in adjudication.lines] == [1, 2]
    _sendable(claim, context)


def test_tertiary_follows_the_secondarys_835(context: CheckContext) -> None:
    (primary,) = read(paid_partly())
    secondary = next_step(primary_encounter(), primary).encounter
    assert secondary is not None
    gap_lines = [
        Line("99213", "150.00", "15.00", f"{CLM01}-1", [Cas("CO", "45", "130.00"),
             Cas("PR", "3", "5.00")], modifiers=("25",), units="1"),
        Line("J1100", "25.00", "5.00", f"{CLM01}-2", [Cas("CO", "45", "20.00")], units="2"),
    ]  # fmt: skip
    (answer,) = read(Claim(CLM01, "2", "175.00", "20.00", "5.00", "GAP77", lines=gap_lines))
    step = next_step(secondary, answer)
    assert (step.step, step.sequence) == (Step.BILL, "T")
    assert step.encounter is not None
    assert [a.paid_amount for a in step.encounter.prior_adjudications] == [
        Decimal("120.00"),
        Decimal("20.00"),
    ]
    _sendable(step.encounter, context)
    (last,) = read(Claim(CLM01, "3", "175.00", "5.00", "", "MCD9", lines=[]))
    assert next_step(step.encounter, last).step is Step.LAST_PAYER


@pytest.mark.parametrize(
    "answer",
    [
        paid_partly("19"),
        paid_partly(crossover=("SANDBOX MEDIGAP PLAN", "SBXGAP")),
    ],
    ids=["CLP02 19", "NM1*TT"],
)
def test_a_crossover_waits_and_sends_nothing(answer: Claim) -> None:
    (payment,) = read(answer)
    step = next_step(primary_encounter(), payment)
    assert step.step is Step.AWAIT_CROSSOVER  # kept for the tertiary, never sent (flow tests)
    assert step.reason == "crossed over to SBXGAP, awaiting its 835"


def test_a_known_crossover_agreement_waits_too() -> None:
    data = primary_encounter().model_dump(mode="json", exclude_none=True)
    data["other_coverage"][0]["crossover"] = True
    (payment,) = read(paid_partly())
    assert next_step(Encounter.model_validate(data), payment).step is Step.AWAIT_CROSSOVER


def test_denied_primary_is_not_billed_to_the_secondary() -> None:
    denied = [
        Line("99213", "150.00", "0.00", f"{CLM01}-1", [Cas("CO", "50", "150.00")]),
        Line("J1100", "25.00", "0.00", f"{CLM01}-2", [Cas("CO", "50", "25.00")]),
    ]
    (payment,) = read(Claim(CLM01, "1", "175.00", "0.00", "", "MCR002", lines=denied))
    assert payment.denied
    step = next_step(primary_encounter(), payment)
    assert (step.step, step.encounter) == (Step.DENIED, None)
    assert next_step(primary_encounter(), payment, bill_after_denial=True).step is Step.BILL


def test_a_primary_that_leaves_no_patient_balance_ends_the_claim() -> None:
    """Paid in full (only contractual write-offs): a later payer would pay nothing, so no
    claim goes to it and no zero-paid "denial" comes back."""
    full = [
        Line("99213", "150.00", "120.00", f"{CLM01}-1", [Cas("CO", "45", "30.00")]),
        Line("J1100", "25.00", "25.00", f"{CLM01}-2", []),
    ]
    (payment,) = read(Claim(CLM01, "1", "175.00", "145.00", "", "MCR004", lines=full))
    step = next_step(primary_encounter(), payment)
    assert (step.step, step.encounter) == (Step.LAST_PAYER, None)
    assert "no patient balance" in step.reason


def test_patient_responsibility_only_is_not_a_denial() -> None:
    owed = [Line("99213", "150.00", "0.00", f"{CLM01}-1", [Cas("PR", "1", "150.00")])]
    (payment,) = read(Claim(CLM01, "1", "150.00", "0.00", "150.00", "MCR003", lines=owed))
    assert not payment.denied


def test_no_later_coverage_is_the_last_payer() -> None:
    (payment,) = read(paid_partly())
    enc = primary_encounter(other_coverage=[])
    assert next_step(enc, payment).step is Step.LAST_PAYER


# -- exactly once -----------------------------------------------------------------------


def _recorded(state: str, paid: str = "120.00") -> Recorded:
    return Recorded(state, Decimal(paid), "MCR001")


def test_the_same_835_twice_bills_once() -> None:
    (first,) = read(paid_partly(), name="a.835")
    (again,) = read(paid_partly(), name="b.835")
    step = next_step(primary_encounter(), first)
    assert reconcile(None, step, first) is Action.RECORD
    for state in ("ready", "sent"):
        assert reconcile(_recorded(state), next_step(primary_encounter(), again), again) is (
            Action.NOTHING
        )


def test_reversal_and_correction_before_the_secondary_went_out() -> None:
    reversal, correction = read(
        paid_partly("22", charge="-175.00", paid="-120.00", payer_claim_number="MCR001"),
        paid_partly(paid="110.00", payer_claim_number="MCR001"),
    )
    assert reversal.reversal
    enc = primary_encounter()
    assert reconcile(_recorded("ready"), next_step(enc, reversal), reversal) is Action.HOLD
    step = next_step(enc, correction)
    assert reconcile(_recorded("held"), step, correction) is Action.UPDATE
    assert step.encounter is not None
    assert step.encounter.prior_adjudications[0].paid_amount == Decimal("110.00")


def test_reversal_and_correction_after_the_secondary_went_out() -> None:
    reversal, changed = read(
        paid_partly("22", charge="-175.00", paid="-120.00"),
        paid_partly(paid="110.00"),
    )
    enc = primary_encounter()
    assert reconcile(_recorded("sent"), next_step(enc, reversal), reversal) is Action.NOTHING
    assert reconcile(_recorded("sent"), next_step(enc, changed), changed) is Action.REPLACE
    (same,) = read(paid_partly())
    assert reconcile(_recorded("sent"), next_step(enc, same), same) is Action.NOTHING
