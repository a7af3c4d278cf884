"""SNIP level 5: diagnosis specificity, asked only where it costs money.

A query holds the claim until the provider answers, so it is raised only when the claim
itself shows the code says less than was done (see :mod:`edi.codesets.icd10cm_specificity`):
a symptom as the first diagnosis, a side on the service and none in the code, or a
procedure implying a type or complication the code leaves out.  Codes that are simply
"unspecified" (E11.40, G43.909) are what payers pay when the note says no more.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from edi.codesets.icd10cm import IcdCode
from edi.codesets.icd10cm_specificity import (
    SIDE_OF_MODIFIER,
    evidence_choices,
    evidence_of,
    is_symptom,
    side_choices,
)
from edi.rules.common import dotted, icd_release
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register

SYMPTOM_PRINCIPAL = _R(
    Rule(
        "SNIP5.ICD10.SYMPTOM_PRINCIPAL",
        5,
        "warn",
        "provider",
        "the first diagnosis, {description} ({code}), is a sign or symptom, not a definitive "
        "condition; payers review symptom-only claims for medical necessity",
        "Ask the provider whether a condition explaining the symptom was established at this "
        "visit; keep {code} only when none was",
        "2300",
        "HI",
        "HI01-2",
        "diagnoses[0]",
        disposition="hold",
    )
)
UNSPECIFIED = _R(
    Rule(
        "SNIP5.ICD10.UNSPECIFIED",
        5,
        "warn",
        "provider",
        "the diagnosis {description} ({code}) does not name {what}, but line {line} "
        "({evidence}) shows it; closest codes: {specific}",
        "Ask the provider whether the documentation supports one of the closest codes, "
        "then update the diagnosis",
        "2300",
        "HI",
        None,
        disposition="hold",
    )
)

SUGGESTIONS = 4
"""How many codes a finding names: enough to choose from, short enough to read."""
_SIDE_MODIFIERS = SIDE_OF_MODIFIER.keys()
"""The modifiers naming a side (RT, LT, 50): with a procedure's evidence, all that raises a
question (a claim whose lines carry only others, such as 25, asks none)."""


@check
def symptom_principal(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    first = enc.diagnoses[0]
    if not is_symptom(first):
        return
    release, _ = icd_release(enc, ctx)
    item = release.lookup(first)
    if item is not None and item.billable:
        yield fire(SYMPTOM_PRINCIPAL, code=dotted(first), description=item.description)


@dataclass(frozen=True, slots=True)
class Question:
    """One diagnosis the claim shows more about: the codes to offer, closest first."""

    pointer: int
    """1-based position of the diagnosis (its ``diagnoses`` index plus one)."""
    line: int
    what: str
    shown: str
    choices: tuple[IcdCode, ...]


def questions(enc: Any, release: Any) -> Iterator[Question]:
    """Each linked diagnosis once: the first line showing more decides the question.

    Pure, so the coding-review worklist can offer the same answer choices the finding
    names (``choices``), beside "clinically undetermined" and "other"."""
    asked: set[int] = set()
    for n, line in enumerate(enc.service_lines, 1):
        side = next((SIDE_OF_MODIFIER[m] for m in line.modifiers if m in SIDE_OF_MODIFIER), None)
        implied = evidence_of(line.procedure_code)
        if side is None and implied is None:
            continue
        for pointer in line.diagnosis_pointers:
            if pointer > len(enc.diagnoses) or pointer in asked:
                continue
            code = enc.diagnoses[pointer - 1]
            if side is not None and (choices := side_choices(release, code, side)):
                what, shown = f"the {side} side", f"{line.procedure_code}-{_side_mod(line)}"
            elif implied is not None and (choices := evidence_choices(release, code, implied)):
                what, shown = implied.implies, line.procedure_code
            else:
                continue
            asked.add(pointer)
            yield Question(pointer, n, what, shown, choices)


@check
def evidence_of_more(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    lines = enc.service_lines
    if not any(
        not _SIDE_MODIFIERS.isdisjoint(line.modifiers) or evidence_of(line.procedure_code)
        for line in lines
    ):
        return  # no line shows a side or implies a condition (the usual claim): no question
    release, _ = icd_release(enc, ctx)
    for q in questions(enc, release):
        code = enc.diagnoses[q.pointer - 1]
        yield _unspecified(release, code, q.pointer, q.line, q.what, q.shown, q.choices)


def _side_mod(line: Any) -> str:
    return next(m for m in line.modifiers if m in SIDE_OF_MODIFIER)


def _unspecified(
    release: Any,
    code: str,
    pointer: int,
    line: int,
    what: str,
    shown: str,
    choices: Sequence[IcdCode],
) -> Finding:
    named = "; ".join(f"{c.description} ({dotted(c.code)})" for c in choices[:SUGGESTIONS])
    more = f" (and {len(choices) - SUGGESTIONS} more)" if len(choices) > SUGGESTIONS else ""
    return fire(
        UNSPECIFIED,
        field=f"diagnoses[{pointer - 1}]",
        location=("2300", "HI", f"HI{pointer:02d}-2"),
        code=dotted(code),
        description=release.lookup(code).description,
        what=what,
        line=line,
        evidence=shown,
        specific=named + more,
    )
