"""Facts about a claim that change the advice for an adjustment but are not in the 835.

The denials table names them in its RARC column (see :mod:`edi.worklists.rules`):

* ``MEDICARE-B``: the claim went to Medicare Part B (SBR09 ``MB``), which takes a clerical
  reopening, not a corrected claim;
* ``NCCI-0`` / ``NCCI-1``: the line's procedure and another procedure of the same claim and
  day form an NCCI PTP edit with that modifier indicator.  Only known when the CMS edits
  are loaded; without them the plain CO-97 advice applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from edi.codesets.ncci import PtpEdits
from edi.worklists.rules import MEDICARE_B

NCCI_CARCS = frozenset({"97", "231", "236", "B15"})
"""CARCs that mean "bundled or not allowed with another service": where NCCI matters."""


def ncci_condition(
    code: str, day: date | None, others: Iterable[str], ptp: PtpEdits | None
) -> str | None:
    """``NCCI-0`` or ``NCCI-1`` for the strictest active edit pairing ``code`` with ``others``."""
    if ptp is None or not code or day is None:
        return None
    indicators = {
        edit.modifier_indicator
        for other in others
        if other and other != code and (edit := ptp.edit_for(code, other, day)) is not None
    }
    if not indicators:
        return None
    return "NCCI-0" if "0" in indicators else "NCCI-1"


def line_conditions(
    medicare_b: bool,
    carc: str,
    line: Mapping[str, Any] | None,
    claim_codes: Iterable[str],
    ptp: PtpEdits | None,
) -> tuple[str, ...]:
    """The conditions of one adjustment, most specific first."""
    found: list[str] = []
    if line is not None and carc in NCCI_CARCS:
        day = line.get("service_date")
        if isinstance(day, datetime):  # a pandas Timestamp is one
            day = day.date()
        ncci = ncci_condition(
            str(line.get("procedure_code") or ""),
            day if isinstance(day, date) else None,
            claim_codes,
            ptp,
        )
        if ncci:
            found.append(ncci)
    if medicare_b:
        found.append(MEDICARE_B)
    return tuple(found)
