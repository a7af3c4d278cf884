"""The sandbox's payers after another: Medigap and Medicaid pay only balanced COB claims,
and Medicare forwards to the Medigap plan (CLP02 19, NM1*TT), whose 835 follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from edi.claims.cob import crossover_carriers, remit_claims
from edi.responses import parse_any
from edi.x12.reader import iter_segments
from mappings.code_texts import bundled_code_texts
from sandbox.responder import Responder
from sandbox.state import SandboxState
from tests.claims.test_build_837p import build
from tests.cob.cases import coverage, primary_paid
from tests.factories import encounter
from tests.support.judge import pyx12_errors

TEXTS = bundled_code_texts()
RECEIVED = datetime(2026, 11, 28, 2, 0)
MEDICARE = {"payer_id": "00431", "name": "Medicare Part B", "claim_filing_indicator": "MB"}
MEDIGAP = {"payer_id": "SBXGAP", "name": "Sandbox Medigap Plan", "claim_filing_indicator": "CI"}
MEDICARE_ID = {"member_id": "1EG4TE5MK73"}


def _secondary(**changes: Any) -> dict[str, Any]:
    data = encounter(
        encounter_id="ENC-SBX-S1",
        payer=MEDICARE,
        subscriber={**encounter()["subscriber"], **MEDICARE_ID},
        other_coverage=[coverage(MEDIGAP)],
        billed_payer_sequence="S",
        prior_adjudications=[primary_paid("00431")],
    )
    return {**data, **changes}


def _answers(*datas: dict[str, Any], advance: bool = False) -> tuple[list, list[str]]:
    responder = Responder(SandboxState(), seed=1, clock=lambda: RECEIVED)
    replies = responder.respond(build(*datas)[0].data, "a.837")
    if advance:
        replies += responder.advance()
    remits, statuses = [], []
    for reply in replies:
        assert pyx12_errors(reply.data) == [], reply.name
        tables = parse_any(reply.data, reply.name, texts=TEXTS)
        carriers = crossover_carriers(iter_segments(reply.data, reply.name), reply.name)
        remits += remit_claims(tables.claims, tables.lines, tables.adjustments, carriers)
        claims = tables.claim_status.dropna(subset=["clm01"])
        statuses += [f"{row.status_category}:{row.status_code}" for row in claims.itertuples()]
    return remits, statuses


def test_medigap_pays_what_medicare_left_on_a_balanced_claim() -> None:
    (remit,), statuses = _answers(_secondary())
    assert statuses == ["A2:20"]
    assert (remit.status, remit.payer_id, remit.paid) == ("2", "SBXGAP", 25)
    assert [line.paid for line in remit.lines] == [20, 5]


def test_medigap_rejects_an_unbalanced_claim_and_a_claim_without_the_primary() -> None:
    unbalanced = _secondary()
    unbalanced["prior_adjudications"][0]["paid_amount"] = "100.00"
    remits, statuses = _answers(unbalanced)
    assert (remits, statuses) == ([], ["A7:400"])
    primary_only = encounter(encounter_id="ENC-SBX-P1", payer=MEDIGAP)
    remits, statuses = _answers(primary_only)
    assert (remits, statuses) == ([], ["A7:479"])


def test_medicare_crosses_over_to_the_medigap_plan_which_answers_next_cycle() -> None:
    primary = encounter(
        encounter_id="ENC-SBX-X1",
        payer=MEDICARE,
        subscriber={**encounter()["subscriber"], **MEDICARE_ID},
        other_coverage=[coverage(MEDIGAP)],
    )
    remits, _ = _answers(primary, advance=True)
    medicare, medigap = remits
    assert (medicare.status, medicare.crossover_payer) == ("19", "SBXGAP")
    assert (medigap.status, medigap.payer_id) == ("2", "SBXGAP")
    owed = sum((a.amount for line in medicare.lines for a in line.adjustments
                if a.group == "PR"), start=medigap.paid * 0)  # fmt: skip
    assert medigap.paid == owed
