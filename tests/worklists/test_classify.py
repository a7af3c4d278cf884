"""Queues from hand-written 835/277CA/999/TA1 files, read by the real parsers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from edi.worklists.adapt import from_response_tables
from edi.worklists.classify import classify
from edi.worklists.merge import merge
from edi.worklists.rows import worklist_rows
from tests.support.x12files import (
    BAD_MEMBER_ID,
    Cas,
    Claim,
    Line,
    SetAck,
    Status,
    ack_999,
    claim_ack,
    remit,
    ta1,
)
from tests.worklists.conftest import context
from tests.worklists.tables import parse

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
REMIT_DAY = date(2026, 10, 20)


def day_one_835() -> str:
    partial = Claim(
        "ENC-1", "1", "175", "80", "20", "PCN1",
        lines=[
            Line("99213", "150", "80", "ENC-1-1", [Cas("CO", "45", "50"), Cas("PR", "2", "20")],
                 modifiers=("25",), allowed="100"),
            Line("J1100", "25", "0", "ENC-1-2", [Cas("CO", "16", "25")], ["M119"], units="2"),
        ],
    )  # fmt: skip
    denied = Claim(
        "ENC-2", "4", "90", "0", "0", "PCN2",
        lines=[Line("99214", "90", "0", "ENC-2-1", [Cas("CO", "197", "90")])],
        patient=("ROE", "RICHARD"), member_id="W987654321",
    )  # fmt: skip
    reversed_ = Claim(
        "ENC-4", "22", "-300", "-250", "0", "PCN4",
        adjustments=[Cas("CO", "45", "-50")], patient=("LOVELACE", "ADA"),
    )  # fmt: skip
    readjudicated = Claim(
        "ENC-4", "1", "300", "300", "0", "PCN4",
        lines=[Line("99215", "300", "300", "ENC-4-1")], patient=("LOVELACE", "ADA"),
    )  # fmt: skip
    return remit(
        [partial, denied, reversed_, readjudicated], trace="TRACE1", pay_date=REMIT_DAY, isa13=101
    )


def rejected_999(clm01: str) -> str:
    """A 999 of 2026-10-03 rejecting the claim's transaction set for its member ID."""
    errors = [replace(BAD_MEMBER_ID, clm01=clm01)]
    return ack_999(5, [SetAck("0001", "R", ("5",), errors)], "R", isa13=103,
                   created=datetime(2026, 10, 3, 12))  # fmt: skip


def classified(files, ctx, rules, settings, terms, today=TODAY):
    responses, texts = from_response_tables(parse(*files))
    return classify(responses, ctx, rules, settings, terms, today, texts)


def rows_of(result, ctx, settings, terms, today=TODAY):
    merged = merge({}, result, ctx, NOW)
    return worklist_rows(merged.items.values(), ctx, settings, terms, today)


def test_denials_come_only_from_denial_adjustments(rules, settings, terms):
    ctx = context()
    result = classified([("a.835", day_one_835())], ctx, rules, settings, terms)
    denials = rows_of(result, ctx, settings, terms)["denials"]
    found = {(r["clm01"], r["line_ref"], r["group"], r["code"]) for r in denials.to_dict("records")}
    # The CO-45 and PR-2 on the paid line are posted; the J1100 line denied inside a
    # processed claim (CLP02 1) and the denied claim's line are queued.
    assert found == {("ENC-1", "ENC-1-2", "CO", "16"), ("ENC-2", "ENC-2-1", "CO", "197")}
    j1100 = denials.set_index("line_ref").loc["ENC-1-2"]
    assert (j1100["denied_cents"], j1100["billed_cents"], j1100["paid_cents"]) == (2500, 2500, 0)
    assert j1100["category"] == "coding" and "NDC" in j1100["why"]  # the M119 override
    assert j1100["rarcs"] == "M119" and "NDC" in j1100["rarc_texts"]
    assert j1100["patient_name"] == "DOE, JANE" and j1100["member_id"] == "W123456789"
    assert j1100["source_ref"] == "TRACE1" and j1100["source_date"] == REMIT_DAY
    auth = denials.set_index("line_ref").loc["ENC-2-1"]
    assert (auth["category"], auth["team"], auth["action_kind"]) == (
        "authorization", "authorizations", "appeal",
    )  # fmt: skip


def test_patient_responsibility_is_summed_not_queued(rules, settings, terms):
    result = classified([("a.835", day_one_835())], context(), rules, settings, terms)
    pr = result.patient_responsibility.set_index("clm01")
    assert list(pr.index) == ["ENC-1"]
    assert (pr.loc["ENC-1", "coinsurance_cents"], pr.loc["ENC-1", "patient_resp_cents"]) == (
        2000, 2000,
    )  # fmt: skip


def test_a_reversal_shows_no_problem_and_pays_nothing(rules, settings, terms):
    result = classified([("a.835", day_one_835())], context(), rules, settings, terms)
    assert not [o for o in result.observations if o.clm01 == "ENC-4"]
    enc4 = [a for a in result.adjudications if a.clm01 == "ENC-4"]
    assert len(enc4) == 1 and enc4[0].paid_cents == 30000  # only the re-adjudication counts
    assert all(o.fields["denied_cents"] > 0 for o in result.observations if o.queue == "denials")


def test_a_denied_claim_without_a_denial_code_is_still_queued(rules, settings, terms):
    odd = Claim("ENC-2", "4", "90", "0", "0", "PCN2", adjustments=[Cas("CO", "45", "90")])
    remittance = remit([odd], trace="T9", pay_date=REMIT_DAY, isa13=109)
    result = classified([("b.835", remittance)], context(), rules, settings, terms)
    (obs,) = result.observations
    assert (obs.queue, obs.line_ref, obs.fields["denied_cents"]) == ("denials", None, 9000)


def test_rejections_from_277ca_999_and_ta1(rules, settings, terms):
    ctx = context(**{"ENC-4": {"isa13": 12, "gs06": 8}})
    statuses = [Status("ENC-2", "A7", "562", "82"),
                Status("ENC-1", "A1", "20", payer_claim_number="PCN1")]  # fmt: skip
    files = [
        ("b.277", claim_ack(statuses, payer=True, isa13=102, created=datetime(2026, 10, 5, 12))),
        ("c.999", rejected_999("ENC-3")),
        ("d.ta1", ta1(12, "R", "024", isa13=104, created=datetime(2026, 10, 3, 12))),
    ]
    result = classified(files, ctx, rules, settings, terms)
    rejected = rows_of(result, ctx, settings, terms)["rejections"].set_index("clm01")
    assert sorted(rejected.index) == ["ENC-2", "ENC-3", "ENC-4"]  # ENC-1 was accepted (A1)
    assert rejected.loc["ENC-2", "source_kind"] == "277CA"
    assert (rejected.loc["ENC-2", "group"], rejected.loc["ENC-2", "code"]) == ("A7", "562")
    assert rejected.loc["ENC-2", "category"] == "credentialing"
    assert rejected.loc["ENC-3", "source_kind"] == "999"
    assert "claim ENC-3" in rejected.loc["ENC-3", "code_text"]
    assert rejected.loc["ENC-4", "source_kind"] == "TA1"
    assert all("new original" in a or "resubmit" in a for a in rejected["action"])
    assert set(rejected["action_kind"]) == {"resubmit"}
    # Never adjudicated: a rejection is due by the timely-filing deadline (DOS + 180 Acme,
    # DOS + 365 Medicare), there is no appeal.
    assert rejected["appeal_deadline"].isna().all()
    assert rejected.loc["ENC-2", "due_date"] == date(2027, 3, 30)
    assert rejected.loc["ENC-3", "due_date"] == date(2027, 10, 1)


def test_no_response_after_the_payers_days(rules, settings, terms):
    ctx = context(
        **{
            "ENC-1": {"responded_on": None, "submitted_on": date(2026, 10, 28)},  # 30 days: not yet
            "ENC-2": {"responded_on": None, "submitted_on": date(2026, 10, 27)},  # 31 days
            "ENC-3": {"responded_on": None, "submitted_on": date(2026, 10, 1)},
        }
    )
    accepted = claim_ack([Status("ENC-3", "A1", "20")], payer=True, isa13=102,
                         created=datetime(2026, 11, 1, 12))  # fmt: skip
    result = classified([("b.277", accepted)], ctx, rules, settings, terms)
    waiting = rows_of(result, ctx, settings, terms)["no_response"]
    # ENC-3 got a 277CA acceptance but no 835 in 57 days: accepted, never paid.
    assert sorted(waiting["clm01"]) == ["ENC-2", "ENC-3"]
    by_claim = waiting.set_index("clm01")
    assert by_claim.loc["ENC-2", "recoverable_cents"] == 9000
    assert by_claim.loc["ENC-2", "category"] == "no response"
    assert by_claim.loc["ENC-3", "category"] == "accepted, not paid"
    assert by_claim.loc["ENC-3", "last_evidence"].startswith("277CA A1 accepted (20 ")
    assert by_claim.loc["ENC-3", "last_evidence"].endswith("on 2026-11-01")


def test_waiting_counts_from_the_business_date_and_shows_the_ledgers_last_answer(
    rules, settings, terms
):
    ctx = context(
        **{
            "ENC-1": {"submitted_on": date(2026, 10, 1), "last_evidence": "277 P1 pending"},
            "ENC-2": {"submitted_on": date(2026, 10, 1), "adjudicated_on": date(2026, 10, 20)},
            "ENC-3": {"submitted_on": date(2026, 10, 1), "rejected_on": date(2026, 10, 3)},
            "ENC-4": {"submitted_on": date(2026, 11, 20), "responded_on": None},
        }
    )
    result = classified([], ctx, rules, settings, terms)
    waiting = rows_of(result, ctx, settings, terms)["no_response"]
    assert list(waiting["clm01"]) == ["ENC-1"]  # paid, rejected, and 7 days only are not
    assert waiting.iloc[0]["last_evidence"] == "277 P1 pending"
    assert waiting.iloc[0]["days_waiting"] == 57


def test_deadlines_follow_the_payer_profile(rules, settings, terms):
    line = Line("99213", "120", "0", "ENC-3-1", [Cas("CO", "50", "120")])
    medicare = Claim("ENC-3", "4", "120", "0", "0", "MCN3", lines=[line])
    ctx = context()
    remittance = remit([medicare], trace="MED1", pay_date=REMIT_DAY, isa13=105, payer_id="00431")
    result = classified([("m.835", remittance)], ctx, rules, settings, terms)
    row = rows_of(result, ctx, settings, terms)["denials"].iloc[0]
    assert row["appeal_deadline"] == date(2027, 2, 17)  # 835 date + 120 (redetermination)
    assert row["filing_deadline"] == date(2027, 10, 1)  # DOS + 365
    assert row["due_date"] == row["appeal_deadline"] and row["days_left"] == 82


def test_priority_ranks_deadline_first_then_dollars(rules, settings, terms):
    # ENC-1's $25 corrected claim is due by timely filing (DOS + 180 = 2026-12-02); ENC-2's
    # $90 appeal has until 2027-04-18: the nearer deadline wins over the bigger amount.
    ctx = context(**{"ENC-1": {"dos": date(2026, 6, 5)}})
    result = classified([("a.835", day_one_835())], ctx, rules, settings, terms)
    denials = rows_of(result, ctx, settings, terms)["denials"]
    assert list(denials["clm01"]) == ["ENC-1", "ENC-2"]
    assert denials.iloc[0]["days_left"] == 5
    assert list(denials["priority"]) == [1, 2]
    assert bool(denials.iloc[0]["due_soon"]) and not bool(denials.iloc[1]["due_soon"])
