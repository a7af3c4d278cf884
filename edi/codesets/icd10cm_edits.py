"""ICD-10-CM data the clinical edits read: who a code can be for, what it excludes, what
it must follow.

- **Sex and age.**  Chapter 15 (O00-O9A, "Pregnancy, childbirth and the puerperium")
  describes a pregnant patient; chapter 16 (P00-P96, "Certain conditions originating in
  the perinatal period") and category Z38 ("Liveborn infants according to place of birth
  and type of delivery") a newborn.  The groups below are those chapter titles, as data.
- **Excludes1.**  "Not coded here": the two conditions cannot occur together, so the
  pair is denied.  simple-icd-10-cm carries the notes; :func:`parse_excludes1` turns each
  note's code references ("(E08.-)", "(O10-O11, O13-O16)") into prefix ranges, which the
  bundled table keeps per code (:mod:`edi.codesets.icd10cm_bundled`).
- **Manifestations.**  Codes titled "… in diseases classified elsewhere" (and every code
  under such a category) describe a manifestation; the guidelines require the underlying
  condition first ("code first"), so one can never be the first diagnosis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from edi.codesets.icd10cm import IcdRelease


@dataclass(frozen=True, slots=True)
class PatientGroup:
    """Codes (an inclusive range of 3-character categories) for one kind of patient."""

    low: str
    high: str
    title: str
    """The ICD-10-CM chapter or category title the group stands for."""
    sex: str | None = None
    """The only sex the codes can describe, or None."""
    adult_never: bool = False
    """True when the codes describe a newborn, so never a patient aged 18 or over."""

    def covers(self, code: str) -> bool:
        return self.low <= code[:3] <= self.high


PATIENT_GROUPS = (
    PatientGroup("O00", "O9A", "Pregnancy, childbirth and the puerperium", sex="F"),
    PatientGroup("P00", "P96", "Certain conditions originating in the perinatal period",
                 adult_never=True),
    PatientGroup("Z38", "Z38", "Liveborn infants according to place of birth and type of "
                 "delivery", adult_never=True),
)  # fmt: skip


@lru_cache(maxsize=4096)
def patient_group(category: str) -> PatientGroup | None:
    """The group whose codes include the 3-character ``category``, if any."""
    return next((group for group in PATIENT_GROUPS if group.covers(category)), None)


ADULT_AGE = 18
GROUP_LETTERS = frozenset(group.low[0] for group in PATIENT_GROUPS)
"""First letters of every group's codes: most diagnoses are ruled out by one lookup."""

_REFERENCE = re.compile(r"([A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{0,4})?)-?(?:-([A-Z][0-9][0-9A-Z]))?")
_GROUP = re.compile(r"\(([^()]*)\)")

Exclusion = tuple[str, str]
"""(low, high) dotless prefixes of the same length: a code matches when its prefix of
that length lies between them."""


def parse_excludes1(notes: Iterable[str]) -> tuple[Exclusion, ...]:
    """The code ranges an Excludes1 note names: ``(E08.-)`` → ``("E08", "E08")``,
    ``(O10-O11, O13-O16)`` → two ranges.  References qualified in words ("with .42",
    "with fifth character 1") are skipped: a range read without its qualifier would
    exclude codes the note does not."""
    found: list[Exclusion] = []
    for note in notes:
        for group in _GROUP.findall(note):
            if " with " in group:
                continue
            for part in group.split(","):
                found.extend(_reference(part.strip()))
    return tuple(dict.fromkeys(found))


def _reference(part: str) -> list[Exclusion]:
    m = _REFERENCE.fullmatch(part.rstrip(".-").strip())
    if m is None:
        return []
    low = m.group(1).replace(".", "")
    high = m.group(2) or low
    if len(high) != len(low):
        return []
    return [(low, high)]


def excluded_by(exclusions: Iterable[Exclusion], code: str) -> bool:
    return any(low <= code[: len(low)] <= high for low, high in exclusions)


@lru_cache(maxsize=16384)
def exclusions_of(release: IcdRelease, code: str) -> tuple[Exclusion, ...]:
    """The Excludes1 ranges that apply to ``code``: its own and its ancestors' notes."""
    return tuple(e for n in range(3, len(code) + 1) for e in release.excludes1(code[:n]))


_MANIFESTATION = re.compile(r"\bin (?:other )?diseases classified elsewhere\b", re.IGNORECASE)


@lru_cache(maxsize=8192)
def _is_manifestation(release: IcdRelease, code: str) -> bool:
    for n in range(3, len(code) + 1):
        item = release.lookup(code[:n])
        if item is not None and _MANIFESTATION.search(item.description):
            return True
    return False


def is_manifestation(release: IcdRelease, code: str) -> bool:
    """A manifestation code: it or a category above it is titled "… in diseases
    classified elsewhere"."""
    return _is_manifestation(release, code)
