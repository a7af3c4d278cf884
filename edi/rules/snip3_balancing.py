"""SNIP level 3: the claim adds up and its cross-references resolve.

For encounters CLM02 is derived from the lines, so it balances by construction; claims
read from 837 files carry the total they stated (``stated_total``), which is checked.
Pointers past the end of the diagnosis list are :data:`edi.rules.record.POINTER`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from edi.rules.common import dotted, line_field, total_charge
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

CLAIM_BALANCE = register(
    Rule(
        "SNIP3.CLM02.BALANCE",
        3,
        "reject",
        "billing",
        "the claim total (CLM02) is {stated} but the service lines add up to {total}",
        "Make CLM02 the sum of the line charges (SV102)",
        "2300",
        "CLM",
        "CLM02",
    )
)
POINTER_REPEATED = register(
    Rule(
        "SNIP3.DX_POINTER.REPEATED",
        3,
        "reject",
        "coder",
        "line {line} points to diagnosis {pointer} more than once",
        "List each diagnosis pointer once per line",
        "2400",
        "SV1",
        "SV107",
    )
)
DIAGNOSIS_REPEATED = register(
    Rule(
        "SNIP3.DX.REPEATED",
        3,
        "warn",
        "coder",
        "diagnosis {code} is listed more than once",
        "Remove the repeated diagnosis and renumber the line pointers",
        "2300",
        "HI",
        None,
        "diagnoses",
    )
)


@check
def claim_total(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    stated = enc.__dict__.get("stated_total")  # files only; no pydantic __getattr__
    if stated is not None and stated != (total := total_charge(enc, ctx)):
        yield fire(CLAIM_BALANCE, field="service_lines", stated=stated, total=total)


@check
def pointers_once(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    for i, line in enumerate(enc.service_lines):
        pointers = line.diagnosis_pointers
        if len(set(pointers)) != len(pointers):
            repeated = next(p for p in pointers if pointers.count(p) > 1)
            yield fire(
                POINTER_REPEATED,
                field=line_field(i, "diagnosis_pointers"),
                line=i + 1,
                pointer=repeated,
            )


@check
def diagnoses_once(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    codes = enc.diagnoses
    if len(set(codes)) != len(codes):
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                yield fire(DIAGNOSIS_REPEATED, code=dotted(code))
            seen.add(code)
