"""Living worklists: the same problem keeps its row, and later responses close or reopen it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from edi.worklists.adapt import from_response_tables
from edi.worklists.classify import classify
from edi.worklists.edits import Edit, plan_edits
from edi.worklists.merge import merge
from edi.worklists.rows import worklist_rows
from tests.support.x12files import Cas, Claim, Line, Status, claim_ack, remit
from tests.worklists.conftest import context
from tests.worklists.tables import parse
from tests.worklists.test_classify import REMIT_DAY, day_one_835

DAY1 = datetime(2026, 10, 21, 6, 0, tzinfo=UTC)


class Run:
    """Successive nightly builds over one set of items, as the flow does with the ledger."""

    def __init__(self, rules, settings, terms):
        self.rules, self.settings, self.terms = rules, settings, terms
        self.items = {}

    def night(self, files, ctx, now):
        responses, texts = from_response_tables(parse(*files))
        today = now.date()
        result = classify(responses, ctx, self.rules, self.settings, self.terms, today, texts)
        merged = merge(self.items, result, ctx, now)
        self.items = merged.items
        return merged, worklist_rows(merged.items.values(), ctx, self.settings, self.terms, today)

    def edit(self, clm01, now, **values):
        (item,) = [i for i in self.items.values() if i.clm01 == clm01 and i.queue == "denials"]
        edit = Edit(item.item_id, values.get("status"), values.get("owner"), values.get("notes"),
                    "Denials!2")  # fmt: skip
        plan = plan_edits([edit], self.items, now, "worklists.xlsx")
        assert not plan.problems
        self.items |= {i.item_id: i for i in plan.changed}
        return item.item_id


def test_status_owner_and_notes_carry_over(rules, settings, terms):
    run = Run(rules, settings, terms)
    ctx = context()
    run.night([("a.835", day_one_835())], ctx, DAY1)
    item_id = run.edit("ENC-1", DAY1, status="In progress", owner="maria", notes="NDC on vial")
    merged, rows = run.night([], ctx, DAY1 + timedelta(days=7))
    row = rows["denials"].set_index("item_id").loc[item_id]
    assert (row["status"], row["owner"], row["notes"]) == ("in_progress", "maria", "NDC on vial")
    # Due by timely filing (DOS 2026-10-01 + 180), counted from the later day.
    assert row["days_left"] == (date(2027, 3, 30) - date(2026, 10, 28)).days
    assert merged.changed == frozenset()  # nothing new happened


def test_rerunning_the_same_responses_changes_nothing(rules, settings, terms):
    run = Run(rules, settings, terms)
    run.night([("a.835", day_one_835())], context(), DAY1)
    merged, _ = run.night([("a.835", day_one_835())], context(), DAY1)
    assert merged.counts.get("new", 0) == 0 and merged.counts.get("seen_again", 0) == 0
    assert {i.times_seen for i in merged.items.values()} == {1}


def test_a_later_payment_resolves_the_denial(rules, settings, terms):
    run = Run(rules, settings, terms)
    ctx = context()
    run.night([("a.835", day_one_835())], ctx, DAY1)
    paid = Claim("ENC-1", "1", "175", "105", "20", "PCN1", lines=[
        Line("99213", "150", "80", "ENC-1-1", [Cas("CO", "45", "50"), Cas("PR", "2", "20")]),
        Line("J1100", "25", "25", "ENC-1-2")])  # fmt: skip
    later = remit([paid], trace="TRACE2", pay_date=REMIT_DAY + timedelta(days=14), isa13=201)
    merged, rows = run.night([("b.835", later)], ctx, DAY1 + timedelta(days=15))
    assert merged.counts["resolved"] == 1
    assert list(rows["denials"]["clm01"]) == ["ENC-2"]
    (item,) = [i for i in run.items.values() if i.clm01 == "ENC-1"]
    assert (item.status, item.payload["resolution"]) == ("resolved", "paid")
    assert item.resolved_at == DAY1 + timedelta(days=15)


def test_a_partial_payment_keeps_the_unpaid_line_open(rules, settings, terms):
    run = Run(rules, settings, terms)
    ctx = context()
    two_lines = Claim("ENC-2", "4", "120", "0", "0", "PCN2", lines=[
        Line("99214", "90", "0", "ENC-2-1", [Cas("CO", "197", "90")]),
        Line("36415", "30", "0", "ENC-2-2", [Cas("CO", "197", "30")])])  # fmt: skip
    run.night([("a.835", remit([two_lines], trace="T1", pay_date=REMIT_DAY, isa13=301))], ctx, DAY1)
    partly = Claim("ENC-2", "2", "120", "60", "0", "PCN2", lines=[
        Line("99214", "90", "60", "ENC-2-1", [Cas("CO", "45", "30")]),
        Line("36415", "30", "0", "ENC-2-2", [Cas("CO", "197", "30")])])  # fmt: skip
    later = remit([partly], trace="T2", pay_date=REMIT_DAY + timedelta(days=30), isa13=302)
    _, rows = run.night([("b.835", later)], ctx, DAY1 + timedelta(days=31))
    open_rows = rows["denials"]
    assert list(open_rows["line_ref"]) == ["ENC-2-2"]
    assert open_rows.iloc[0]["times_seen"] == 2 and open_rows.iloc[0]["prior_denials"] == 1


def test_a_repeat_denial_reopens_an_appealed_row(rules, settings, terms):
    run = Run(rules, settings, terms)
    ctx = context()
    run.night([("a.835", day_one_835())], ctx, DAY1)
    item_id = run.edit("ENC-2", DAY1, status="appealed", owner="li", notes="records sent")
    line = Line("99214", "90", "0", "ENC-2-1", [Cas("CO", "197", "90")])
    upheld = Claim("ENC-2", "4", "90", "0", "0", "PCN2", lines=[line])
    later = remit([upheld], trace="TRACE3", pay_date=REMIT_DAY + timedelta(days=40), isa13=401)
    merged, rows = run.night([("c.835", later)], ctx, DAY1 + timedelta(days=41))
    row = rows["denials"].set_index("item_id").loc[item_id]
    assert merged.counts["reopened"] == 1
    assert (row["status"], row["owner"], row["notes"]) == ("new", "li", "records sent")
    assert (row["times_seen"], row["prior_denials"], row["source_ref"]) == (2, 1, "TRACE3")
    history = run.items[item_id].payload["history"]
    assert [(h["from"], h["to"]) for h in history] == [("new", "appealed"), ("appealed", "new")]


def test_a_corrected_claim_links_to_its_denial_and_closes_it_when_accepted(rules, settings, terms):
    run = Run(rules, settings, terms)
    run.night([("a.835", day_one_835())], context(), DAY1)
    replacement = {"frequency_code": "7", "original_payer_claim_number": "PCN1",
                   "submitted_on": date(2026, 10, 25), "responded_on": None}  # fmt: skip
    corrected = context(**{"ENC-1": replacement})
    merged, rows = run.night([], corrected, datetime(2026, 10, 26, 6, tzinfo=UTC))
    (item,) = [i for i in run.items.values() if i.clm01 == "ENC-1"]
    assert merged.counts["corrected"] == 1
    assert (item.status, item.payload["corrected_by"]) == ("corrected", "ENC-1")
    accepted = claim_ack(
        [Status("ENC-1", "A1", "20", payer_claim_number="PCN1B")],
        payer=True,
        isa13=501,
        created=datetime(2026, 10, 27, 12),
    )
    merged, rows = run.night([("e.277", accepted)], corrected, datetime(2026, 10, 28, tzinfo=UTC))
    assert run.items[item.item_id].status == "resolved"
    assert run.items[item.item_id].payload["resolution"] == "corrected claim accepted"
    assert "ENC-1" not in set(rows["denials"]["clm01"])


def test_a_rejection_is_marked_corrected_on_resubmission_and_resolved_on_acceptance(
    rules, settings, terms
):
    run = Run(rules, settings, terms)
    rejected = claim_ack(
        [Status("ENC-2", "A7", "562", "82")],
        payer=True,
        isa13=601,
        created=datetime(2026, 10, 5, 12),
    )
    run.night([("r.277", rejected)], context(), datetime(2026, 10, 6, tzinfo=UTC))
    resent = context(**{"ENC-2": {"submitted_on": date(2026, 10, 8), "responded_on": None}})
    run.night([], resent, datetime(2026, 10, 9, tzinfo=UTC))
    (item,) = run.items.values()
    assert item.status == "corrected"
    ok = claim_ack(
        [Status("ENC-2", "A2", "20")], payer=True, isa13=602, created=datetime(2026, 10, 10, 12)
    )
    _, rows = run.night([("s.277", ok)], resent, datetime(2026, 10, 11, tzinfo=UTC))
    assert run.items[item.item_id].status == "resolved"
    assert rows["rejections"].empty


def test_a_no_response_row_closes_once_the_payer_answers(rules, settings, terms):
    run = Run(rules, settings, terms)
    waiting = context(**{"ENC-4": {"responded_on": None}})
    _, rows = run.night([], waiting, datetime(2026, 11, 10, tzinfo=UTC))
    assert list(rows["no_response"]["clm01"]) == ["ENC-4"]
    answer = claim_ack(
        [Status("ENC-4", "A1", "20")], payer=True, isa13=701, created=datetime(2026, 11, 11, 12)
    )
    merged, rows = run.night([("n.277", answer)], waiting, datetime(2026, 11, 12, tzinfo=UTC))
    # accepted is not paid: the row stays, saying what the payer last said
    (row,) = rows["no_response"].to_dict("records")
    assert row["category"] == "accepted, not paid" and "277CA A1" in row["last_evidence"]
    paid = remit([Claim("ENC-4", "1", "300", "300", "0", "PCN4",
                        lines=[Line("99215", "300", "300", "ENC-4-1")])],
                 trace="PAY4", pay_date=date(2026, 11, 13), isa13=702)  # fmt: skip
    merged, rows = run.night([("p.835", paid)], waiting, datetime(2026, 11, 14, tzinfo=UTC))
    assert rows["no_response"].empty and merged.counts["resolved"] == 1


def test_an_old_workbook_cannot_reopen_what_a_payment_closed(rules, settings, terms):
    run = Run(rules, settings, terms)
    run.night([("a.835", day_one_835())], context(), DAY1)
    (item,) = [i for i in run.items.values() if i.clm01 == "ENC-1"]
    item.status, item.resolved_at = "resolved", DAY1 + timedelta(days=3)
    edit = Edit(item.item_id, "in progress", "maria", None, "Denials!3")
    plan = plan_edits([edit], run.items, DAY1 + timedelta(days=4), "old.xlsx", DAY1.date())
    assert plan.changed[0].status == "resolved" and plan.changed[0].owner == "maria"
    assert "closed (resolved) after this workbook was made" in plan.problems[0]
    assert "maria" not in plan.problems[0]


def test_a_secondary_payers_denial_shows_its_payer_sequence(rules, settings, terms):
    run = Run(rules, settings, terms)
    by_secondary = Claim("ENC-3", "2", "90", "0", "0", "GAP3", lines=[
        Line("99214", "90", "0", "ENC-3-1", [Cas("CO", "197", "90")])])  # fmt: skip
    _, rows = run.night([("s.835", remit([by_secondary], trace="T3", isa13=303))], context(), DAY1)
    assert list(rows["denials"]["payer_sequence"]) == ["S"]
