"""Institutional encounters from CSV: one row per revenue line, the block's fields dotted."""

from __future__ import annotations

import csv
import io

from edi.claims.models import Encounter
from edi.claims.records import row_records

HEADER = [
    "encounter_id", "claim_type", "billing_provider.npi", "billing_provider.organization_name",
    "billing_provider.tax_id", "billing_provider.address.line1", "billing_provider.address.city",
    "billing_provider.address.state", "billing_provider.address.postal_code", "payer.payer_id",
    "payer.name", "subscriber.member_id", "subscriber.last_name", "subscriber.first_name",
    "subscriber.birth_date", "subscriber.sex", "diagnoses", "institutional.type_of_bill",
    "institutional.statement_from", "institutional.patient_status",
    "institutional.condition_codes", "institutional.attending_provider.npi",
    "institutional.attending_provider.last_name", "institutional.attending_provider.first_name",
    "revenue_code", "procedure_code", "charge", "units", "service_date",
]  # fmt: skip
PERSON = ["1234567893", "Riverbend CHC", "123456789", "40 River Rd", "Springfield", "IL",
          "62701-1234", "MCRA1", "Medicare", "1EG4TE5MK72", "Doe", "Jane", "1950-03-14", "F",
          "E11.9|I10", "0771", "2026-11-20", "01", "", "1245319599", "Rivera", "Ana"]  # fmt: skip


def test_rows_of_one_visit_become_its_revenue_lines() -> None:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerow(
        ["FQ-1", "institutional", *PERSON, "0521", "G0467", "185.00", "1", "2026-11-20"]
    )
    writer.writerow(
        ["FQ-1", "institutional", *PERSON, "0521", "99213", "140.00", "1", "2026-11-20"]
    )
    rows = csv.DictReader(io.StringIO(text.getvalue()))
    (record,) = row_records(rows, "visits.csv")
    enc = Encounter.model_validate(record.data)
    assert enc.institutional is not None and enc.institutional.type_of_bill == "0771"
    assert [(x.revenue_code, x.procedure_code) for x in enc.revenue_lines] == [
        ("0521", "G0467"),
        ("0521", "99213"),
    ]
    assert enc.service_lines == [] and enc.diagnoses == ["E119", "I10"]
