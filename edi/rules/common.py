"""Small helpers the rule modules share: code sets from the context, code display."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from edi.codesets import CodeSets, bundled_code_sets
from edi.codesets.icd10cm import IcdRelease
from edi.rules.registry import CheckContext

T = TypeVar("T")


def code_sets(ctx: CheckContext) -> CodeSets:
    """The context's code sets, or the bundled ones when the caller supplied none."""
    return ctx.code_sets or bundled_code_sets()


def dotted(code: str) -> str:
    """``E119`` → ``E11.9``: codes in messages are written the way coders read them."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def line_field(index: int, name: str) -> str:
    return f"service_lines[{index}].{name}"


def first_service_date(enc: Any) -> Any:
    """The claim's first date of service: its earliest service line's, or an institutional
    claim's statement start when it has no dated lines (the 837I's DTP*434)."""
    lines = enc.service_lines
    if lines:  # a loop: ``min`` over a generator costs more for a claim's few lines
        first = lines[0].service_date
        for line in lines:
            if line.service_date < first:
                first = line.service_date
        return first
    dates = [line.service_date for line in enc.revenue_lines if line.service_date]
    return min(dates) if dates else enc.institutional.statement_from


def last_service_date(enc: Any) -> Any:
    """The claim's last date of service: the latest line's (its end when it spans days), or
    an institutional claim's statement end."""
    lines = enc.service_lines or [line for line in enc.revenue_lines if line.service_date]
    if lines:
        return max(line.service_date_end or line.service_date for line in lines)
    return enc.institutional.statement_through or enc.institutional.statement_from


def patient_of(enc: Any) -> Any:
    """The person the services were for: the patient, or the subscriber when none."""
    return enc.patient or enc.subscriber


def file_segments(enc: Any) -> frozenset[str] | None:
    """The segment IDs in the claim's loops when ``enc`` was read from an 837 file.

    ``None`` for an encounter.  A file's absent loop has a meaning of its own (no 2310B:
    the billing provider rendered), and a file may carry data encounter-v1 has no field
    for (CR1, CR3), so some rules judge files by what their segments show.
    """
    return enc.__dict__.get("file_segments")


def per_claim(function: Callable[[Any, CheckContext], T]) -> Callable[[Any, CheckContext], T]:
    """``function(enc, ctx)`` worked out once for the claim being checked.

    A claim's checks run one after another, and several ask the same of it (its first date
    of service, its ICD-10-CM release, its total): the last claim's answer is kept together
    with the claim and the context themselves, so testing their identity is a safe key
    (neither can be freed, and its address reused, while kept), and only one claim is held.
    """
    last: tuple[Any, Any, Any] = (None, None, None)

    @wraps(function)
    def memo(enc: Any, ctx: CheckContext) -> T:
        nonlocal last
        seen, seen_ctx, value = last
        if seen is enc and seen_ctx is ctx:
            return value  # type: ignore[no-any-return]
        value = function(enc, ctx)
        last = (enc, ctx, value)  # one assignment: another thread sees all three or none
        return value

    return memo


@per_claim
def service_start(enc: Any, ctx: CheckContext) -> date:
    """:func:`first_service_date` of the claim being checked (asked by some eight checks)."""
    return first_service_date(enc)  # type: ignore[no-any-return]


@per_claim
def icd_release(enc: Any, ctx: CheckContext) -> tuple[IcdRelease, bool]:
    """The ICD-10-CM release of the claim's first date of service, and whether it covers
    that date (see :meth:`edi.codesets.icd10cm.IcdCatalog.release_for`)."""
    return code_sets(ctx).icd.release_for(service_start(enc, ctx))


@per_claim
def total_charge(enc: Any, ctx: CheckContext) -> Decimal:
    """The claim's total charge (the sum of its lines)."""
    return enc.total_charge  # type: ignore[no-any-return]


@per_claim
def line_modifiers(enc: Any, ctx: CheckContext) -> frozenset[str]:
    """Every modifier on the claim's service lines: most claims carry none of those a
    modifier check is about, and one set test spares it a walk of the lines (reading a
    model's attribute costs some hundred instructions)."""
    found: set[str] = set()
    for line in enc.service_lines:
        found.update(line.modifiers)
    return frozenset(found)


ADDRESS_PARTS = ("billing_provider", "pay_to_address", "service_facility", "subscriber", "patient")
"""The parts of a claim with an address (the pay-to address is one itself)."""


@per_claim
def addresses(enc: Any, ctx: CheckContext) -> dict[str, Any]:
    """The claim's addresses by part, of the parts of ``ADDRESS_PARTS`` it has, in that
    order (asked by three checks)."""
    values = enc.__dict__
    found = {}
    for part in ADDRESS_PARTS:
        address = values.get(part)
        if part != "pay_to_address" and address is not None:
            address = address.__dict__.get("address")
        if address is not None:
            found[part] = address
    return found
