"""ICD-10-CM releases, chosen by date of service.

A diagnosis is valid only in the release in force on the date of service (releases run
from 1 October to 30 September, named for the fiscal year they end in).  The release
that ships inside simple-icd-10-cm is always available; the user may add the CMS
"order" files of other years (``icd10cm_order_2027.txt``) so older or newer dates of
service are checked against the right list.  When no loaded release covers a date, the
nearest one is used and the rules say so instead of pretending.

The bundled release is read from a cached table (:mod:`edi.codesets.icd10cm_bundled`),
not from simple-icd-10-cm itself, whose import parses XML for over a second.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

_MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}


@dataclass(frozen=True, slots=True)
class IcdCode:
    code: str
    """Without the dot, upper case (``E119``)."""
    billable: bool
    description: str


def fiscal_year_window(fiscal_year: int) -> tuple[date, date]:
    """ICD-10-CM FY N applies to dates of service from 1 Oct N-1 to 30 Sep N."""
    return date(fiscal_year - 1, 10, 1), date(fiscal_year, 9, 30)


@dataclass(eq=False)
class IcdRelease:
    """One ICD-10-CM release: its name, the dates it governs and its codes."""

    name: str
    valid_from: date
    valid_to: date
    _codes: Mapping[str, IcdCode] = field(repr=False, default_factory=dict)
    _by_category: dict[str, list[IcdCode]] | None = field(repr=False, default=None)
    _excludes1: Mapping[str, str] = field(repr=False, default_factory=dict)
    """Excludes1 ranges by code, written ``LOW:HIGH|LOW:HIGH`` (none for CMS order files,
    which carry no notes)."""

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def lookup(self, code: str) -> IcdCode | None:
        return self._codes.get(code)

    def excludes1(self, code: str) -> tuple[tuple[str, str], ...]:
        """The Excludes1 ranges of ``code``'s own note (not its ancestors')."""
        text = self._excludes1.get(code)
        if not text:
            return ()
        return tuple(tuple(part.split(":", 1)) for part in text.split("|"))  # type: ignore[misc]

    def category(self, code: str) -> list[IcdCode]:
        """The billable codes of ``code``'s three-character category."""
        if self._by_category is None:
            grouped: dict[str, list[IcdCode]] = {}
            for item in self._codes.values():
                if item.billable:
                    grouped.setdefault(item.code[:3], []).append(item)
            self._by_category = grouped
        return self._by_category.get(code[:3], [])


def bundled_release_window(release_file: str) -> tuple[str, date, date]:
    """Name and dates of simple-icd-10-cm's release, from its data file's name.

    ``icd10c-tabular-April-1-2026.xml`` is the April 2026 update of FY2026, which governs
    1 October 2025 to 30 September 2026.
    """
    updated = _release_date(release_file)
    fiscal_year = updated.year + 1 if updated.month >= 10 else updated.year
    start, end = fiscal_year_window(fiscal_year)
    name = f"ICD-10-CM FY{fiscal_year} ({updated:%B} {updated.day}, {updated.year} update)"
    return name, start, end


def _release_date(file_name: str) -> date:
    """``icd10c-tabular-April-1-2026.xml`` → 2026-04-01."""
    m = re.search(r"([A-Z][a-z]+)-(\d{1,2})-(\d{4})", file_name)
    if not m:
        raise ValueError(f"cannot tell the ICD-10-CM release from {file_name!r}")
    return date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))


def read_order_file(lines: Iterable[str], fiscal_year: int) -> IcdRelease:
    """A release from the CMS ``icd10cm_order_YYYY.txt`` file (fixed columns).

    Layout: order number (1-5), code (7-13), billable flag 0/1 (15), short description
    (17-76), long description (78-).  Blank lines are skipped; a malformed line raises
    ``ValueError`` naming its number.
    """
    codes: dict[str, IcdCode] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        code, flag = line[6:13].strip(), line[14:15]
        if not re.fullmatch(r"[A-Z][0-9A-Z]{2,6}", code) or flag not in ("0", "1"):
            raise ValueError(f"ICD-10-CM order file line {number} is not in the CMS layout")
        codes[code] = IcdCode(code, flag == "1", line[77:].strip() or line[16:76].strip())
    start, end = fiscal_year_window(fiscal_year)
    return IcdRelease(f"ICD-10-CM FY{fiscal_year} (CMS order file)", start, end, codes)


@dataclass(frozen=True, slots=True)
class IcdCatalog:
    """Every loaded release; picks the one for a date of service."""

    releases: tuple[IcdRelease, ...]

    def release_for(self, day: date) -> tuple[IcdRelease, bool]:
        """The release covering ``day``, or the nearest one and ``False``; several rules
        ask per claim, and a batch has few dates, so each answer is kept."""
        return _release_for(self, day)


@lru_cache(maxsize=4096)
def _release_for(catalog: IcdCatalog, day: date) -> tuple[IcdRelease, bool]:
    for release in catalog.releases:
        if release.covers(day):
            return release, True
    nearest = min(
        catalog.releases,
        key=lambda r: min(abs((r.valid_from - day).days), abs((r.valid_to - day).days)),
    )
    return nearest, False


_SIDE = re.compile(r"\b(right|left|bilateral)\b", re.IGNORECASE)


@lru_cache(maxsize=8192)
def sides(description: str) -> frozenset[str]:
    """Laterality a description names: ``{'right'}``, ``{'left'}``, ``{'bilateral'}``…"""
    return frozenset(m.lower() for m in _SIDE.findall(description))
