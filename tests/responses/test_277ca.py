"""277CA: one row per claim status, texts in plain English, lines tied to our REF*6R."""

from __future__ import annotations

import pandas as pd

from edi.responses import parse_277ca, parse_any
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import Status, claim_ack

TEXTS = bundled_code_texts()


def test_accepted_and_rejected_claims_from_the_clearinghouse():
    text = claim_ack(
        [
            Status("ENC-1"),
            Status("ENC-2", "A7", "562", "85", "U", second=("A7", "164", "IL")),
        ]
    )
    t = parse_277ca(text, "ack.277", texts=TEXTS)
    claims = t.claim_status[t.claim_status["level"] == "claim"]
    assert claims[
        ["clm01", "status_seq", "status_category", "status_code", "outcome"]
    ].values.tolist() == [
        ["ENC-1", 1, "A2", "20", "accepted"],
        ["ENC-2", 1, "A7", "562", "rejected"],
        ["ENC-2", 2, "A7", "164", "rejected"],
    ]
    rejected = claims.iloc[1]
    assert rejected["responder"] == "clearinghouse"
    assert rejected["clearinghouse_trace"] == "CH0001" and rejected["action_code"] == "U"
    assert rejected["entity_text"] == "Billing provider"
    assert "National Provider Identifier" in rejected["status_code_text"]
    assert rejected["status_category_text"].startswith("Rejected")
    assert rejected["charge_cents"] == 15000
    assert rejected["service_date_start"] == pd.Timestamp("2026-11-20")
    assert rejected["service_date_end"] == pd.Timestamp("2026-11-21")
    assert rejected["batch_trace"] == "BATCH0001" and rejected["provider_id"] == "1234567893"
    assert rejected["receipt_date"] == pd.Timestamp("2026-11-26")
    levels = t.claim_status["level"].tolist()
    assert levels[:2] == ["receiver", "provider"]
    assert t.findings.empty


def test_payer_answer_carries_the_payer_claim_number():
    t = parse_277ca(
        claim_ack([Status("ENC-3", payer_claim_number="ICN777")], payer=True), texts=TEXTS
    )
    row = t.claim_status[t.claim_status["level"] == "claim"].iloc[0]
    assert (row["responder"], row["responder_id"], row["payer_claim_number"]) == (
        "payer",
        "87726",
        "ICN777",
    )


def test_line_status_lands_on_our_line_control_number():
    status = Status("ENC-4", "A3", "21", lines=[("ENC-4-2", "93000", "A7", "454")])
    t = parse_277ca(claim_ack([status]), texts=TEXTS)
    (line,) = t.line_status.to_dict("records")
    picked = ("clm01", "line_ref", "procedure_code", "status_category", "status_code")
    assert [line[k] for k in picked] == ["ENC-4", "ENC-4-2", "93000", "A7", "454"]
    assert line["charge_cents"] == 7500
    assert line["status_date"] == pd.Timestamp("2026-11-27")
    assert str(line["units"]) == "1"


def test_every_277ca_category_has_a_text_and_unknown_codes_say_so():
    t = parse_any(claim_ack([Status("ENC-5", "A9", "99999", "ZQ")]), texts=TEXTS)
    row = t.claim_status[t.claim_status["level"] == "claim"].iloc[0]
    assert row["status_category_text"] == "unknown code A9"
    assert row["status_code_text"] == "unknown code 99999"
    assert row["entity_text"] == "unknown code ZQ"
    assert pd.isna(row["outcome"])


def test_several_claims_under_one_patient_keep_their_own_numbers():
    text = claim_ack([Status("ENC-6", payer_claim_number="P6"), Status("ENC-7")])
    # move ENC-7's 2200D under ENC-6's patient HL (HL*5 removed): two TRN/STC in a row
    merged = text.replace("HL*5*3*PT~NM1*QC*1*DOE*JANE****MI*W123456789~", "")
    t = parse_277ca(merged, texts=TEXTS)
    claims = t.claim_status[t.claim_status["level"] == "claim"]
    assert claims[["clm01", "payer_claim_number"]].fillna("").values.tolist() == [
        ["ENC-6", "P6"],
        ["ENC-7", ""],
    ]
