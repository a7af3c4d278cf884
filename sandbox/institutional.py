"""What the sandbox payer makes of an 837I claim's revenue lines.

A payer adjudicates an institutional claim line by line too, but its lines are revenue
codes: a line with a HCPCS code is priced by that code (``HC``), one without by its
revenue code (``NU``, as the 835's SVC01 reports it).  A line without its own date is
dated by the statement's start (DTP*434), as payers do for inpatient room and board.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.claim_facts import Line837


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
