"""Modifier misuse that payers deny: what coders most often get wrong.

- 25 (significant, separately identifiable E/M) says "there was also a procedure today";
  on an E/M with no other procedure that day it has nothing to separate from.
- 59 and the X{EPSU} modifiers say the same thing at different precision; CMS asks for
  one or the other, never both on a line.
- RT/LT must agree with the side the linked diagnosis names (ICD-10-CM descriptions say
  right or left); a contradiction is a documentation question for the provider.
- An E/M billed the same day as a minor procedure (0/10-day global) is part of the
  procedure's payment unless modifier 25 says it was separately identifiable.
- An NCCI bypass modifier counts only on the column-2 code and only where it fits it
  (:func:`ptp_bypass`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from edi.codesets.icd10cm import sides
from edi.codesets.ncci import (
    ANATOMIC_MODIFIERS,
    BYPASS_MODIFIERS,
    DISTINCT_MODIFIERS,
    EM_MODIFIERS,
    OTHER_BYPASS_MODIFIERS,
)
from edi.codesets.procedures import is_evaluation_management, is_minor_procedure
from edi.rules.common import code_sets, dotted, icd_release, line_field, line_modifiers
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register

MOD25_ALONE = _R(
    Rule(
        "SNIP6.MODIFIER.25_WITHOUT_PROCEDURE",
        6,
        "warn",
        "coder",
        "line {line}: modifier 25 on E/M {code}, but no other procedure is billed on {dos}",
        "Remove modifier 25, or add the procedure performed the same day",
        "2400",
        "SV1",
        "SV101-3",
    )
)
MOD59_WITH_X = _R(
    Rule(
        "SNIP6.MODIFIER.59_WITH_X",
        6,
        "reject",
        "coder",
        "line {line}: modifier 59 and {x} are both given; use one",
        "Keep the more specific X modifier (XE, XS, XP, XU) and remove 59",
        "2400",
        "SV1",
        "SV101-3",
    )
)
SIDE_CONFLICT = _R(
    Rule(
        "SNIP6.MODIFIER.SIDE_CONFLICT",
        6,
        "warn",
        "provider",
        "line {line}: modifier {modifier} says {side} side, but linked diagnosis {code} "
        "names the {other} side",
        "Confirm with the provider which side was treated, then fix the modifier or diagnosis",
        "2400",
        "SV1",
        "SV101-3",
        disposition="hold",
    )
)
RT_AND_LT = _R(
    Rule(
        "SNIP6.MODIFIER.RT_AND_LT",
        6,
        "warn",
        "coder",
        "line {line}: RT and LT on the same line",
        "Bill a bilateral procedure with modifier 50, or one line per side",
        "2400",
        "SV1",
        "SV101-3",
    )
)

MOD25_MISSING = _R(
    Rule(
        "SNIP6.MODIFIER.25_MISSING",
        6,
        "warn",
        "coder",
        "line {line}: E/M {code} is billed on {dos} with minor procedure {procedure} "
        "(0/10-day global) but without modifier 25; payers pay it as part of the procedure",
        "Add modifier 25 to the E/M when the visit was significant and separately "
        "identifiable from the decision to do {procedure}; otherwise remove the E/M line",
        "2400",
        "SV1",
        "SV101-3",
        disposition="hold",
    )
)

DISTINCT_ON_EM = _R(
    Rule(
        "SNIP6.MODIFIER.59_ON_EM",
        6,
        "warn",
        "coder",
        "line {line}: modifier {modifier} is on E/M {code}; 59 and XE/XS/XP/XU never apply "
        "to an E/M, and payers deny the visit",
        "Use modifier 25 on the E/M when it was significant and separately identifiable "
        "from a same-day procedure; otherwise remove {modifier}",
        "2400",
        "SV1",
        "SV101-3",
        disposition="hold",
    )
)

_X_MODIFIERS = ("XE", "XS", "XP", "XU")
_SIDE_OF = {"RT": "right", "LT": "left"}
_SIDES = frozenset(_SIDE_OF)


@check
def modifier_25(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    """A function, not a generator, as the other modifier checks: most claims carry none
    of the modifiers they are about."""
    if "25" not in line_modifiers(enc, ctx):
        return ()
    return _modifier_25(enc)


def _modifier_25(enc: Any) -> Iterator[Finding]:
    procedures_by_day: defaultdict[Any, int] = defaultdict(int)
    for line in enc.service_lines:
        if not is_evaluation_management(line.procedure_code):
            procedures_by_day[line.service_date] += 1
    for i, line in enumerate(enc.service_lines):
        if (
            "25" in line.modifiers
            and is_evaluation_management(line.procedure_code)
            and not procedures_by_day[line.service_date]
        ):
            yield fire(
                MOD25_ALONE,
                field=line_field(i, "modifiers"),
                line=i + 1,
                code=line.procedure_code,
                dos=line.service_date.isoformat(),
            )


@check
def modifier_25_missing(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Where an NCCI PTP file is loaded and has an edit for the pair, the PTP rule says it
    (with the bypass judged); this rule covers the pairs without one."""
    minor = {
        line.service_date: line.procedure_code
        for line in enc.service_lines
        if is_minor_procedure(line.procedure_code)
    }
    if not minor:
        return
    ptp = code_sets(ctx).ptp
    for i, line in enumerate(enc.service_lines):
        code, day = line.procedure_code, line.service_date
        procedure = minor.get(day)
        if (
            procedure is None
            or not is_evaluation_management(code)
            or EM_MODIFIERS.intersection(line.modifiers)
            or (ptp is not None and ptp.edit_for(code, procedure, day) is not None)
        ):
            continue
        yield fire(
            MOD25_MISSING,
            field=line_field(i, "modifiers"),
            line=i + 1,
            code=code,
            dos=day.isoformat(),
            procedure=procedure,
        )


def ptp_bypass(column1: Any, column2: Any) -> str | None:
    """None when the modifiers bypass an indicator-1 NCCI edit; otherwise why not
    (``""`` when no bypass modifier was tried at all).

    A bypass modifier counts only on the column-2 line and only where it fits: an E/M is
    separated by 24/25/57, never by 59 or an X modifier; another procedure by 59/X{EPSU},
    a global-period modifier (58, 78, 79), 27 or 91, or by an anatomic modifier naming a
    site other than the column-1 line's.
    """
    mods = set(column2.modifiers)
    if is_evaluation_management(column2.procedure_code):
        if EM_MODIFIERS & mods:
            return None
        if DISTINCT_MODIFIERS & mods:
            return "59 and XE/XS/XP/XU never apply to an E/M"
    elif DISTINCT_MODIFIERS & mods or OTHER_BYPASS_MODIFIERS & mods:
        return None
    else:
        reason = _sites(column1, column2)
        if reason is None or reason:
            return reason
        if EM_MODIFIERS & mods:
            return f"{'/'.join(sorted(EM_MODIFIERS & mods))} is a modifier for an E/M only"
    # A side on the column-1 line is ordinary reporting, not an attempted bypass.
    tried = sorted(BYPASS_MODIFIERS.intersection(column1.modifiers) - ANATOMIC_MODIFIERS)
    if tried:
        return f"{'/'.join(tried)} on the column-1 code does not bypass the edit"
    return ""


def _sites(column1: Any, column2: Any) -> str | None:
    """Anatomic modifiers bypass only when both lines name sites and the sites differ."""
    sites1 = ANATOMIC_MODIFIERS.intersection(column1.modifiers)
    sites2 = ANATOMIC_MODIFIERS.intersection(column2.modifiers)
    if not sites2:
        return ""
    if not sites1:
        return (
            f"{'/'.join(sorted(sites2))} alone does not show a site other than the column-1 code's"
        )
    if sites1 & sites2:
        return f"both lines carry {'/'.join(sorted(sites1 & sites2))}: the same site"
    return None


@check
def modifier_59(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    if DISTINCT_MODIFIERS.isdisjoint(line_modifiers(enc, ctx)):  # 59 is one of them
        return ()
    return _modifier_59(enc)


def _modifier_59(enc: Any) -> Iterator[Finding]:
    for i, line in enumerate(enc.service_lines):
        if is_evaluation_management(line.procedure_code):
            wrong = next((m for m in line.modifiers if m in DISTINCT_MODIFIERS), None)
            if wrong:
                yield fire(
                    DISTINCT_ON_EM,
                    field=line_field(i, "modifiers"),
                    line=i + 1,
                    modifier=wrong,
                    code=line.procedure_code,
                )
        if "59" in line.modifiers:
            x = next((m for m in line.modifiers if m in _X_MODIFIERS), None)
            if x:
                yield fire(MOD59_WITH_X, field=line_field(i, "modifiers"), line=i + 1, x=x)


@check
def laterality(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    if _SIDES.isdisjoint(line_modifiers(enc, ctx)):
        return ()
    return _laterality(enc, ctx)


def _laterality(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    lines = [
        (i, line)
        for i, line in enumerate(enc.service_lines)
        if "RT" in line.modifiers or "LT" in line.modifiers
    ]
    if not lines:
        return
    release, _ = icd_release(enc, ctx)
    for i, line in lines:
        stated = [m for m in line.modifiers if m in _SIDE_OF]
        if len(stated) == 2:
            yield fire(RT_AND_LT, field=line_field(i, "modifiers"), line=i + 1)
            continue
        if not stated:
            continue
        side = _SIDE_OF[stated[0]]
        for pointer in line.diagnosis_pointers:
            if pointer > len(enc.diagnoses):
                continue
            code = enc.diagnoses[pointer - 1]
            item = release.lookup(code)
            named = sides(item.description) if item else frozenset()
            if named and side not in named and "bilateral" not in named:
                other = next(iter(named))
                yield fire(
                    SIDE_CONFLICT,
                    field=line_field(i, "modifiers"),
                    line=i + 1,
                    modifier=stated[0],
                    side=side,
                    code=dotted(code),
                    other=other,
                )
