"""The hand-written fixtures are valid per pyx12's maps (X221A1, X214, X231A1)."""

from __future__ import annotations

import pytest

from tests.support.judge import pyx12_errors
from tests.support.x12files import (
    Cas,
    Claim,
    IkError,
    Line,
    Plb,
    SetAck,
    Status,
    ack_999,
    claim_ack,
    remit,
    ta1,
)

LINE = Line(
    charge="150.00",
    paid="100.00",
    adjustments=[Cas("CO", "45", "30.00"), Cas("PR", "2", "20.00")],
    line_ref="L1",
    allowed="120.00",
    remarks=("N130",),
)
NM1 = IkError("NM1", 12, "9", "7", loop="2010", clm01="E2")
FIXTURES = {
    "835 paid claim with PLB": remit(
        [Claim("ENC-1", patient_resp="20.00", lines=[LINE], moa=("MA01",))],
        payment="75.00",
        plb=[Plb("WO", "PCN9", "25.00")],
    ),
    "835 reversal and correction": remit(
        [
            Claim("ENC-1", "22", "-150.00", "-100.00", adjustments=[Cas("CO", "45", "-50.00")]),
            Claim("ENC-1", "1", "150.00", "120.00", adjustments=[Cas("CO", "45", "30.00")]),
        ],
        payment="20.00",
    ),
    "835 PLB only": remit(
        [], payment="0", plb=[Plb("L6", "INTEREST", "-1.00"), Plb("WO", "X", "1")]
    ),
    "835 denied claim without lines": remit(
        [Claim("ENC-2", "4", "80.00", "0", adjustments=[Cas("CO", "29", "80.00")])], payment="0"
    ),
    "277CA clearinghouse": claim_ack(
        [
            Status("ENC-1"),
            Status("ENC-2", "A7", "562", "85", "U", lines=[("L1", "93000", "A7", "454")]),
        ]
    ),
    "277CA payer": claim_ack([Status("ENC-3", payer_claim_number="ICN1")], payer=True),
    "999 partial": ack_999("1001", [SetAck("0001"), SetAck("0002", "R", ("5",), [NM1])], "P"),
    "TA1 rejected": ta1("000001001", "R", "006"),
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_is_valid_per_pyx12(name):
    assert pyx12_errors(FIXTURES[name]) == []


def test_pyx12_is_a_real_judge():
    """A fixture with a wrong code is refused, so the check above can fail."""
    broken = FIXTURES["835 paid claim with PLB"].replace("CLP*ENC-1*1*", "CLP*ENC-1*9*")
    assert pyx12_errors(broken)
