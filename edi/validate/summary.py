"""SNIP 1-2 errors in a few words for a run summary: 999 codes and places, never values."""

from __future__ import annotations

from collections.abc import Sequence

from edi.x12.pyx12_validator import X12Error


def error_label(e: X12Error) -> str:
    """One error as a 999/TA1 would carry it: ``IK403 7 at DTP02 (segment 40)``, ``IK403 7
    at EB03 repeat 2 (segment 12)`` for the second repeat of an element that repeats."""
    if e.level == "element":
        repeat = f" repeat {e.repetition}" if e.repetition else ""
        where = f"{e.element_label or e.segment_id}{repeat}"
        return f"IK403 {e.code} at {where} (segment {e.position})"
    if e.level == "segment":
        return f"IK304 {e.code} at {e.segment_id} (segment {e.position})"
    if e.level == "transaction":
        return f"IK502 {e.code} in transaction set {e.st02}"
    if e.level == "group":
        return f"AK905 {e.code} in group {e.gs06}"
    return f"TA105 {e.code} in interchange {e.isa13}"


def describe(errors: Sequence[X12Error], limit: int = 3) -> str:
    """``N guide error(s): first, second, third...``: what a held file or a run says."""
    shown = "; ".join(error_label(e) for e in errors[:limit])
    more = f"; and {len(errors) - limit} more" if len(errors) > limit else ""
    return f"{len(errors)} SNIP 1-2 error(s): {shown}{more}"
