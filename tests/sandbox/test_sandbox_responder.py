"""The sandbox's answers, without SSH: every outcome, valid X12, reproducible per seed."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from edi.x12.control import MemoryControlNumbers
from mappings.profiles import clearinghouse_profile
from sandbox.replies import Reply
from sandbox.responder import Responder
from sandbox.state import SandboxState
from tests.sandbox.answers import read_answers
from tests.sandbox.claim_batch import RECEIVED, build_files, outcome_batch
from tests.support.judge import pyx12_errors

SEED = 7
"""A seed under which the bundled rules' "sometimes" (reversal, L6 and WO PLBs) happens."""


def answer(files: list[bytes], seed: int = SEED, clock: datetime = RECEIVED) -> list[Reply]:
    responder = Responder(SandboxState(), seed=seed, clock=lambda: clock)
    replies = []
    for number, data in enumerate(files, 1):
        replies += responder.respond(data, f"{number:09d}.837")
    return replies + responder.advance()


@pytest.fixture(scope="module")
def batch_replies() -> list[Reply]:
    return answer(build_files(outcome_batch(), MemoryControlNumbers()))


def test_every_file_the_sandbox_writes_passes_pyx12(batch_replies: list[Reply]) -> None:
    assert {r.kind for r in batch_replies} == {"999", "277CA", "835"}
    for reply in batch_replies:
        assert pyx12_errors(reply.data.decode("ascii")) == [], reply.name


def test_the_batch_gets_every_outcome(batch_replies: list[Reply]) -> None:
    answers = read_answers(r.data for r in batch_replies)
    assert answers.ak9 == [("A", "1", "1", "1")]
    assert answers.statuses["REJECT-A7"] == ["A7:164:IL"]
    assert answers.statuses["REJECT-A6"] == ["A6:252"]
    assert answers.statuses["AUTH-OK"] == ["A2:20"]
    assert answers.line_outcomes() >= {
        "CO-45", "PR-1", "PR-2", "PR-3", "CO-50", "CO-97", "CO-16", "CO-29", "CO-18", "CO-96",
    }  # fmt: skip
    by_claim = {
        r.clm01: r for r in answers.remits() if r.status != "22" and not r.original_claim_number
    }
    assert by_claim["DENY-CO50"].lines[1].adjustments == [("CO", "50", Decimal("70.00"))]
    assert by_claim["DENY-CO97"].lines[1].remarks == ["M15"]
    assert by_claim["DENY-CO16-NDC"].lines[0].remarks == ["M119"]
    assert by_claim["DENY-CO16-REF"].lines[0].remarks == ["N286"]
    assert by_claim["DENY-CO29"].lines[0].adjustments[0][:2] == ("CO", "29")
    assert ("CO", "18") not in [a[:2] for a in by_claim["DUP-FIRST"].lines[0].adjustments]
    assert by_claim["DUP-SECOND"].lines[0].adjustments == [("CO", "18", Decimal("90.00"))]
    assert by_claim["DENY-CO29"].status == "4"
    assert "REJECT-A7" not in by_claim and "REJECT-A6" not in by_claim
    reversals = [r for r in answers.remits() if r.status == "22"]
    assert reversals, "a paid claim is reversed in the next payment cycle"
    for reversal in reversals:
        correction = next(r for r in answers.remits()
                           if r.original_claim_number == reversal.payer_claim_number)  # fmt: skip
        assert reversal.paid == -by_claim[reversal.clm01].paid
        assert correction.clm01 == reversal.clm01 and correction.paid > 0
    assert {reason for p in answers.payments for reason, _, _ in p.plb} >= {"L6", "WO"}
    assert {p.method for p in answers.payments} >= {"ACH", "NON"}


def test_identifiers_echo_what_the_837_sent(batch_replies: list[Reply]) -> None:
    answers = read_answers(r.data for r in batch_replies)
    encounters = outcome_batch()
    assert set(answers.statuses) == {e.claim_id for e in encounters}
    for remit in answers.remits():
        if remit.status == "22":
            continue
        assert answers.claim_numbers[remit.clm01] == remit.payer_claim_number or (
            remit.original_claim_number
        )
        assert [line.line_control for line in remit.lines] == [
            f"{remit.clm01}-{n}" for n in range(1, len(remit.lines) + 1)
        ]
    traces = [p.trace for p in answers.payments]
    assert len(set(traces)) == len(traces)


def test_amounts_balance(batch_replies: list[Reply]) -> None:
    for payment in read_answers(r.data for r in batch_replies).payments:
        assert payment.total == sum(r.paid for r in payment.remits) - sum(
            amount for _, _, amount in payment.plb
        )
        for remit in payment.remits:
            assert remit.paid == sum(line.paid for line in remit.lines)
            responsibility = sum(
                amount for line in remit.lines for group, _, amount in line.adjustments
                if group == "PR"
            )  # fmt: skip
            assert remit.patient_responsibility == responsibility
            for line in remit.lines:
                assert line.charge - sum(a for _, _, a in line.adjustments) == line.paid


def test_same_seed_same_decisions_whatever_the_clock_and_control_numbers() -> None:
    encounters = outcome_batch()
    first = answer(build_files(encounters, MemoryControlNumbers()))
    later_controls = MemoryControlNumbers()
    later_controls.allocate("ISA:CLINICSUBMIT01:SANDBOXCH", 500)
    second = answer(build_files(encounters, later_controls), clock=RECEIVED + timedelta(hours=3))
    first_answers = read_answers(r.data for r in first)
    second_answers = read_answers(r.data for r in second)
    assert first_answers.decisions() == second_answers.decisions()
    assert [r.data for r in first] != [r.data for r in second]  # the clock did change them


def test_sending_the_same_claims_again_makes_duplicates() -> None:
    responder = Responder(SandboxState(), seed=SEED, clock=lambda: RECEIVED)
    encounters = [e for e in outcome_batch() if e.claim_id.startswith("PAID-000")]
    controls = MemoryControlNumbers()
    responder.respond(build_files(encounters, controls)[0], "first.837")
    again = responder.respond(build_files(encounters, controls)[0], "second.837")
    remits = read_answers(r.data for r in again).remits()
    assert remits and all(a[:2] == ("CO", "18") for r in remits for ln in r.lines
                          for a in ln.adjustments)  # fmt: skip


# -- envelopes and syntax -----------------------------------------------------------------


def _one_file(claims: int = 2, **profile_changes: object) -> bytes:
    profile = clearinghouse_profile("sandbox").model_copy(update=profile_changes)
    encounters = outcome_batch()[:claims]
    return build_files(encounters, MemoryControlNumbers(), profile=profile)[0]


@pytest.mark.parametrize(
    ("mutate", "note"),
    [
        (lambda d: b"this is not an interchange", "024"),
        (lambda d: d.replace(b"*ZZ*SANDBOXCH      *", b"*ZZ*SOMEONEELSE    *", 1), "008"),
        (lambda d: d.replace(b"IEA*1*000000001", b"IEA*1*000000002"), "001"),
        (lambda d: d.replace(b"IEA*1*", b"IEA*2*"), "021"),
    ],
    ids=["not-x12", "other-receiver", "iea-control", "iea-count"],
)
def test_a_bad_envelope_gets_only_a_ta1(mutate, note: str) -> None:
    replies = answer([mutate(_one_file())])
    assert [r.kind for r in replies] == ["TA1"]
    assert read_answers([replies[0].data]).ta1[0][1:] == ("R", note)
    assert pyx12_errors(replies[0].data.decode("ascii")) == []


def test_an_interchange_sent_twice_gets_ta1_025() -> None:
    data = _one_file()
    responder = Responder(SandboxState(), seed=SEED, clock=lambda: RECEIVED)
    assert [r.kind for r in responder.respond(data, "a.837")] == ["999", "277CA", "835"]
    again = responder.respond(data, "b.837")
    assert [(r.kind, read_answers([r.data]).ta1[0][1:]) for r in again] == [("TA1", ("R", "025"))]


def test_a_broken_transaction_set_is_rejected_in_the_999_and_the_rest_goes_on() -> None:
    data = _one_file(claims=6, claims_per_transaction=3, transactions_per_interchange=2)
    second_st = data.index(b"ST*837*0002")
    broken = data[:second_st] + data[second_st:].replace(b"SV1*HC:", b"SV1*HC:99999:ZZZZ:", 1)
    replies = answer([broken])
    assert pyx12_errors(replies[0].data.decode("ascii")) == []
    answers = read_answers(r.data for r in replies)
    assert answers.ak9 == [("P", "2", "2", "1")]
    assert answers.ik5["0001"] == ("A",)
    assert answers.ik5["0002"][0] == "R"
    rejected_claim = outcome_batch()[3].claim_id
    assert answers.ctx_claims == [rejected_claim]
    assert rejected_claim not in answers.statuses
    assert set(answers.statuses) == {e.claim_id for e in outcome_batch()[:3]}


def test_an_unknown_guide_version_is_rejected_by_999() -> None:
    data = _one_file().replace(b"005010X222A1", b"005010X222A2")
    replies = answer([data])
    assert [r.kind for r in replies] == ["999"]
    assert read_answers([replies[0].data]).ak9 == [("R", "1", "1", "0", "2")]
    assert pyx12_errors(replies[0].data.decode("ascii")) == []


def test_replacement_and_void_reverse_what_was_paid() -> None:
    responder = Responder(SandboxState(), seed=SEED, clock=lambda: RECEIVED)
    controls = MemoryControlNumbers()
    original = next(e for e in outcome_batch() if e.claim_id == "AUTH-OK")
    first = read_answers(r.data for r in responder.respond(build_files([original], controls)[0],
                                                           "1.837"))  # fmt: skip
    icn = first.claim_numbers["AUTH-OK"]
    paid = first.remits()[0].paid
    assert paid > 0

    def send(frequency: str, reference: str, name: str):
        changed = original.model_copy(
            update={"frequency_code": frequency, "original_payer_claim_number": reference}
        )
        return read_answers(r.data for r in responder.respond(
            build_files([changed], controls)[0], name))  # fmt: skip

    replaced = send("7", icn, "2.837")
    reversal, replacement = replaced.remits()
    assert (reversal.status, reversal.payer_claim_number, reversal.paid) == ("22", icn, -paid)
    assert replacement.original_claim_number == icn and replacement.paid > 0
    voided = send("8", replacement.payer_claim_number, "3.837")
    assert [(r.status, r.payer_claim_number) for r in voided.remits()] == [
        ("22", replacement.payer_claim_number)
    ]
    unknown = send("8", "NOSUCHCLAIM", "4.837")
    assert unknown.statuses["AUTH-OK"] == ["A7:21"] and unknown.remits() == []
