"""The sandbox clearinghouse answers an 837I upload: 999, 277CA and 835, all pyx12-valid."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sandbox.responder import Responder
from sandbox.state import SandboxState
from tests.institutional.factories import FQHC_VISIT, INPATIENT_STAY, institutional
from tests.institutional.test_build_837i import build
from tests.sandbox.answers import read_answers
from tests.support.judge import pyx12_errors

RECEIVED = datetime(2026, 11, 27, 2, 0)


def test_an_837i_upload_is_acknowledged_screened_and_paid() -> None:
    (ic,) = build(FQHC_VISIT, INPATIENT_STAY)
    responder = Responder(SandboxState(), seed=7, clock=lambda: RECEIVED)
    replies = responder.respond(ic.data, "fqhc.837") + responder.advance()
    assert [r.kind for r in replies][:2] == ["999", "277CA"]
    assert "835" in {r.kind for r in replies}
    answers = read_answers([r.data for r in replies])
    assert answers.ak9 == [("A", "1", "1", "1")]
    assert answers.statuses == {"FQ-20261120-0001": ["A2:20"], "IP-20261101-0001": ["A2:20"]}
    remit = next(r.data.decode("ascii") for r in replies if r.kind == "835")
    assert "SVC*NU:0120*3600.00*" in remit and "SVC*HC:G0466*180.00*" in remit
    assert "CLP*IP-20261101-0001*1*4232.50*" in remit
    for reply in replies:
        assert pyx12_errors(reply.data.decode("ascii")) == [], reply.kind


def test_an_fqhc_visit_is_paid_per_visit_on_its_g_code() -> None:
    (ic,) = build(FQHC_VISIT)
    responder = Responder(SandboxState(), seed=1, clock=lambda: RECEIVED)
    replies = responder.respond(ic.data, "fqhc.837")
    remits = [
        remit
        for payment in read_answers([r.data for r in replies if r.kind == "835"]).payments
        for remit in payment.remits
        if remit.status != "22"
    ]
    first = remits[0]
    g_code, visit = first.lines
    assert g_code.procedure == "G0466" and visit.procedure == "99213"
    assert g_code.paid > 0 and g_code.paid + sum(a[2] for a in g_code.adjustments) == 180
    assert visit.paid == 0 and visit.adjustments == [("CO", "97", Decimal("150.00"))]
    assert first.paid == g_code.paid
    remit = next(r.data.decode("ascii") for r in replies if r.kind == "835")
    assert "MOA***MA01~" in remit and "MIA" not in remit  # outpatient bill, a line bundled
    for reply in replies:
        assert pyx12_errors(reply.data.decode("ascii")) == [], reply.kind


def test_an_rhc_visit_is_paid_its_all_inclusive_rate_once_a_day() -> None:
    """Bill 0711: the day's first clinic line (052X) is the visit at the RHC rate, a second
    052X line that day is bundled, and the lab line (0300) is priced as any line; the 835
    echoes each HCPCS line's revenue code in SVC04."""
    rhc = institutional(
        encounter_id="RH-20261120-0001",
        institutional={**FQHC_VISIT["institutional"], "type_of_bill": "0711"},
        revenue_lines=[
            {"revenue_code": "0521", "procedure_code": "99214", "charge": "210.00",
             "units": "1", "service_date": "2026-11-20"},
            {"revenue_code": "0521", "procedure_code": "99213", "charge": "150.00",
             "units": "1", "service_date": "2026-11-20"},
            {"revenue_code": "0300", "procedure_code": "36415", "charge": "12.00",
             "units": "1", "service_date": "2026-11-20"},
        ],
    )  # fmt: skip
    (ic,) = build(rhc)
    responder = Responder(SandboxState(), seed=1, clock=lambda: RECEIVED)
    replies = [r for r in responder.respond(ic.data, "rhc.837") if r.kind == "835"]
    text = replies[0].data.decode("ascii")
    assert "SVC*HC:99214*210.00*" in text and "*0521*" in text and "*0300*" in text
    (remit,) = [
        remit
        for payment in read_answers([r.data for r in replies]).payments
        for remit in payment.remits
        if remit.status != "22"
    ]
    visit, second, lab = remit.lines
    assert visit.paid + sum(a[2] for a in visit.adjustments) == 210
    assert ("CO", "45", Decimal("67.00")) in visit.adjustments  # allowed: the 143.00 rate
    assert second.paid == 0 and second.adjustments == [("CO", "97", Decimal("150.00"))]
    assert lab.adjustments != [("CO", "97", Decimal("12.00"))]
    assert pyx12_errors(text) == []
