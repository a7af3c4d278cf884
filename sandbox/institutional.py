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

from edi.codesets.institutional_lists import INPATIENT_BILLS
from sandbox.claim_facts import Line837
from sandbox.remittance import Adjustment, RemitClaim, RemitLine

FQHC = "77"
RHC = "71"
RHC_VISIT_RATE = Decimal("143.00")
"""The sandbox payer's RHC all-inclusive rate per visit (its own figure, near Medicare's
per-visit payment limit for RHCs; a real payer's comes from the RHC's own rate)."""
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
                revenue_code=line.get("revenue_code", ""),
            )
        )
    return tuple(lines)


def facility_code(record: dict[str, Any]) -> str | None:
    """CLM05-1 of an 837I (type of bill digits 1-2), which the 835's CLP08 echoes where
    an 837P's place of service goes; None for an 837P."""
    block = record.get("institutional") or {}
    return block.get("facility_code")


def covered_days(record: dict[str, Any]) -> int | None:
    """The days of an inpatient 837I bill's statement (what the sandbox reports as MIA01
    covered days); None for an outpatient bill or an 837P."""
    block = record.get("institutional") or {}
    if block.get("facility_code") not in INPATIENT_BILLS:
        return None
    start = _date(block.get("statement_from"))
    if start is None:
        return None
    return ((_date(block.get("statement_through")) or start) - start).days


APPEAL_RIGHTS = "MA01"
"""The RARC Medicare puts in MOA/MIA of a claim it did not pay in full for a reason other
than the patient's share: the appeal rights notice."""


def claim_remarks(remit: RemitClaim, covered_days: int | None) -> RemitClaim:
    """An 837I claim's claim-level remark codes, as Medicare reports them: MA01 when a
    line was reduced or denied for a reason other than the patient's share; MIA (with
    ``covered_days``) on an inpatient bill, MOA otherwise (the 835 writer decides)."""
    reduced = any(a.group != "PR" for line in remit.lines for a in line.adjustments)
    remarks = (APPEAL_RIGHTS,) if reduced else ()
    return replace(remit, remarks=remarks, covered_days=covered_days)


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
                    # the demo's roster (seed 7) covers the first four: a short night's few
                    # visits show per-visit pay; later ones meet the roster like anyone
                    "member_id": f"3EG4TE5MK{n % 100:02d}",
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
    """FQHC and RHC bills are paid per visit, not per line (their all-inclusive rates):

    * FQHC (facility code 77): each G-code line the line rules paid is allowed the lesser
      of its charge and :data:`FQHC_VISIT_RATE`; every other paid line is bundled into
      the visit (CO-97, nothing paid);
    * RHC (facility code 71): the first paid clinic line (revenue code 052X) of each day
      is the visit, allowed the lesser of its charge and :data:`RHC_VISIT_RATE`; the
      day's other 052X lines are bundled into it (CO-97); other revenue codes are paid
      as the line rules priced them.

    Coinsurance is on the allowed visit (PR-2).  Denied lines stay denied.  Any other
    claim is returned as it is."""
    if remit.place_of_service == FQHC and any(
        line.procedure in FQHC_G_CODES for line in remit.lines
    ):
        visits = {id(line) for line in remit.lines if line.procedure in FQHC_G_CODES}
        bundled = {id(line) for line in remit.lines} - visits
        rate = FQHC_VISIT_RATE
    elif remit.place_of_service == RHC:
        clinic = [line for line in remit.lines if _rhc_clinic(line) and line.outcome == "paid"]
        first: dict[object, RemitLine] = {}
        for line in clinic:
            first.setdefault(line.service_date, line)
        visits = {id(line) for line in first.values()}
        bundled = {id(line) for line in clinic} - visits
        rate = RHC_VISIT_RATE
    else:
        return remit
    lines = tuple(
        _visit_line(line, rate, coinsurance_percent)
        if id(line) in visits
        else _bundled(line)
        if id(line) in bundled
        else line
        for line in remit.lines
    )
    return replace(remit, lines=lines)


def _rhc_clinic(line: RemitLine) -> bool:
    """An RHC clinic visit line: revenue code 052X (SVC04 beside a HCPCS, else SVC01 NU)."""
    code = line.revenue_code if line.qualifier == "HC" else line.procedure
    return code.startswith("052")


def _bundled(line: RemitLine) -> RemitLine:
    if line.outcome != "paid":
        return line
    bundled = (Adjustment("CO", "97", line.charge),)
    return replace(line, paid=Decimal("0.00"), allowed=Decimal("0.00"), outcome="CO-97",
                   adjustments=bundled)  # fmt: skip


def _visit_line(line: RemitLine, rate: Decimal, coinsurance_percent: Decimal) -> RemitLine:
    if line.outcome != "paid":
        return line
    allowed = min(line.charge, rate)
    coinsurance = (allowed * coinsurance_percent / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    adjustments = [Adjustment("PR", "2", coinsurance)] if coinsurance else []
    if line.charge > allowed:
        adjustments.insert(0, Adjustment("CO", "45", line.charge - allowed))
    return replace(line, allowed=allowed, paid=allowed - coinsurance,
                   adjustments=tuple(adjustments))  # fmt: skip
