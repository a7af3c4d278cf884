"""The 837P segments added for issue 14, built from optional encounter fields, pass pyx12
and read back as sent; encounters without them build as before (the golden test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from edi.claims.read_837 import FiledEncounter, file_claims
from edi.x12.reader import iter_segments
from tests.claims.test_build_837p import build
from tests.factories import encounter
from tests.support.judge import pyx12_errors

DEPENDENT = {"last_name": "Doe", "first_name": "Sam", "birth_date": "2015-06-01", "sex": "M",
             "relationship_to_subscriber": "19",
             "address": {"line1": "5 Oak Ave", "city": "Springfield", "state": "IL",
                         "postal_code": "62704"}}  # fmt: skip


def full() -> dict[str, Any]:
    """Every new optional field given, for a dependent seen as an inpatient."""
    data = encounter(
        place_of_service="21",
        admission_date="2026-11-18",
        delay_reason_code="1",
        referral_number="RF-7781",
        claim_note="Second visit same day, see notes",
        attachment={"report_type": "OZ", "transmission": "FX", "control_number": "ATT12345"},
        supervising_provider={"npi": "1679576722", "last_name": "Stone", "first_name": "Kim"},
        patient=DEPENDENT,
    )
    data["billing_provider"] |= {"clia_number": "14D0123456", "accepts_assignment": "C"}
    data["service_lines"][0]["ordering_provider"] = {
        "npi": "1003000126",
        "last_name": "Ng",
        "first_name": "Lee",
    }
    data["service_lines"][1] |= {"procedure_code": "J3490", "description": "Ketorolac 15 mg"}
    return data


def test_new_segments_are_written_where_the_guide_puts_them() -> None:
    (ic,) = build(full())
    assert pyx12_errors(ic.text) == []
    segments = [s.strip() for s in ic.text.split("~") if s.strip()]
    clm = next(i for i, s in enumerate(segments) if s.startswith("CLM*"))
    assert segments[clm].split("*")[7] == "C"  # CLM07 from the billing provider
    assert segments[clm].split("*")[20] == "1"  # CLM20 delay reason
    assert segments[clm + 1 : clm + 7] == [
        "DTP*435*D8*20261118",
        "PWK*OZ*FX***AC*ATT12345",
        "REF*9F*RF-7781",
        "REF*X4*14D0123456",
        "NTE*ADD*SECOND VISIT SAME DAY, SEE NOTES",
        "HI*ABK:E1140*ABF:G43909",
    ]
    assert "NM1*DQ*1*STONE*KIM****XX*1679576722" in segments
    assert "NM1*DK*1*NG*LEE****XX*1003000126" in segments
    assert any(s.startswith("SV1*HC:J3490:::::KETOROLAC 15 MG*") for s in segments)


def test_no_subscriber_dmg_when_a_patient_loop_follows() -> None:
    (ic,) = build(full())
    segments = [s.strip() for s in ic.text.split("~") if s.strip()]
    subscriber = segments.index("HL*2*1*22*1")
    patient = segments.index("HL*3*2*23*0")
    assert not any(s.startswith("DMG") for s in segments[subscriber:patient])
    assert any(s.startswith("DMG*D8*20150601*M") for s in segments[patient:])
    (alone,) = build(encounter())
    assert "DMG*D8*19800402*F~" in alone.text


def test_new_fields_read_back_as_sent() -> None:
    (ic,) = build(full())
    (claim,) = file_claims(iter_segments(ic.text))
    read = FiledEncounter.model_validate(claim.record)
    assert read.admission_date.isoformat() == "2026-11-18"
    assert (read.delay_reason_code, read.referral_number) == ("1", "RF-7781")
    assert read.claim_note == "SECOND VISIT SAME DAY, SEE NOTES"
    assert read.attachment and read.attachment.control_number == "ATT12345"
    assert read.supervising_provider and read.supervising_provider.npi == "1679576722"
    assert read.billing_provider.clia_number == "14D0123456"
    assert read.billing_provider.accepts_assignment == "C"
    assert read.service_lines[0].ordering_provider.last_name == "NG"  # type: ignore[union-attr]
    assert read.service_lines[1].description == "KETOROLAC 15 MG"
    assert read.subscriber.birth_date is None  # not sent: the patient loop carries it


def test_claims_schema_documents_the_new_fields() -> None:
    root = Path(__file__).parents[2]
    code = "from flows.cli import console; console()"
    out = subprocess.run(
        [sys.executable, "-c", code, "schema"],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    ).stdout
    schema = json.loads(out)
    props = schema["properties"]
    for name in ("delay_reason_code", "admission_date", "referral_number", "claim_note",
                 "attachment", "supervising_provider"):  # fmt: skip
        assert name in props and props[name].get("description"), name
    assert (
        "REF*X4" in schema["$defs"]["BillingProvider"]["properties"]["clia_number"]["description"]
    )
    assert "SV101-7" in schema["$defs"]["ServiceLine"]["properties"]["description"]["description"]


def test_csv_rows_carry_the_new_line_fields() -> None:
    from edi.claims.records import row_records

    row = {"encounter_id": "E1", "procedure_code": "J3490", "description": "Ketorolac 15 mg",
           "ordering_provider.npi": "1003000126", "referral_number": "RF-1"}  # fmt: skip
    (record,) = row_records([row], "c.csv")
    assert record.data is not None
    (line,) = record.data["service_lines"]
    assert line["description"] == "Ketorolac 15 mg"
    assert line["ordering_provider"] == {"npi": "1003000126"}
    assert record.data["referral_number"] == "RF-1"
