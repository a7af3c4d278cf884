"""The sandbox's 835 agrees with its 271: a patient the roster says the payer does not cover
on the date of service is denied with the CARC that says why, and the denials worklist
tells the front desk what to do about it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from edi.claims.models import Encounter
from edi.eligibility.build_270 import build_270
from edi.eligibility.decide import decide
from edi.eligibility.read_271 import read_271
from edi.x12.control import MemoryControlNumbers
from edi.x12.reader import iter_segments
from flows.eligibility import inquiry_of
from mappings.denial_rules import denial_rules
from sandbox.replies import Reply
from sandbox.responder import Responder
from sandbox.roster import Roster, Status
from sandbox.state import SandboxState
from tests.sandbox.answers import read_answers
from tests.sandbox.claim_batch import MEDICARE, RECEIVED, SERVICE_DAY, _claim, _line, build_files
from tests.support.judge import pyx12_errors

SEED = 7
ACME = "87726"


def _member(status: Status, payer_id: str = ACME, pattern: str = "W{:09d}") -> str:
    """The first member ID the roster (seed 7) gives ``status`` on the day of service."""
    return next(m for n in range(10_000)
                if Roster(SEED, {}).standing(payer_id, m := pattern.format(n), SERVICE_DAY).status
                is status)  # fmt: skip


def _encounter(claim_id: str, member: str, day: date = SERVICE_DAY, **changes) -> Encounter:
    return Encounter.model_validate(
        _claim(claim_id, [_line("99213", "140.00", day)], member=member, **changes)
    )


def test_each_claim_gets_what_the_271_said_about_its_member() -> None:
    ended = _member(Status.TERMINATED)
    mbi = _member(Status.TERMINATED, MEDICARE["payer_id"], "1EG4TE5MK{:02d}")
    claims = {
        "ROSTER-ACTIVE": _encounter("ROSTER-ACTIVE", _member(Status.ACTIVE)),
        "ROSTER-UNKNOWN": _encounter("ROSTER-UNKNOWN", _member(Status.UNKNOWN)),
        "ROSTER-ENDED": _encounter("ROSTER-ENDED", ended),
        "ROSTER-OTHER": _encounter("ROSTER-OTHER", _member(Status.OTHER_PRIMARY)),
        "ROSTER-MEDICAID": _encounter("ROSTER-MEDICAID", _member(Status.MEDICAID_AFTER)),
        "ROSTER-MCR-ENDED": _encounter("ROSTER-MCR-ENDED", mbi, payer=MEDICARE, diagnoses=["I10"]),
    }
    responder = Responder(SandboxState(), seed=SEED, clock=lambda: RECEIVED)
    inquiries = [inquiry_of(e, name) for name, e in claims.items()]
    asked = build_270(inquiries, responder.partner, responder.identity, 1, 1, RECEIVED)
    (reply,) = responder.respond(asked.encode("ascii"), "000000001.270")
    answers = {a.inquiry_id: a for a in read_271(reply.data, reply.name)}
    holds = {q.inquiry_id: [h.code for h in decide(q, answers[q.inquiry_id]).holds]
             for q in inquiries}  # fmt: skip
    assert holds == {
        "ROSTER-ACTIVE": [], "ROSTER-UNKNOWN": ["AAA-75"], "ROSTER-ENDED": ["INACTIVE"],
        "ROSTER-OTHER": ["OTHER-PRIMARY"], "ROSTER-MEDICAID": [], "ROSTER-MCR-ENDED": ["INACTIVE"],
    }  # fmt: skip

    # the same members billed anyway (as for a payer the clinic does not check), plus a
    # service from before the terminated member's plan ended: covered, so paid
    before = _encounter("ROSTER-BEFORE-END", ended, SERVICE_DAY.replace(day=1) - timedelta(days=5))
    replies = []
    for data in build_files([*claims.values(), before], MemoryControlNumbers()):
        replies += responder.respond(data, "000000002.837")
    remits = {r.clm01: r for r in read_answers(r.data for r in replies).remits()}
    denied = {name: (r.status, [a[:2] for line in r.lines for a in line.adjustments])
              for name, r in remits.items() if r.paid == 0}  # fmt: skip
    assert denied == {
        "ROSTER-UNKNOWN": ("4", [("CO", "31")]),
        "ROSTER-ENDED": ("4", [("CO", "27")]),
        "ROSTER-OTHER": ("4", [("CO", "22")]),
        "ROSTER-MCR-ENDED": ("4", [("CO", "27")]),
    }
    assert remits["ROSTER-OTHER"].lines[0].adjustments == [("CO", "22", Decimal("140.00"))]
    assert _priority_payers(replies) == {"ROSTER-OTHER": "OTHCOM1"}  # NM1*PR: who pays first
    assert remits["ROSTER-BEFORE-END"].paid > 0 and remits["ROSTER-MEDICAID"].paid > 0
    for reply in replies:
        if reply.kind == "835":
            assert pyx12_errors(reply.data.decode("ascii")) == [], reply.name


def _priority_payers(replies: list[Reply]) -> dict[str, str]:
    """CLP01 → NM109 of the claim's 2100 NM1*PR (Corrected Priority Payer) in the 835s."""
    found, clm01 = {}, ""
    for reply in replies:
        for seg in iter_segments(reply.data) if reply.kind == "835" else ():
            if seg.id == "CLP":
                clm01 = seg.get(1)
            elif seg.id == "NM1" and seg.get(1) == "PR":
                found[clm01] = seg.get(9)
    return found


def test_the_denials_worklist_says_what_the_front_desk_does() -> None:
    rules = denial_rules()
    catch_all = rules.lookup("CO", "ZZZ")
    for carc in ("22", "27", "31"):
        rule = rules.lookup("CO", carc)
        assert rule != catch_all and rule.team == "front desk", carc
        assert rule.why and rule.action, carc
