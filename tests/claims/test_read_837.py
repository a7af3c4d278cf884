"""The one 837 reader: what the builder writes comes back as the same encounter."""

from __future__ import annotations

import json
from typing import Any

import pytest

from edi.claims.models import Encounter
from edi.claims.read_837 import ClaimWalker, FiledEncounter, file_claims, read_837
from edi.guides.model import x222a1
from edi.x12.reader import iter_segments
from tests.claims.test_build_837p import EDGE_CASES, build, line
from tests.factories import encounter

CLEAN_CASES = [name for name in EDGE_CASES if name != "delimiters and accents everywhere"]


def _upper(value: Any) -> Any:
    """The writer upper-cases text (X12's basic character set); compare as it does."""
    if isinstance(value, str):
        return value.upper()
    if isinstance(value, dict):
        return {k: _upper(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_upper(v) for v in value]
    return value


def _as_sent(data: dict) -> dict:
    """The encounter as the 837 carries it: each line's REF*6R filled (``CLM01-n``), and
    no subscriber birth date or sex when a patient loop follows (2010BA DMG is not sent)."""
    enc = Encounter.model_validate(data)
    lines = [
        line.model_copy(update={"line_id": line.line_id or f"{enc.claim_id}-{n}"})
        for n, line in enumerate(enc.service_lines, 1)
    ]
    update: dict = {"service_lines": lines}
    if enc.patient is not None:
        update["subscriber"] = enc.subscriber.model_copy(update={"birth_date": None, "sex": None})
    sent = enc.model_copy(update=update)
    return _upper(json.loads(sent.model_dump_json()))


@pytest.mark.parametrize("name", CLEAN_CASES)
def test_built_claims_read_back_as_the_same_encounter(name: str) -> None:
    (ic,) = build(EDGE_CASES[name])
    (claim,) = file_claims(iter_segments(ic.text))
    read = FiledEncounter.model_validate(claim.record)
    extra: dict = dict.fromkeys(("stated_total", "subscriber_relationship", "icd9_diagnoses"), True)
    # the COB loops as the file states them (tests/cob reads those back)
    extra |= {"insurance_type": True, "other_payers": True}
    extra["service_lines"] = {"__all__": {"adjudications"}}
    assert _upper(json.loads(read.model_dump_json(exclude=extra))) == _as_sent(EDGE_CASES[name])
    assert read.stated_total == Encounter.model_validate(EDGE_CASES[name]).total_charge


def test_positions_point_at_the_segments_findings_are_about() -> None:
    (ic,) = build(encounter(service_lines=[line(), line(procedure_code="99214")]))
    segments = list(iter_segments(ic.text))
    (claim,) = file_claims(segments)
    by_position = {s.position: s for s in segments}
    assert by_position[claim.clm_position].id == "CLM"
    assert by_position[claim.position_of("service_lines[1].charge")].component(1, 2) == "99214"
    assert by_position[claim.position_of("diagnoses[0]")].id == "HI"
    subscriber = by_position[claim.position_of("subscriber.member_id")]
    assert (subscriber.id, subscriber.get(1)) == ("NM1", "IL")
    assert by_position[claim.position_of("subscriber.birth_date")].id == "DMG"
    assert by_position[claim.position_of("billing_provider.address.city")].id == "N4"


def test_icd9_codes_are_counted_not_read_as_diagnoses() -> None:
    (ic,) = build(encounter())
    text = ic.text.replace("HI*ABK:", "HI*BK:4019*ABF:")
    (claim,) = file_claims(iter_segments(text))
    assert claim.record["icd9_diagnoses"] == 1
    assert "4019" not in claim.record["diagnoses"]


def test_whole_upload_gives_envelope_transactions_and_claim_positions() -> None:
    (ic,) = build(encounter(encounter_id="A"), encounter(encounter_id="B"))
    upload = read_837(ic.data, "upload.837")
    env = upload.envelope
    assert (env.sender_id, env.receiver_id, env.isa13) == (
        "CLINICSUBMIT01",
        "SANDBOXCH",
        "000000001",
    )
    assert (env.gs06, env.gs08, env.submitter_id) == ("1", "005010X222A1", "CLINICSUBMIT01")
    assert upload.group_count == 1 and upload.findings == ()
    (tx,) = upload.transactions
    assert (tx.st02, tx.st03, tx.bht03) == ("0001", "005010X222A1", "10001")
    body = ic.text.split("~\n")
    st = next(i for i, s in enumerate(body) if s.startswith("ST*"))
    for claim in tx.claims:
        assert body[st + claim.position - 1].startswith(f"CLM*{claim.clm01}*")
        assert claim.position < claim.end_position
    assert [c.clm01 for c in tx.claims] == ["A", "B"]
    assert body[st + tx.claims[-1].end_position].startswith("SE*")


def test_a_block_read_at_once_gives_the_claims_read_segment_by_segment() -> None:
    (ic,) = build(encounter(encounter_id="A"), encounter(encounter_id="B"))
    segments = list(iter_segments(ic.text))
    one_by_one = list(file_claims(segments))
    walker = ClaimWalker(x222a1())
    sids = [s.id for s in segments]
    texts = ["*".join(s.elements) for s in segments]
    ended = []
    for claim in walker.read(sids, texts, [s.position for s in segments]):
        # yielded once the segment that ends it is read: the HL of B's subscriber (the
        # walker stands in its level), then the SE (after the last line)
        ended.append((claim.clm01, walker.area))
    assert ended == [("A", "2000B"), ("B", "2400")]
    assert walker.close() is None
    at_once = [claim for claim, _ in zip(one_by_one, ended, strict=True)]
    assert [(c.clm01, c.clm_position, c.end_position, c.positions) for c in at_once] == [
        (c.clm01, c.clm_position, c.end_position, c.positions) for c in one_by_one
    ]


def test_phi_stays_out_of_repr() -> None:
    (ic,) = build(encounter())
    (claim,) = file_claims(iter_segments(ic.text))
    assert claim.record["subscriber"]["last_name"].upper() not in repr(claim).upper()
