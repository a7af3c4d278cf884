"""Small helpers the rule modules share: code sets from the context, code display."""

from __future__ import annotations

from typing import Any

from edi.codesets import CodeSets, bundled_code_sets
from edi.rules.registry import CheckContext


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
    return vars(enc).get("file_segments")
