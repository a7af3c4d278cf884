"""The 837I builder and the one reader: pyx12-valid (X223A1 map, which pyx12 itself uses
for GS08 005010X223A2) and read back to the same values."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi.claims.build_837i import VERSION, build_institutional_interchanges
from edi.claims.build_837p import Interchange
from edi.claims.models import Encounter
from edi.claims.read_837 import FiledEncounter, read_837
from edi.guides.doc import guide_markdown
from edi.guides.model import x223a2
from edi.x12.control import MemoryControlNumbers
from edi.x12.reader import iter_segments
from edi.x12.text import x12_text
from flows.cli import main
from mappings.profiles import clearinghouse_profile
from tests.factories import EXAMPLE
from tests.institutional.factories import (
    FQHC_VISIT,
    INPATIENT_STAY,
    institutional,
    institutional_encounters,
)
from tests.support.judge import pyx12_errors

PROFILE = clearinghouse_profile("sandbox")
CREATED = datetime(2026, 11, 27, 1, 0)
_PEOPLE = ("attending_provider", "operating_provider", "other_operating_provider")


def build(*datas: dict) -> list[Interchange]:
    encs = [Encounter.model_validate(d) for d in datas]
    return list(build_institutional_interchanges(encs, PROFILE, MemoryControlNumbers(), CREATED))


def read_back(text: str) -> dict[str, FiledEncounter]:
    (tx,) = read_837(text, guide=x223a2()).transactions
    return {c.clm01: FiledEncounter.model_validate(c.record) for c in tx.claims}


def assert_same(sent: Encounter, got: FiledEncounter) -> None:
    """Every institutional value read back as sent (free text as X12 carries it)."""
    assert got.claim_type == "institutional"
    assert got.diagnoses == sent.diagnoses
    assert got.total_charge == sent.total_charge
    assert sent.institutional is not None and got.institutional is not None
    assert got.institutional.model_dump(exclude=set(_PEOPLE)) == (
        sent.institutional.model_dump(exclude=set(_PEOPLE))
    )
    for role in _PEOPLE:
        who, back = getattr(sent.institutional, role), getattr(got.institutional, role)
        assert (who is None) == (back is None)
        if who is not None:
            assert (back.npi, back.last_name, back.first_name) == (
                who.npi,
                x12_text(who.last_name),
                x12_text(who.first_name),
            )
    assert got.referral_number == sent.referral_number
    attending = sent.institutional.attending_provider
    for role in ("rendering_provider", "referring_provider"):
        who, back = getattr(sent, role), getattr(got, role)
        if role == "rendering_provider" and who and attending and who.npi == attending.npi:
            who = None  # 2310D only when not the attending
        assert (who and who.npi) == (back and back.npi)
    facility, back_facility = sent.service_facility, got.service_facility
    assert (facility and (facility.npi, facility.address.postal_code)) == (
        back_facility and (back_facility.npi, back_facility.address.postal_code)
    )
    own = {"line_id", "adjudications"}  # the reader's 2430 loops: see test_cob_837i
    assert [line.model_dump(exclude=own) for line in got.revenue_lines] == [
        line.model_dump(exclude=own) for line in sent.revenue_lines
    ]


@pytest.mark.parametrize("data", [FQHC_VISIT, INPATIENT_STAY], ids=["fqhc", "inpatient"])
def test_examples_are_valid_and_read_back(data: dict) -> None:
    (ic,) = build(data)
    assert pyx12_errors(ic.text) == []
    sent = Encounter.model_validate(data)
    assert_same(sent, read_back(ic.text)[sent.claim_id])


def test_envelope_names_x223a2() -> None:
    (ic,) = build(FQHC_VISIT)
    segments = {s.id: s for s in iter_segments(ic.text)}
    assert VERSION == "005010X223A2"
    assert segments["GS"].get(8) == VERSION and segments["ST"].get(3) == VERSION
    assert segments["CLM"].component(5, 1) == "77" and segments["CLM"].component(5, 3) == "1"


def test_one_day_statement_repeats_the_day_as_rd8() -> None:
    (ic,) = build(FQHC_VISIT)
    (dtp,) = [s for s in iter_segments(ic.text) if s.id == "DTP" and s.get(1) == "434"]
    assert (dtp.get(2), dtp.get(3)) == ("RD8", "20261120-20261120")


def test_type_of_bill_in_three_or_four_digits() -> None:
    for tob in ("0131", "131"):
        data = institutional(institutional={**FQHC_VISIT["institutional"], "type_of_bill": tob})
        enc = Encounter.model_validate(data)
        assert enc.institutional and enc.institutional.type_of_bill == "0131"


@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(
        institutional_encounters(),
        min_size=1,
        max_size=3,
        unique_by=lambda e: e["encounter_id"].upper(),
    )
)
def test_round_trip_and_pyx12_on_generated_institutional_encounters(datas: list[dict]) -> None:
    (ic,) = build(*datas)
    got = read_back(ic.text)
    for data in datas:
        sent = Encounter.model_validate(data)
        assert_same(sent, got[sent.claim_id])
    assert pyx12_errors(ic.text) == []


def test_claims_build_writes_one_form_per_interchange(tmp_path, capsys) -> None:
    source = tmp_path / "encounters.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in (FQHC_VISIT, EXAMPLE, INPATIENT_STAY)))
    out = tmp_path / "out"
    ledger = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert main(["build", str(source), "--out", str(out), "--ledger", ledger, "--strict"]) == 0
    assert "built 3 claims in 2 interchange(s)" in capsys.readouterr().out
    forms = {}
    for path in sorted(out.glob("*.x12")):
        segments = list(iter_segments(path.read_text()))
        gs = next(s for s in segments if s.id == "GS")
        forms[gs.get(8)] = [s.get(1) for s in segments if s.id == "CLM"]
    assert forms == {
        "005010X222A1": ["ENC-20261120-0001"],
        "005010X223A2": ["FQ-20261120-0001", "IP-20261101-0001"],
    }


def test_schema_describes_the_institutional_blocks() -> None:
    schema = Encounter.model_json_schema()
    assert {"institutional", "revenue_lines"} <= set(schema["properties"])
    revenue = schema["$defs"]["RevenueLine"]["properties"]
    assert "0521" in revenue["revenue_code"]["description"]
    assert "present_on_admission" in schema["$defs"]["Institutional"]["properties"]


def test_the_element_page_is_current() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "guide-837i-elements.md"
    assert page.read_text(encoding="utf-8") == guide_markdown(x223a2()), (
        "docs/guide-837i-elements.md is stale; regenerate it: python -c 'from edi.guides.doc "
        "import guide_markdown; from edi.guides.model import x223a2; "
        'open("docs/guide-837i-elements.md", "w").write(guide_markdown(x223a2()))\''
    )
