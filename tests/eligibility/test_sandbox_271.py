"""The sandbox answers our 270 from its roster: every inquiry gets a 271 answer by its trace."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from edi.eligibility.build_270 import EligibilityInquiry, build_270
from edi.eligibility.decide import decide
from edi.eligibility.read_271 import read_271
from edi.validate import validate
from edi.x12.writer import Party
from sandbox.responder import Responder
from sandbox.state import SandboxState

CLINIC = Party("ZZ", "SUBMITTER01", "SUBMITTER01")


def _inquiry(n: int, **kw) -> EligibilityInquiry:
    base = dict(
        inquiry_id=f"E{n:05d}", payer_id="87726", payer_name="ACME HEALTH PLAN",
        provider_npi="1234567893", provider_name="MAPLE CLINIC", service_date=date(2026, 11, 3),
        member_id=f"W{n:09d}", subscriber_last="DOE", subscriber_first="JANE",
        subscriber_birth_date=date(1980, 2, 1), subscriber_sex="F",
    )  # fmt: skip
    return EligibilityInquiry(**{**base, **kw})


def test_the_roster_answers_every_inquiry_with_a_mix_of_outcomes():
    responder = Responder(state=SandboxState(), seed=7, clock=lambda: datetime(2026, 11, 4, 5))
    kid = {"patient_last": "DOE", "patient_first": "TIM", "patient_birth_date": date(2015, 5, 5)}
    inquiries = [_inquiry(n) for n in range(200)]
    inquiries += [_inquiry(900, **kid), _inquiry(901, member_id="")]
    text = build_270(inquiries, CLINIC, responder.identity, 1, 1, datetime(2026, 11, 3, 23))
    (reply,) = responder.respond(text.encode("ascii"), "000000001.270")
    assert (reply.name, reply.kind) == ("000000001.271", "271")
    assert validate(reply.data).errors == ()  # the X279A1 guide (edi/validate/maps)
    answers = {a.inquiry_id: a for a in read_271(reply.data, reply.name)}
    assert set(answers) == {q.inquiry_id for q in inquiries}
    kids = [_inquiry(1000 + n, **kid) for n in range(40)]
    text = build_270(kids, CLINIC, responder.identity, 2, 2, datetime(2026, 11, 3, 23))
    (reply,) = responder.respond(text.encode("ascii"), "000000002.270")
    levels = Counter(a.level for a in read_271(reply.data, reply.name))
    assert levels["dependent"] > levels["subscriber"] > 0  # some have their own member ID
    assert answers["E00900"].level in ("dependent", "subscriber")
    assert answers["E00901"].rejections == ["72"]
    outcomes = Counter(
        (tuple(h.code for h in d.holds), tuple(p.payer_id for p in d.other_payers))
        for q in inquiries[:200]
        for d in [decide(q, answers[q.inquiry_id])]
    )
    assert outcomes[((), ())] > 120
    assert outcomes[(("AAA-75",), ())] > 0
    assert outcomes[(("INACTIVE",), ())] > 0
    assert outcomes[(("OTHER-PRIMARY",), ())] > 0
    assert outcomes[((), ("SBXMCD",))] > 0
    medicaid = next(p for a in answers.values() for p in a.other_payers if p.role == "SEP")
    assert medicaid.member_id.isdigit()
