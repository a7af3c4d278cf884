"""Every 277CA signal is queued: line, provider and batch rejections, requests for
information and pends, each read from a hand-written 277CA by the real parser."""

from __future__ import annotations

from datetime import date, datetime

from tests.support.x12files import Status, claim_ack
from tests.worklists.conftest import context
from tests.worklists.test_classify import classified, rows_of

CREATED = datetime(2026, 10, 5, 12)


def _rows(text, rules, settings, terms):
    ctx = context()
    result = classified([("s.277", text)], ctx, rules, settings, terms)
    return rows_of(result, ctx, settings, terms)


def test_a_line_rejection_names_the_line_and_the_code(rules, settings, terms):
    ack = claim_ack(
        [Status("ENC-1", "A2", "20", lines=[("ENC-1-2", "J1100", "A7", "454")])],
        payer=True, created=CREATED,
    )  # fmt: skip
    rejected = _rows(ack, rules, settings, terms)["rejections"]
    (row,) = rejected.to_dict("records")
    assert (row["clm01"], row["line_ref"], row["code"]) == ("ENC-1", "ENC-1-2", "454")
    assert row["procedure_code"] == "J1100" and row["category"] == "coding"


def test_a_provider_rejection_marks_every_claim_of_that_provider(rules, settings, terms):
    ack = claim_ack(
        [Status("ENC-1", "A3", "21"), Status("ENC-2", "A3", "21")],
        payer=True, created=CREATED, provider_status=("A7", "562", "85"),
    )  # fmt: skip
    rejected = _rows(ack, rules, settings, terms)["rejections"]
    provider = rejected[rejected["why"].str.contains("billing provider was rejected")]
    assert sorted(provider["clm01"]) == ["ENC-1", "ENC-2"]
    assert set(provider["entity"]) == {"85"}
    assert provider["points_at"].str.startswith("Billing provider (loop 2010AA").all()


def test_a_batch_rejection_marks_every_claim_of_the_batch(rules, settings, terms):
    ack = claim_ack(
        [Status("ENC-1", "A2", "20"), Status("ENC-2", "A2", "20")],
        payer=False, created=CREATED, receiver_status=("A3", "24", "41"),
    )  # fmt: skip
    rejected = _rows(ack, rules, settings, terms)["rejections"]
    assert sorted(rejected["clm01"]) == ["ENC-1", "ENC-2"]
    assert rejected["why"].str.contains("whole batch").all()


def test_rejection_rows_show_the_entity_and_the_field_it_points_at(rules, settings, terms):
    ack = claim_ack([Status("ENC-2", "A7", "562", "82")], payer=True, created=CREATED)
    (row,) = _rows(ack, rules, settings, terms)["rejections"].to_dict("records")
    assert row["entity"] == "82"
    assert row["points_at"].startswith("Rendering provider (loop 2310B")


def test_a_request_for_information_has_the_payers_deadline(rules, settings, terms):
    ack = claim_ack([Status("ENC-1", "R4", "252", "41", action="WQ"),
                     Status("ENC-2", "P1", "20", action="WQ")],
                    payer=True, created=CREATED)  # fmt: skip
    rows = _rows(ack, rules, settings, terms)
    info = rows["info_requested"].set_index("clm01")
    assert sorted(info.index) == ["ENC-1", "ENC-2"]
    assert info.loc["ENC-1", "respond_by"] == date(2026, 11, 4)  # status date + 30 days
    assert info.loc["ENC-1", "due_date"] == date(2026, 11, 4)
    assert info.loc["ENC-1", "action_kind"] == "records"
    assert info.loc["ENC-2", "why"] == "The payer pended the claim"
    assert rows["rejections"].empty


def test_a_claim_asked_for_information_is_not_also_waiting(rules, settings, terms):
    ctx = context(**{"ENC-1": {"responded_on": None, "submitted_on": date(2026, 8, 1)}})
    ack = claim_ack([Status("ENC-1", "R4", "252", "41", action="WQ")], payer=True,
                    created=CREATED)  # fmt: skip
    result = classified([("s.277", ack)], ctx, rules, settings, terms)
    rows = rows_of(result, ctx, settings, terms)
    assert list(rows["info_requested"]["clm01"]) == ["ENC-1"]
    assert rows["no_response"].empty
    later = classify_again(ctx, rules, settings, terms, asked=frozenset({"ENC-1"}))
    assert "ENC-1" not in {o.clm01 for o in later.observations if o.queue == "no_response"}


def classify_again(ctx, rules, settings, terms, asked):
    from edi.worklists.classify import classify
    from edi.worklists.inputs import Responses

    return classify(Responses(), ctx, rules, settings, terms, date(2026, 11, 27), asked=asked)
