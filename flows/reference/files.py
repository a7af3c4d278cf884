"""What a CMS reference file is, and the period it was published for, from its name.

CMS names its files the same way every quarter, so the kind and period come from the
name: ``ccipra-v321r0-f1.txt`` (NCCI PTP practitioner version 32.1: 2026, second quarter),
``MCR_MUE_PractitionerServices_Eff_01-01-2026.csv``, ``HCPC2026_JAN_ANWEB.txt`` and
``icd10cm_order_2027.txt`` (fiscal year 2027).  A file renamed by a user can be installed
with the kind and period said explicitly.  Installed files are stored as
``KIND/YYYY-MM-DD__ORIGINAL-NAME`` so the loader needs no manifest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from edi.codesets.icd10cm import fiscal_year_window
from flows.reference.releases import Release

_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
)}  # fmt: skip
_PTP = re.compile(r"ccip[a-z]*-v(\d{2})(\d)r\d", re.IGNORECASE)
_MUE = re.compile(r"mue.*eff_(\d{2})-(\d{2})-(\d{4})", re.IGNORECASE)
_HCPCS = re.compile(r"hcpc(\d{4})_([a-z]{3})", re.IGNORECASE)
_ICD = re.compile(r"icd10cm[_-]order[_-](\d{4})", re.IGNORECASE)
_STORED = re.compile(r"(\d{4}-\d{2}-\d{2})__(.+)")


class UnknownReferenceFile(ValueError):
    """A file whose kind or period cannot be told from its name."""


@dataclass(frozen=True, slots=True)
class ReferenceFile:
    kind: str
    name: str
    period_start: date

    @property
    def stored_name(self) -> str:
        return f"{self.kind}/{self.period_start.isoformat()}__{self.name}"

    def release(self) -> Release:
        if self.kind == "icd10cm":
            start, end = fiscal_year_window(self.period_start.year + 1)
            return Release(self.kind, self.name, start, end)
        return Release(self.kind, self.name, self.period_start)


def identify(name: str, kind: str | None = None, period: date | None = None) -> ReferenceFile:
    """The kind and period of a CMS file from its name (or as given)."""
    found = _from_name(name)
    kind = kind or (found and found[0])
    period = period or (found and found[1]) or None
    if not kind or not period:
        raise UnknownReferenceFile(
            f"{name}: cannot tell which CMS reference file this is from its name; keep the "
            "name CMS published (ccipra-v321r0-f1.txt, MCR_MUE_PractitionerServices_Eff_"
            "01-01-2026.csv, HCPC2026_JAN_ANWEB.txt, icd10cm_order_2027.txt) or pass "
            "--kind and --period"
        )
    if kind == "icd10cm" and period.month != 10:
        period = date(period.year - 1, 10, 1) if period.month < 10 else date(period.year, 10, 1)
    return ReferenceFile(kind, name, period)


def _from_name(name: str) -> tuple[str, date] | None:
    if m := _PTP.search(name):
        major, minor = int(m.group(1)), int(m.group(2))
        return "ncci_ptp", date(1994 + major, 3 * minor + 1, 1)
    if m := _MUE.search(name):
        return "mue", date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    if (m := _HCPCS.search(name)) and m.group(2).upper() in _MONTHS:
        return "hcpcs", date(int(m.group(1)), _MONTHS[m.group(2).upper()], 1)
    if m := _ICD.search(name):
        return "icd10cm", fiscal_year_window(int(m.group(1)))[0]
    return None


def parse_stored(kind: str, stored: str) -> ReferenceFile | None:
    """An installed file's record from its stored name; None for anything else."""
    m = _STORED.fullmatch(stored)
    if not m:
        return None
    return ReferenceFile(kind, m.group(2), date.fromisoformat(m.group(1)))
