"""What the sandbox payer makes of an 837I claim's revenue lines.

A payer adjudicates an institutional claim line by line too, but its lines are revenue
codes: a line with a HCPCS code is priced by that code (``HC``), one without by its
revenue code (``NU``, as the 835's SVC01 reports it).  A line without its own date is
dated by the statement's start (DTP*434), as payers do for inpatient room and board.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.claim_facts import Line837
from sandbox.remittance import Adjustment, RemitClaim, RemitLine

FQHC = "77"
FQHC_G_CODES = frozenset({"G0466", "G0467", "G0468", "G0469", "G0470"})
FQHC_VISIT_RATE = Decimal("195.00")
"""The sandbox payer's FQHC per-visit rate (its own figure, near Medicare's PPS base rate;
a real payer's comes from its contract or the CMS rate file)."""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def revenue_lines(record: dict[str, Any]) -> tuple[Line837, ...]:
    """The sandbox's lines of an 837I record (``revenue_lines`` as the reader read them)."""
    block = record.get("institutional") or {}
    statement = _date(block.get("statement_from")) or date.min
    lines = []
    for number, line in enumerate(record.get("revenue_lines", ()), 1):
        code = line.get("procedure_code")
        charge, units = line.get("charge"), line.get("units")
        lines.append(
            Line837(
                number=number,
                qualifier="HC" if code else "NU",
                procedure=code or line.get("revenue_code", ""),
                modifiers=tuple(line.get("modifiers", ())),
                charge=charge if isinstance(charge, Decimal) else Decimal(0),
                units=units if isinstance(units, Decimal) else Decimal(1),
                service_date=_date(line.get("service_date")) or statement,
                service_date_end=_date(line.get("service_date_end")),
                line_control=line.get("line_id"),
            )
        )
    return tuple(lines)


def facility_code(record: dict[str, Any]) -> str | None:
    """CLM05-1 of an 837I (type of bill digits 1-2), which the 835's CLP08 echoes where
    an 837P's place of service goes; None for an 837P."""
    block = record.get("institutional") or {}
    return block.get("facility_code")


def bill_frequency(record: dict[str, Any]) -> str | None:
    """CLM05-3 of an 837I (the type of bill's last digit), None for an 837P."""
    block = record.get("institutional") or {}
    return block.get("bill_frequency")


_VISITS = ("99212", "99213", "99214", "99203", "G0438", "90834")
_G_CODES = {"99212": "G0467", "99213": "G0467", "99214": "G0467", "99203": "G0466",
            "G0438": "G0468", "90834": "G0470"}  # fmt: skip
_DIAGNOSES = ("E11.9", "I10", "J06.9", "M54.50", "F41.1", "Z00.00", "E78.5", "K21.9")
_NPIS = ("1245319599", "1679576722", "1003000126", "1992999874")


def fqhc_visits(count: int, day: date, prefix: str = "") -> list[dict[str, Any]]:
    """``count`` Medicare FQHC visits (type of bill 0771) as encounter-v1 records: the
    G-code on revenue code 0521 beside its qualifying visit, and now and then a lab line;
    IDs start with ``prefix``.
    Deterministic, so a benchmark or a demo night is the same each time."""
    out = []
    for n in range(count):
        visit = _VISITS[n % len(_VISITS)]
        seen = date.fromordinal(day.toordinal() - n % 20).isoformat()
        lines = [
            {"revenue_code": "0521", "procedure_code": _G_CODES[visit], "charge": "185.00",
             "units": "1", "service_date": seen},
            {"revenue_code": "0900" if visit == "90834" else "0521", "procedure_code": visit,
             "charge": "140.00", "units": "1", "service_date": seen},
        ]  # fmt: skip
        if n % 3 == 0:
            lines.append({"revenue_code": "0300", "procedure_code": "36415", "charge": "12.00",
                          "units": "1", "service_date": seen})  # fmt: skip
        out.append(
            {
                "encounter_id": f"{prefix}FQ{day:%y%m%d}{n:05d}",
                "claim_type": "institutional",
                "billing_provider": {
                    "npi": "1234567893",
                    "organization_name": "Riverbend Community Health Center",
                    "tax_id": "123456789",
                    "address": {
                        "line1": "40 River Rd",
                        "city": "Springfield",
                        "state": "IL",
                        "postal_code": "62701-1234",
                    },
                },
                "payer": {
                    "payer_id": "MCRA1",
                    "name": "Medicare Part A",
                    "claim_filing_indicator": "MA",
                },
                "subscriber": {
                    "member_id": f"1EG4TE5MK{n % 100:02d}",
                    "last_name": "Patient",
                    "first_name": f"Number{n}",
                    "birth_date": "1950-03-14",
                    "sex": "MF"[n % 2],
                    "address": {
                        "line1": "7 Elm St",
                        "city": "Springfield",
                        "state": "IL",
                        "postal_code": "62704",
                    },
                },
                "diagnoses": [_DIAGNOSES[n % 8], _DIAGNOSES[(n + 3) % 8]],
                "institutional": {
                    "type_of_bill": "0771",
                    "statement_from": seen,
                    "patient_status": "01",
                    "attending_provider": {
                        "npi": _NPIS[n % 4],
                        "last_name": "Clinician",
                        "first_name": f"Dr{n % 4}",
                    },
                },
                "revenue_lines": lines,
            }
        )
    return out


def per_visit(remit: RemitClaim, coinsurance_percent: Decimal) -> RemitClaim:
    """An FQHC bill (facility code 77) is paid per visit, not per line: each G-code line the
    line rules paid is allowed the lesser of its charge and :data:`FQHC_VISIT_RATE`
    (coinsurance on that, PR-2); every other paid line is bundled into the visit (CO-97,
    nothing paid).  Denied lines stay denied.  Any other claim is returned as it is."""
    if remit.place_of_service != FQHC or not any(
        line.procedure in FQHC_G_CODES for line in remit.lines
    ):
        return remit
    return replace(
        remit, lines=tuple(_visit_line(line, coinsurance_percent) for line in remit.lines)
    )


def _visit_line(line: RemitLine, coinsurance_percent: Decimal) -> RemitLine:
    if line.outcome != "paid":
        return line
    if line.procedure not in FQHC_G_CODES:
        bundled = (Adjustment("CO", "97", line.charge),)
        return replace(line, paid=Decimal("0.00"), allowed=Decimal("0.00"), outcome="CO-97",
                       adjustments=bundled)  # fmt: skip
    allowed = min(line.charge, FQHC_VISIT_RATE)
    coinsurance = (allowed * coinsurance_percent / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    adjustments = [Adjustment("PR", "2", coinsurance)] if coinsurance else []
    if line.charge > allowed:
        adjustments.insert(0, Adjustment("CO", "45", line.charge - allowed))
    return replace(line, allowed=allowed, paid=allowed - coinsurance,
                   adjustments=tuple(adjustments))  # fmt: skip
