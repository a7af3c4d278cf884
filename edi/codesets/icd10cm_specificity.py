"""When a diagnosis is worth a provider query, and which codes to offer in its place.

"Unspecified" alone is no reason to ask: E11.40 and G43.909 are what payers expect when
the note says no more.  A query costs a provider's time and holds the claim, so it is
asked only where the claim itself shows the code says less than was documented:

- the first diagnosis is a sign or symptom (chapter R, e.g. R51.9 headache), not a
  definitive condition;
- a service line says which side (RT, LT, 50) and the linked code names no side although
  its category has codes for that side;
- a procedure implies a type or complication (retinal imaging: retinopathy; nerve
  conduction: neuropathy; wound debridement: ulcer; dialysis: kidney disease) that the
  linked code leaves out, and its category has codes naming it.

Suggestions are siblings of the same category ranked by how close their clinical
description is to the code's own description plus the evidence (word overlap), never the
first codes of the category.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from edi.codesets.icd10cm import IcdCode, IcdRelease, sides

SYMPTOM_CHAPTER = "R"
"""ICD-10-CM chapter 18: symptoms, signs and abnormal findings, not elsewhere classified."""

SIDE_OF_MODIFIER = {"RT": "right", "LT": "left", "50": "bilateral"}


@dataclass(frozen=True, slots=True)
class ProcedureEvidence:
    """Procedures (an inclusive code range) whose performance implies a condition."""

    low: str
    high: str
    implies: str
    """What the procedure implies, in the words ICD-10-CM descriptions use."""
    keywords: tuple[str, ...]

    def covers(self, code: str) -> bool:
        return self.low <= code <= self.high and len(code) == len(self.low)


PROCEDURE_EVIDENCE = (
    ProcedureEvidence("92227", "92229", "retinopathy", ("retinopathy",)),
    ProcedureEvidence("92250", "92250", "retinopathy", ("retinopathy",)),
    ProcedureEvidence("92133", "92134", "retinopathy", ("retinopathy", "macular")),
    ProcedureEvidence("95885", "95887", "neuropathy", ("neuropathy", "polyneuropathy")),
    ProcedureEvidence("95907", "95913", "neuropathy", ("neuropathy", "polyneuropathy")),
    ProcedureEvidence("11042", "11047", "an ulcer", ("ulcer",)),
    ProcedureEvidence("97597", "97598", "an ulcer", ("ulcer",)),
    ProcedureEvidence("90935", "90999", "kidney disease", ("kidney", "nephropathy")),
)
"""A small, documented list: procedures a payer reads as proof of a complication."""

_WORD = re.compile(r"[a-z0-9]+")
_FILLER = frozenset({"of", "in", "with", "and", "the", "to", "or", "not", "due", "a"})


def is_symptom(code: str) -> bool:
    """A sign or symptom code (chapter R): no definitive condition is named."""
    return code[:1] == SYMPTOM_CHAPTER


def names_no_side(item: IcdCode) -> bool:
    return not sides(item.description)


@lru_cache(maxsize=4096)
def evidence_of(procedure_code: str) -> ProcedureEvidence | None:
    return next((e for e in PROCEDURE_EVIDENCE if e.covers(procedure_code)), None)


def leaves_out(item: IcdCode, evidence: ProcedureEvidence) -> bool:
    """True when ``item`` does not name what the procedure implies."""
    text = item.description.lower()
    return not any(word in text for word in evidence.keywords)


@lru_cache(maxsize=8192)
def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower())) - _FILLER


def _closeness(candidate: IcdCode, target: frozenset[str]) -> float:
    words = _words(candidate.description)
    return len(words & target) / len(words | target) if words else 0.0


def ranked(candidates: Iterable[IcdCode], target_text: str) -> list[IcdCode]:
    """``candidates`` closest first to ``target_text`` (Jaccard over description words);
    ties keep the tabular order, so the result is stable."""
    target = _words(target_text)
    pool = list(candidates)
    order = {c.code: n for n, c in enumerate(pool)}
    return sorted(pool, key=lambda c: (-_closeness(c, target), order[c.code]))


@lru_cache(maxsize=4096)
def side_choices(release: IcdRelease, code: str, side: str) -> tuple[IcdCode, ...]:
    """Billable siblings naming ``side`` for a code that names none, closest first: the
    code's own words with "unspecified" read as the side."""
    item = release.lookup(code)
    if item is None or not names_no_side(item):
        return ()
    pool = [c for c in release.category(code) if side in sides(c.description)]
    target = item.description.lower().replace("unspecified", side)
    return tuple(ranked(pool, target))


@lru_cache(maxsize=4096)
def evidence_choices(
    release: IcdRelease, code: str, evidence: ProcedureEvidence
) -> tuple[IcdCode, ...]:
    """Billable siblings naming what the procedure implies, closest first."""
    item = release.lookup(code)
    if item is None or not leaves_out(item, evidence):
        return ()
    pool = [c for c in release.category(code) if not leaves_out(c, evidence)]
    target = f"{item.description} {' '.join(evidence.keywords)}"
    return tuple(ranked(pool, target))
