"""SNIP level 5: clinical edits payers apply to the codes, from ICD-10-CM and CPT as data.

Each is denied for certain and each is a coder's question, so each holds the claim for
coding review by default: a pregnancy code on a male, a newborn code or an infant's
preventive visit on an adult, two diagnoses one's Excludes1 note rules out together, and
a manifestation ("code first") as the first diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from edi.codesets.icd10cm import IcdRelease
from edi.codesets.icd10cm_edits import (
    ADULT_AGE,
    GROUP_LETTERS,
    excluded_by,
    exclusions_of,
    is_manifestation,
    patient_group,
)
from edi.codesets.procedure_edits import PREVENTIVE_VISIT_AGES, age_range
from edi.rules.common import dotted, icd_release, line_field, patient_of, service_start
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register

SEX_CONFLICT = _R(
    Rule(
        "SNIP5.ICD10.SEX_CONFLICT",
        5,
        "warn",
        "coder",
        "diagnosis {code} is a {group} code (ICD-10-CM {range}), for female patients only; "
        "the patient's sex is {sex}",
        "Check the diagnosis and the patient's recorded sex; correct whichever is wrong",
        "2300",
        "HI",
        None,
        disposition="hold",
    )
)
AGE_CONFLICT = _R(
    Rule(
        "SNIP5.ICD10.AGE_CONFLICT",
        5,
        "warn",
        "coder",
        "diagnosis {code} is a newborn code ({group}, ICD-10-CM {range}), but the patient "
        "was {age} on the date of service",
        "Code the patient's current condition; newborn codes are for the birth episode",
        "2300",
        "HI",
        None,
        disposition="hold",
    )
)
PROCEDURE_AGE = _R(
    Rule(
        "SNIP5.CPT.AGE_CONFLICT",
        5,
        "warn",
        "coder",
        "line {line}: preventive visit {code} is for ages {ages} (CPT descriptor: {phrase}), "
        "but the patient was {age} on {dos}",
        "Bill the preventive visit code of the patient's age group ({suggested})",
        "2400",
        "SV1",
        "SV101-2",
        disposition="hold",
    )
)
EXCLUDES1 = _R(
    Rule(
        "SNIP5.ICD10.EXCLUDES1",
        5,
        "warn",
        "coder",
        "diagnoses {code} and {other} are billed together, but {code}'s Excludes1 note "
        "rules {other} out: the two conditions are not coded together",
        "Keep the code the documentation supports; use both only when the conditions are "
        "unrelated, as the Excludes1 exception allows, and be ready to show it",
        "2300",
        "HI",
        None,
        disposition="hold",
    )
)
MANIFESTATION_FIRST = _R(
    Rule(
        "SNIP5.ICD10.MANIFESTATION_PRINCIPAL",
        5,
        "warn",
        "coder",
        "the first diagnosis {code} ({description}) is a manifestation code; ICD-10-CM "
        "requires the underlying condition to be coded first",
        "List the underlying condition first and {code} after it",
        "2300",
        "HI",
        "HI01-2",
        "diagnoses[0]",
        disposition="hold",
    )
)


def age_on(birth: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _release(enc: Any, ctx: CheckContext) -> Any:
    return icd_release(enc, ctx)[0]


@check
def patient_groups(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    codes = enc.diagnoses
    if not any(code[0] in GROUP_LETTERS for code in codes):
        return
    groups = [patient_group(code[:3]) for code in codes]
    if not any(groups):  # Z00-Z37: the letter alone does not tell
        return
    person = patient_of(enc)
    if person.birth_date is None:  # a file without DMG: SNIP4.SUBSCRIBER.DEMOGRAPHICS says so
        return
    first_dos = service_start(enc, ctx)
    age = age_on(person.birth_date, first_dos)
    for i, (code, group) in enumerate(zip(codes, groups, strict=True)):
        if group is None:
            continue
        about = {
            "field": f"diagnoses[{i}]",
            "location": ("2300", "HI", f"HI{i + 1:02d}-2"),
            "code": dotted(code),
            "group": group.title,
            "range": f"{group.low}-{group.high}",
        }
        if group.sex and person.sex not in (group.sex, "U"):
            yield fire(SEX_CONFLICT, sex=person.sex, **about)
        if group.adult_never and age >= ADULT_AGE:
            yield fire(AGE_CONFLICT, age=age, **about)


_AGES = {code: age_range(code) for code in PREVENTIVE_VISIT_AGES}
"""The ages each preventive visit code allows, read from its words once."""


@check
def procedure_ages(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    birth = patient_of(enc).birth_date
    for i, line in enumerate(enc.service_lines):
        ages = _AGES.get(line.procedure_code)
        if ages is None or birth is None:
            continue
        age = age_on(birth, line.service_date)
        if ages[0] <= age <= ages[1]:
            continue
        yield fire(
            PROCEDURE_AGE,
            field=line_field(i, "procedure_code"),
            line=i + 1,
            code=line.procedure_code,
            ages=f"{ages[0]}-{ages[1]}" if ages[1] < 200 else f"{ages[0]} and over",
            phrase=PREVENTIVE_VISIT_AGES[line.procedure_code],
            age=age,
            dos=line.service_date.isoformat(),
            suggested=_suggested(line.procedure_code, age),
        )


def _suggested(code: str, age: int) -> str:
    """The code of the same family (new 9938x, established 9939x) for ``age``."""
    family = code[:4]
    for last in "1234567":
        candidate = family + last
        ages = _AGES.get(candidate)
        if ages and ages[0] <= age <= ages[1]:
            return candidate
    return "-"


@check
def excludes1(enc: Any, ctx: CheckContext) -> tuple[Finding, ...]:
    codes = enc.diagnoses
    if len(codes) < 2:
        return ()
    return _excludes1(_release(enc, ctx), tuple(codes))


@lru_cache(maxsize=65536)
def _excludes1(release: IcdRelease, codes: tuple[str, ...]) -> tuple[Finding, ...]:
    """The Excludes1 findings of one list of diagnoses: each code's ranges against every
    other code is the costliest test of the claim's checks, and batches repeat the same
    lists, so each is worked out once per process (findings are immutable)."""
    found = []
    told: set[frozenset[int]] = set()
    for i, code in enumerate(codes):
        ranges = exclusions_of(release, code)
        if not ranges:
            continue
        for j, other in enumerate(codes):
            if (
                j != i
                and excluded_by(ranges, other)
                and (pair := frozenset((i, j))) not in told  # a pair is told once
            ):
                told.add(pair)
                found.append(
                    fire(
                        EXCLUDES1,
                        field=f"diagnoses[{j}]",
                        location=("2300", "HI", f"HI{j + 1:02d}-2"),
                        code=dotted(code),
                        other=dotted(other),
                    )
                )
    return tuple(found)


@check
def manifestation_first(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    first = enc.diagnoses[0]
    release = _release(enc, ctx)
    if is_manifestation(release, first):
        item = release.lookup(first)
        description = item.description if item else "-"
        yield fire(MANIFESTATION_FIRST, code=dotted(first), description=description)
