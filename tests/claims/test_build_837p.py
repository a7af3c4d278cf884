"""The 837P builder: pyx12-valid on every edge case, round-trips, never injectable."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from edi.claims.build_837p import Interchange, build_interchanges
from edi.claims.models import Encounter
from edi.rules.record import TEXT_TOO_LONG, text_changed
from edi.x12.control import MemoryControlNumbers
from edi.x12.reader import iter_segments
from edi.x12.text import x12_text
from mappings.profiles import clearinghouse_profile
from sandbox.synthetic import encounters as synthetic
from tests.factories import DIAGNOSES, EXAMPLE, encounter, encounters
from tests.support.judge import pyx12_errors

PROFILE = clearinghouse_profile("sandbox")
CREATED = datetime(2026, 11, 27, 1, 0)


def build(*datas: dict, profile=PROFILE, controls=None) -> list[Interchange]:
    """Build straight from validated models: the scrubber's opinions are its own tests'."""
    encs = [Encounter.model_validate(d) for d in datas]
    return list(build_interchanges(encs, profile, controls or MemoryControlNumbers(), CREATED))


def line(**changes) -> dict:
    return {**EXAMPLE["service_lines"][0], **changes}


EDGE_CASES = {
    "contract example": encounter(),
    "dependent patient": encounter(
        patient={
            "last_name": "Doe",
            "first_name": "Sam",
            "birth_date": "2015-06-01",
            "sex": "M",
            "relationship_to_subscriber": "19",
            "address": {
                "line1": "5 Oak Ave",
                "city": "Springfield",
                "state": "IL",
                "postal_code": "62704",
            },
        }
    ),
    "12 diagnoses": encounter(
        diagnoses=DIAGNOSES,
        service_lines=[line(diagnosis_pointers=[1, 5, 9, 12])],
    ),
    "50 lines": encounter(service_lines=[line(line_id=f"L{i}") for i in range(50)]),
    "4 modifiers": encounter(service_lines=[line(modifiers=["25", "59", "RT", "76"])]),
    "replacement": encounter(frequency_code="7", original_payer_claim_number="ICN123456789"),
    "void": encounter(frequency_code="8", original_payer_claim_number="ICN123456789"),
    "delimiters and accents everywhere": encounter(
        billing_provider={
            **EXAMPLE["billing_provider"],
            "organization_name": "Peña*Clinic~:^ Ltd",
            "address": {
                "line1": "1 Ñandú* St~",
                "line2": "Suite ^2:",
                "city": "Zürich~",
                "state": "il",
                "postal_code": "62701-1234",
            },
        },
        subscriber={
            **EXAMPLE["subscriber"],
            "last_name": "O'Brien*~",
            "first_name": "Zoë:^",
            "middle_name": "Ł",
            "group_number": "G*1~",
        },
        prior_authorization="AUTH*1~2",
        payer={**EXAMPLE["payer"], "name": "Acme ~Health* Plan"},
    ),
    "NDC": encounter(
        service_lines=[
            line(
                code_set="HCPCS",
                procedure_code="J1100",
                modifiers=[],
                ndc="00009-0047-01",
                ndc_quantity="2",
                ndc_unit="ML",
            )
        ]
    ),
    "date range": encounter(
        service_lines=[line(service_date="2026-11-01", service_date_end="2026-11-05")]
    ),
    "anesthesia minutes": encounter(
        service_lines=[line(procedure_code="00790", modifiers=["AA"], units="95", unit_type="MJ")]
    ),
    "person billing provider": encounter(
        billing_provider={
            "npi": "1679576722",
            "last_name": "Rivera",
            "first_name": "Ana",
            "tax_id": "987654321",
            "tax_id_type": "SSN",
            "address": EXAMPLE["billing_provider"]["address"],
        },
        rendering_provider=None,
    ),
    "accident with onset and prior auth": encounter(
        accident={"type": "AA", "state": "IL", "date": "2026-11-01"},
        onset_date="2026-11-01",
        prior_authorization="PA12345",
    ),
    "facility, referring, pay-to, line POS and line rendering": encounter(
        service_facility={
            "name": "Maple Surgery Center",
            "npi": "1992999874",
            "address": {
                "line1": "9 Elm St",
                "city": "Springfield",
                "state": "IL",
                "postal_code": "62702",
            },
        },
        referring_provider={"npi": "1003000126", "last_name": "Kim", "first_name": "Lee"},
        pay_to_address={
            "line1": "PO Box 77",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62705",
        },
        service_lines=[
            line(
                place_of_service="22",
                rendering_provider={"npi": "1003000126", "last_name": "Kim", "first_name": "Lee"},
            )
        ],
    ),
}


@pytest.mark.parametrize("name", EDGE_CASES)
def test_edge_cases_pass_pyx12(name: str) -> None:
    (ic,) = build(EDGE_CASES[name])
    assert pyx12_errors(ic.text) == []


def test_many_claims_split_into_transactions_and_interchanges() -> None:
    profile = PROFILE.model_copy(
        update={"claims_per_transaction": 2, "transactions_per_interchange": 2}
    )
    datas = [encounter(encounter_id=f"E{i}") for i in range(7)]
    controls = MemoryControlNumbers()
    ics = build(*datas, profile=profile, controls=controls)
    assert [len(ic.claims) for ic in ics] == [4, 3]
    assert [ic.isa13 for ic in ics] == [1, 2]
    st02s = [c.st02 for ic in ics for c in ic.claims]
    assert st02s == ["0001", "0001", "0002", "0002", "0003", "0003", "0004"]
    for ic in ics:
        assert pyx12_errors(ic.text) == []


def test_billing_providers_grouped_under_one_2000a() -> None:
    other = {**EXAMPLE["billing_provider"], "npi": "1679576722"}
    (ic,) = build(
        encounter(encounter_id="A"),
        encounter(encounter_id="B", billing_provider=other),
        encounter(encounter_id="C"),
    )
    hl20 = [s for s in iter_segments(ic.text) if s.id == "HL" and s.get(3) == "20"]
    assert len(hl20) == 2
    clms = [s.get(1) for s in iter_segments(ic.text) if s.id == "CLM"]
    assert clms == ["A", "C", "B"]
    assert pyx12_errors(ic.text) == []


def test_clm02_is_the_sum_and_rendering_equal_to_billing_is_omitted() -> None:
    same = {"npi": "1234567893", "last_name": "Rivera", "first_name": "Ana"}
    (ic,) = build(encounter(rendering_provider=same))
    segs = list(iter_segments(ic.text))
    assert next(s for s in segs if s.id == "CLM").get(2) == "175"
    assert not [s for s in segs if s.id == "NM1" and s.get(1) == "82"]


SEPARATORS = "*:^~\n\r"


def _every_text_field(text: str) -> dict:
    """The contract example with ``text`` in every free-text field the 837P carries."""
    address = {
        "line1": text,
        "line2": text,
        "city": text[:30],
        "state": "IL",
        "postal_code": "62702",
    }
    return encounter(
        billing_provider={
            **EXAMPLE["billing_provider"],
            "organization_name": text,
            "contact_name": text,
            "contact_phone": "2175550100",
        },
        rendering_provider={"npi": "1245319599", "last_name": text, "first_name": text},
        referring_provider={"npi": "1003000126", "last_name": text, "first_name": text},
        service_facility={"name": text, "address": address},
        pay_to_address=address,
        payer={**EXAMPLE["payer"], "name": text, "payer_id": text},
        subscriber={
            **EXAMPLE["subscriber"],
            "last_name": text,
            "first_name": text,
            "middle_name": text[:25],
            "suffix": text[:10],
            "member_id": text,
            "group_number": text,
            "address": address,
        },
        patient={
            "last_name": text,
            "first_name": text,
            "birth_date": "2015-06-01",
            "sex": "F",
            "relationship_to_subscriber": "19",
            "address": address,
        },
        prior_authorization=text,
        frequency_code="7",
        original_payer_claim_number=text,
        service_lines=[{**line(), "line_id": text[:30]}],
    )


def test_no_value_injects_a_separator() -> None:
    """Separators and segment text in every free-text field change no segment boundary."""
    hostile = "X" + SEPARATORS + "NM1*IL*1~SE*1*0001~"
    (attacked,) = build(_every_text_field(hostile))
    (plain,) = build(_every_text_field("AB"))
    ids = [s.id for s in iter_segments(attacked.text)]
    assert ids == [s.id for s in iter_segments(plain.text)]
    assert pyx12_errors(attacked.text) == []
    subscriber = next(s for s in iter_segments(attacked.text) if s.id == "NM1" and s.get(1) == "IL")
    assert subscriber.get(3) == x12_text(hostile)
    assert subscriber.get(9) == x12_text(hostile)
    assert attacked.claims[0].line_refs == (x12_text(hostile[:30]),)


def test_no_profile_value_injects_a_separator() -> None:
    """The submitter and receiver the builder gives the guide's segments are cleaned too."""
    hostile = "X" + SEPARATORS + "NM1*IL*1~SE*1*0001~"
    submitter = PROFILE.submitter.model_copy(
        update={"name": hostile, "id": hostile, "contact_name": hostile, "contact_phone": hostile}
    )
    profile = PROFILE.model_copy(
        update={"submitter": submitter, "receiver_name": hostile, "receiver_id": hostile}
    )
    (attacked,) = build(encounter(), profile=profile)
    (plain,) = build(encounter())
    assert [s.id for s in iter_segments(attacked.text)] == [s.id for s in iter_segments(plain.text)]
    names = [s for s in iter_segments(attacked.text) if s.id == "NM1" and s.get(1) in ("41", "40")]
    assert [(s.get(3), s.get(9)) for s in names] == [(x12_text(hostile), x12_text(hostile))] * 2


def _claims_from_837(text: str) -> dict[str, dict]:
    """Read back what a payer would see, with the project's own reader."""
    claims: dict[str, dict] = {}
    people: list[tuple[str, str, str]] = []
    current: dict | None = None
    for seg in iter_segments(text):
        if seg.id == "NM1" and seg.get(1) in ("IL", "QC"):
            people.append((seg.get(1), seg.get(3), seg.get(4)))
        elif seg.id == "CLM":
            current = claims[seg.get(1)] = {
                "total": Decimal(seg.get(2)),
                "lines": [],
                "diagnoses": [],
                "patient": people[-1][1:],
                "frequency": seg.component(5, 3),
            }
        elif seg.id == "HI" and current is not None:
            current["diagnoses"] = [seg.component(i, 2) for i in range(1, len(seg.elements))]
        elif seg.id == "SV1" and current is not None:
            current["lines"].append(
                {
                    "code": seg.components(1)[1],
                    "modifiers": seg.components(1)[2:],
                    "charge": Decimal(seg.get(2)),
                    "units": Decimal(seg.get(4)),
                    "pointers": [int(p) for p in seg.components(7)],
                }
            )
        elif seg.id == "DTP" and seg.get(1) == "472" and current is not None:
            current["lines"][-1]["date"] = seg.get(3)
    return claims


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(encounters(), min_size=1, max_size=4, unique_by=lambda e: e["encounter_id"].upper())
)
def test_round_trip_and_pyx12_on_generated_encounters(datas: list[dict]) -> None:
    # Text that outgrows its element once spelled out (``½`` → ``12``) is refused by the
    # scrubber (SNIP2.TEXT.TOO_LONG, tests/rules), so it never reaches the builder.
    encs = [Encounter.model_validate(d) for d in datas]
    assume(not any(f.rule_id == TEXT_TOO_LONG.id for e in encs for f in text_changed(e, None)))
    (ic,) = build(*datas)
    read = _claims_from_837(ic.text)
    assert set(read) == {d["encounter_id"].upper() for d in datas}
    for d in datas:
        got = read[d["encounter_id"].upper()]
        lines = d["service_lines"]
        assert got["total"] == sum(Decimal(x["charge"]) for x in lines)
        assert got["diagnoses"] == [c.replace(".", "") for c in d["diagnoses"]]
        assert got["frequency"] == "1"
        assert [x["code"] for x in got["lines"]] == [x["procedure_code"] for x in lines]
        assert [x["modifiers"] for x in got["lines"]] == [x["modifiers"] for x in lines]
        assert [x["charge"] for x in got["lines"]] == [Decimal(x["charge"]) for x in lines]
        assert [x["units"] for x in got["lines"]] == [Decimal(x["units"]) for x in lines]
        assert [x["pointers"] for x in got["lines"]] == [x["diagnosis_pointers"] for x in lines]
        assert {x["date"] for x in got["lines"]} == {lines[0]["service_date"].replace("-", "")}
        person = d.get("patient") or d["subscriber"]
        assert got["patient"] == (x12_text(person["last_name"]), x12_text(person["first_name"]))
    assert pyx12_errors(ic.text) == []


GOLDEN = Path(__file__).parent / "golden" / "837p-edge-and-synthetic.x12"
"""What the hand-written builder before the guide description (b665b86) wrote for the edge
cases above and 50 synthetic encounters: the guide-driven builder, and any speed-up of it,
must write the same bytes.  One deliberate change since: no 2010BA DMG when a 2000C patient
loop follows (the guide sends it only when the subscriber is the patient), which removed
the seven dependents' subscriber DMG segments and nothing else."""


def test_output_is_byte_identical_to_the_hand_written_builder() -> None:
    made = synthetic(50, date(2026, 11, 26), broken_share=0.0)
    # encounters without COB (the synthetic Medicare patients' later payers left out)
    plain = [{k: v for k, v in d.items() if k != "other_coverage"} for d in made]
    text = "".join(ic.text for ic in build(*EDGE_CASES.values(), *plain))
    assert text.splitlines(keepends=True) == GOLDEN.read_text("ascii").splitlines(keepends=True)
