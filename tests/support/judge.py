"""pyx12 as the tests' independent judge of X12 validity."""

from __future__ import annotations

from edi.x12.pyx12_validator import Pyx12Unavailable, X12Error, validate_x12


def pyx12_errors(data: bytes | str) -> list[X12Error | str]:
    """Every error pyx12 reports for ``data``, at any envelope or segment level; empty
    only when pyx12 judges the document valid."""
    try:
        report = validate_x12(data)
    except Pyx12Unavailable as exc:
        return [str(exc)]
    if not report.valid and not report.errors:
        return ["pyx12 judged the document invalid"]
    return list(report.errors)
