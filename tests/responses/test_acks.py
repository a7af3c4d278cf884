"""999 and TA1: one row per acknowledged set, one per error, rejections on the claim."""

from __future__ import annotations

import pandas as pd

from edi.responses import parse_999, parse_any, parse_ta1
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import IkError, SetAck, ack_999, ta1

NM1_ERROR = IkError("NM1", 12, "9", "7", loop="2010", value="X", clm01="ENC-2")

TEXTS = bundled_code_texts()


def test_999_accepted_rejected_and_partial_group():
    text = ack_999("1001", [SetAck("0001"), SetAck("0002", "R", ("5",), [NM1_ERROR])], "P")
    t = parse_999(text, "ack.999", texts=TEXTS)
    sets = t.acks[t.acks["level"] == "transaction"]
    assert sets[["acked_gs06", "acked_st02", "status", "accepted"]].values.tolist() == [
        ["1001", "0001", "A", True],
        ["1001", "0002", "R", False],
    ]
    assert sets.iloc[1]["error_text"] == "One or more segments in error"
    assert sets.iloc[1]["error_count"] == 2
    group = t.acks[t.acks["level"] == "group"].iloc[0]
    assert (group["status"], group["sets_accepted"], group["sets_received"]) == ("P", 1, 2)
    assert pd.isna(group["accepted"])
    assert group["ack_date"] == pd.Timestamp("2026-11-27")


def test_999_errors_land_on_the_claim():
    t = parse_999(ack_999("1001", [SetAck("0002", "R", ("5",), [NM1_ERROR])], "R"), texts=TEXTS)
    errors = t.ack_errors
    assert errors[["level", "clm01", "segment_id", "error_code"]].fillna("").values.tolist() == [
        ["segment", "ENC-2", "NM1", "8"],
        ["element", "ENC-2", "NM1", "7"],
        ["transaction", "", "", "5"],
    ]
    element = errors.iloc[1]
    assert (element["segment_position"], element["loop_id"], element["element_position"]) == (
        12,
        "2010",
        9,
    )
    assert element["error_text"] == "Invalid code value" and element["bad_value"] == "X"
    assert errors.iloc[0]["error_text"] == "Segment has element errors"


def test_ta1_accepted_and_rejected():
    t = parse_ta1(ta1("000001001") + ta1("000001002", "R", "006", isa13=4002), texts=TEXTS)
    assert t.acks[["kind", "acked_isa13", "status", "accepted"]].values.tolist() == [
        ["TA1", "000001001", "A", True],
        ["TA1", "000001002", "R", False],
    ]
    assert t.acks.iloc[1]["error_text"] == "Invalid sender ID (ISA06)"
    assert t.ack_errors[["level", "error_code"]].values.tolist() == [["interchange", "006"]]


def test_unknown_ack_codes_never_fail():
    t = parse_any(ack_999("7", [SetAck("0001", "Q", ("ZZ9",))], "Q"), texts=TEXTS)
    row = t.acks.iloc[0]
    assert row["status_text"] == "unknown code Q" and row["error_text"] == "unknown code ZZ9"
    assert pd.isna(row["accepted"])
