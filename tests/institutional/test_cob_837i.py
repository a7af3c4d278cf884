"""The 837I's COB loops (2320/2330A/2330B/2430): written from the same COB view as the
837P's, pyx12-valid, read back to the same values, balanced by the same rules, and paid
by the sandbox's payer after Medicare."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

import edi.rules  # noqa: F401  (registers every rule)
from edi.claims.cob import Step, crossover_carriers, next_step, remit_claims
from edi.claims.cob_loops import claim_cob, filed_cob
from edi.claims.models import Encounter
from edi.claims.read_837 import FiledEncounter, file_claims
from edi.responses import parse_any
from edi.rules.registry import CheckContext, run_checks
from edi.x12.reader import iter_segments
from mappings.code_texts import bundled_code_texts
from sandbox.responder import Responder
from sandbox.state import SandboxState
from tests.claims.test_build_837p import build as build_837p
from tests.cob.cases import MEDICARE, secondary
from tests.institutional.factories import (
    INPATIENT_STAY,
    MEDICARE_A,
    MEDICARE_PAID,
    MEDIGAP,
    fqhc_secondary,
    institutional,
)
from tests.institutional.test_build_837i import build, read_back
from tests.support.judge import pyx12_errors
from tests.support.x12files import Cas, Claim, Line, remit

CTX = CheckContext(date(2026, 11, 28))


def _rejects(enc: Encounter) -> set[str]:
    return {f.rule_id for f in run_checks(enc, CTX) if f.rejects}


def _segments(text: str) -> list[str]:
    return [s for s in text.replace("\n", "").split("~") if s]


def test_a_secondary_837i_carries_medicares_adjudication_and_reads_back() -> None:
    sent = Encounter.model_validate(fqhc_secondary())
    assert _rejects(sent) == set()
    (ic,) = build(fqhc_secondary())
    assert pyx12_errors(ic.text) == []
    assert ic.claims[0].payer_sequence == "S"
    segments = _segments(ic.text)
    assert "SBR*S*18*******CI" in segments  # 2000B: billed to the Medigap plan, no SBR05
    other = segments.index("SBR*P*18*******MA")  # 2320: Medicare, primary
    assert segments[other + 1 : other + 4] == ["AMT*D*144", "OI***Y***Y", "MOA***N130"]
    line1 = segments.index("SVD*MCRA1*144*HC:G0466*0521*1")  # SVD04: the revenue code
    assert segments[line1 + 1 : line1 + 4] == ["CAS*PR*2*36", "DTP*573*D8*20261127",
                                               "AMT*EAF*36"]  # fmt: skip

    got = read_back(ic.text)[sent.claim_id]
    mine, theirs = claim_cob(sent), filed_cob(got)
    assert mine is not None and theirs is not None
    assert (theirs.sequence, theirs.lines) == (mine.sequence, mine.lines)
    fields = ("responsibility", "paid_amount", "paid_date", "payer_claim_number",
              "adjustments", "remark_codes")  # fmt: skip
    (medicare,) = theirs.others
    assert [getattr(medicare, f) for f in fields] == [getattr(mine.others[0], f) for f in fields]
    assert got.payer.payer_id == MEDIGAP["payer_id"]
    assert _rejects(got) == set()


def test_a_primary_837i_names_the_later_payer_without_amounts() -> None:
    data = institutional(other_coverage=fqhc_secondary()["other_coverage"])
    assert _rejects(Encounter.model_validate(data)) == set()
    (ic,) = build(data)
    assert pyx12_errors(ic.text) == []
    segments = _segments(ic.text)
    other = segments.index("SBR*S*18*******CI")
    assert segments[other + 1] == "OI***Y***Y"
    assert not any(s.startswith(("AMT*D", "SVD")) for s in segments)


def test_an_837i_that_does_not_balance_is_refused_before_and_after_the_file() -> None:
    """The same rules, on the encounter and on the claim read back, name the revenue line."""
    lines = [{**MEDICARE_PAID["lines"][0], "paid_amount": "140.00"}, MEDICARE_PAID["lines"][1]]
    data = fqhc_secondary(prior_adjudications=[{**MEDICARE_PAID, "lines": lines}])
    enc = Encounter.model_validate(data)
    found = {(f.rule_id, f.field) for f in run_checks(enc, CTX) if f.rejects}
    assert ("SNIP3.COB.LINE_BALANCE", "revenue_lines[0]") in found
    (ic,) = build(data)
    filed = read_back(ic.text)[enc.claim_id]
    assert {(f.rule_id, f.field) for f in run_checks(filed, CTX) if f.rejects} >= {
        ("SNIP3.COB.LINE_BALANCE", "revenue_lines[0]")
    }


def test_the_sandbox_medigap_plan_pays_what_medicare_left_on_an_fqhc_visit() -> None:
    (ic,) = build(fqhc_secondary())
    responder = Responder(SandboxState(), seed=1, clock=lambda: datetime(2026, 11, 28, 2))
    remits, statuses = [], []
    for reply in responder.respond(ic.data, "gap.837"):
        assert pyx12_errors(reply.data) == [], reply.name
        tables = parse_any(reply.data, reply.name, texts=bundled_code_texts())
        carriers = crossover_carriers(iter_segments(reply.data, reply.name), reply.name)
        remits += remit_claims(tables.claims, tables.lines, tables.adjustments, carriers)
        claims = tables.claim_status.dropna(subset=["clm01"])
        statuses += [f"{row.status_category}:{row.status_code}" for row in claims.itertuples()]
    assert statuses == ["A2:20"]
    (remit,) = remits
    assert (remit.status, remit.payer_id, remit.paid) == ("2", "SBXGAP", Decimal("36.00"))
    assert [line.paid for line in remit.lines] == [36, 0]


def test_medicares_835_on_an_inpatient_stay_becomes_a_balanced_secondary_837i() -> None:
    """The next-payer step (edi.claims.cob) on an 837I: the 835's lines map back to the
    revenue lines, room and board priced by revenue code (NU) carry no HCPCS, and the
    secondary claim it makes passes the COB rules and pyx12."""
    primary = institutional(INPATIENT_STAY, payer=MEDICARE_A,
                            other_coverage=fqhc_secondary()["other_coverage"])  # fmt: skip
    enc = Encounter.model_validate(primary)
    (ic,) = build(primary)
    responder = Responder(SandboxState(), seed=3, clock=lambda: datetime(2026, 11, 28, 2))
    (answer,) = [r for r in responder.respond(ic.data, "ip.837") if r.kind == "835"]
    tables = parse_any(answer.data, answer.name, texts=bundled_code_texts())
    (remit,) = [r for r in remit_claims(tables.claims, tables.lines, tables.adjustments)
                if r.status != "22"]  # fmt: skip
    step = next_step(enc, remit)
    assert step.step is Step.BILL and step.encounter is not None
    lines = step.encounter.prior_adjudications[0].lines
    assert [line.position for line in lines] == [1, 2, 3]
    assert lines[0].procedure_code is None  # NU:0120
    assert _rejects(step.encounter) == set()
    (secondary,) = build(step.encounter.model_dump(mode="json"))
    assert pyx12_errors(secondary.text) == []
    # the claim-level remark codes: MIA of the 835 (an inpatient bill) -> 2320 MIA
    assert pyx12_errors(answer.data) == []
    mia = [s for s in _segments(answer.data.decode()) if s.startswith("MIA")]
    assert mia == ["MIA*3****MA01"] and remit.remark_codes == ("MA01",)
    assert step.encounter.prior_adjudications[0].remark_codes == ["MA01"]
    assert "MIA*3****MA01" in _segments(secondary.text)


def test_the_primarys_remark_codes_reach_the_secondarys_moa() -> None:
    """MOA03-07 of Medicare's 835 → prior_adjudications[].remark_codes → 2320 MOA."""
    lines = [
        Line("G0466", "180.00", "144.00", "FQ-20261120-0001-1", [Cas("PR", "2", "36.00")]),
        Line("99213", "150.00", "0.00", "FQ-20261120-0001-2", [Cas("CO", "97", "150.00")]),
    ]
    claim = Claim("FQ-20261120-0001", "1", "330.00", "144.00", "36.00", "ICN-FQ-1",
                  lines=lines, moa=["MA01", "N130"])  # fmt: skip
    text = remit([claim])
    tables = parse_any(text, "mcr.835", texts=bundled_code_texts())
    (paid,) = remit_claims(tables.claims, tables.lines, tables.adjustments)
    enc = Encounter.model_validate(
        institutional(payer=MEDICARE_A, other_coverage=fqhc_secondary()["other_coverage"])
    )
    step = next_step(enc, paid)
    assert step.encounter is not None
    assert step.encounter.prior_adjudications[0].remark_codes == ["MA01", "N130"]
    (ic,) = build(step.encounter)
    assert "MOA***MA01*N130" in _segments(ic.text)


def _inpatient_secondary() -> dict:
    """:data:`INPATIENT_STAY` billed to the Medigap plan after Medicare paid the stay."""
    adjustments = [{"group": "CO", "reason": "45", "amount": "1000.00"},
                   {"group": "PR", "reason": "1", "amount": "232.50"}]  # fmt: skip
    medicare = {"payer_id": "MCRA1", "paid_date": "2026-11-27", "paid_amount": "3000.00",
                "payer_claim_number": "ICN-IP-1", "remark_codes": ["MA01", "N130"],
                "claim_adjustments": adjustments}  # fmt: skip
    stay = {k: INPATIENT_STAY[k] for k in ("diagnoses", "institutional", "revenue_lines")}
    return fqhc_secondary(**stay, encounter_id="IP-20261101-0002",
                          prior_adjudications=[medicare])  # fmt: skip


def test_an_inpatient_secondary_carries_mia_and_the_non_covered_amount() -> None:
    """2320 of an inpatient bill: AMT*A8 (the lines' non-covered charges) and MIA (covered
    days, the remark codes) instead of MOA; pyx12-valid and read back the same."""
    data = _inpatient_secondary()
    sent = Encounter.model_validate(data)
    assert _rejects(sent) == set()
    (ic,) = build(data)
    assert pyx12_errors(ic.text) == []
    segments = _segments(ic.text)
    other = segments.index("SBR*P*18*******MA")
    assert segments[other + 3 : other + 8] == [
        "AMT*D*3000",
        "AMT*A8*20",
        "AMT*EAF*232.5",
        "OI***Y***Y",
        "MIA*3****MA01" + "*" * 15 + "N130",
    ]
    assert not any(s.startswith("MOA") for s in segments)
    got = read_back(ic.text)[sent.claim_id]
    mine, theirs = claim_cob(sent), filed_cob(got)
    assert mine is not None and theirs is not None
    fields = ("covered_days", "inpatient_remark_codes", "non_covered_amount", "remark_codes")
    assert [getattr(theirs.others[0], f) for f in fields] == [3, ["MA01", "N130"],
                                                              Decimal("20.00"), []]  # fmt: skip
    assert [getattr(mine.others[0], f) for f in fields] == [getattr(theirs.others[0], f)
                                                            for f in fields]  # fmt: skip


PAYER_FACTS = {"address": {"line1": "PO BOX 7000", "city": "CAMDEN", "state": "SC",
                           "postal_code": "29020"}, "secondary_id": "MCR-SC-1"}  # fmt: skip
"""2330B N3/N4 and REF*2U of the earlier payer, when the encounter carries them."""


@pytest.mark.parametrize("form", ["837I", "837P"])
def test_the_other_payers_address_and_secondary_id_are_written_and_read_back(form) -> None:
    """The one 2330B writer of both forms: NM1*PR, N3, N4, DTP*573, REF*2U, REF*F8."""
    if form == "837I":
        data = fqhc_secondary(payer={**MEDICARE_A, **PAYER_FACTS})
        (ic,) = build(data)
        got = read_back(ic.text)[data["encounter_id"]]
    else:
        data = secondary(payer={**MEDICARE, **PAYER_FACTS})
        (ic,) = build_837p(data)
        (claim,) = file_claims(iter_segments(ic.text))
        got = FiledEncounter.model_validate(claim.record)
    assert pyx12_errors(ic.text) == []
    segments = _segments(ic.text)
    name = max(i for i, s in enumerate(segments) if s.startswith("NM1*PR"))  # 2330B
    assert segments[name + 1 : name + 6] == [
        "N3*PO BOX 7000", "N4*CAMDEN*SC*29020", segments[name + 3], "REF*2U*MCR-SC-1",
        segments[name + 5],
    ]  # fmt: skip
    assert segments[name + 3].startswith("DTP*573") and segments[name + 5].startswith("REF*F8")
    (theirs,) = filed_cob(got).others
    assert theirs.payer.address == Encounter.model_validate(data).payer.address
    assert theirs.payer.secondary_id == "MCR-SC-1"
