"""NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE).

Both are read from the CMS quarterly files in their published layout, which start with
copyright and title lines before the data; rows are recognised by their shape, so the
preamble (which changes wording every quarter) never needs to be matched.

- PTP (practitioner, ``ccipra-v321r0-f1.txt``): tab-separated ``Column 1``, ``Column 2``,
  ``*`` when in existence before 1996, effective date ``YYYYMMDD``, deletion date
  ``YYYYMMDD`` or ``*``, modifier indicator ``0``/``1``/``9``, edit rationale.
- MUE (``MCR_MUE_PractitionerServices_Eff_01-01-2026.csv``): ``HCPCS/CPT Code``,
  ``Practitioner Services MUE Values``, ``MUE Adjudication Indicator`` (``1 Line Edit``,
  ``2 Date of Service Edit: Policy``, ``3 Date of Service Edit: Clinical``), ``MUE
  Rationale``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

_CODE = re.compile(r"[0-9A-Z]{5}")


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    effective: date
    deleted: date | None
    modifier_indicator: str
    """``0`` never billable together, ``1`` allowed with an NCCI-associated modifier,
    ``9`` edit not applicable (deleted on its effective date)."""
    rationale: str

    def active_on(self, day: date) -> bool:
        return self.effective <= day and (self.deleted is None or day < self.deleted)


def _rows(lines: Iterable[str]) -> Iterable[list[str]]:
    for line in lines:
        delimiter = "\t" if "\t" in line else ","
        row = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
        yield [cell.strip() for cell in row]


def _yyyymmdd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


class PtpEdits:
    """PTP edits keyed by code pair, looked up in both orders."""

    def __init__(self, name: str, edits: Iterable[PtpEdit]) -> None:
        self.name = name
        self._pairs: dict[tuple[str, str], list[PtpEdit]] = {}
        for edit in edits:
            self._pairs.setdefault((edit.column1, edit.column2), []).append(edit)

    def __len__(self) -> int:
        return sum(len(v) for v in self._pairs.values())

    def edit_for(self, first: str, second: str, day: date) -> PtpEdit | None:
        """The edit active on ``day`` between two codes, whichever is column 1."""
        for key in ((first, second), (second, first)):
            for edit in self._pairs.get(key, ()):
                if edit.active_on(day) and edit.modifier_indicator != "9":
                    return edit
        return None


def read_ptp_file(lines: Iterable[str], name: str) -> PtpEdits:
    """Read a CMS practitioner (or hospital) PTP edit file; see the module docstring."""
    edits = []
    for row in _rows(lines):
        if len(row) < 6 or not (_CODE.fullmatch(row[0]) and _CODE.fullmatch(row[1])):
            continue
        effective, deletion, indicator = row[3], row[4], row[5]
        if not effective.isdigit() or indicator not in ("0", "1", "9"):
            continue
        deleted = _yyyymmdd(deletion) if deletion.isdigit() else None
        rationale = row[6] if len(row) > 6 else ""
        edits.append(PtpEdit(row[0], row[1], _yyyymmdd(effective), deleted, indicator, rationale))
    if not edits:
        raise ValueError(f"{name}: no PTP edit rows found (expected the CMS layout)")
    return PtpEdits(name, edits)


@dataclass(frozen=True, slots=True)
class MueLimit:
    code: str
    units: int
    indicator: str
    """MAI ``1`` per line, ``2`` per day by policy, ``3`` per day by clinical data."""
    rationale: str


class MueLimits:
    def __init__(self, name: str, limits: Iterable[MueLimit]) -> None:
        self.name = name
        self._limits = {limit.code: limit for limit in limits}

    def __len__(self) -> int:
        return len(self._limits)

    def get(self, code: str) -> MueLimit | None:
        return self._limits.get(code)


def read_mue_file(lines: Iterable[str], name: str) -> MueLimits:
    """Read a CMS MUE file (practitioner, hospital or DME); see the module docstring."""
    limits = []
    for row in _rows(lines):
        if len(row) < 3 or not _CODE.fullmatch(row[0]) or not row[1].isdigit():
            continue
        indicator = row[2][:1]
        if indicator not in ("1", "2", "3"):
            continue
        limits.append(MueLimit(row[0], int(row[1]), indicator, row[3] if len(row) > 3 else ""))
    if not limits:
        raise ValueError(f"{name}: no MUE rows found (expected the CMS layout)")
    return MueLimits(name, limits)


DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
"""Distinct procedural service: a different session, site, practitioner or unusual service.
Never on an E/M (NCCI Policy Manual, chapter I, E.1: an E/M takes 25 or 57)."""
EM_MODIFIERS = frozenset({"24", "25", "57"})
"""The modifiers that separate an E/M from a procedure it would otherwise be part of."""
ANATOMIC_MODIFIERS = frozenset(
    {"E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
     "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
     "LT", "RT", "LC", "LD", "LM", "RC", "RI"}
)  # fmt: skip
"""Sites: they bypass an edit only when the two lines name different ones."""
OTHER_BYPASS_MODIFIERS = frozenset({"27", "58", "78", "79", "91"})
"""Staged, related or unrelated procedures in a global period, a repeated lab test."""
BYPASS_MODIFIERS = DISTINCT_MODIFIERS | EM_MODIFIERS | ANATOMIC_MODIFIERS | OTHER_BYPASS_MODIFIERS
"""NCCI PTP-associated modifiers: with indicator 1, one of them bypasses the edit when it
sits on the column-2 code and fits it (:func:`edi.rules.modifiers.ptp_bypass`)."""
