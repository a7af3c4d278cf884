"""Claim rules by WEDI SNIP level, producing findings that every output shares.

Importing this package registers every claim rule, so whoever runs
:func:`edi.rules.registry.run_checks` (``claims build`` through
:func:`edi.claims.intake.admit`, ``claims validate`` on files) runs all of them: one
validation system.  File validation (pyx12, acknowledgments) lives in
:mod:`edi.rules.file_validation` and is imported only where files are validated.
"""

from edi.rules import (
    clinical,
    cob_balancing,
    duplicates,
    institutional,
    modifiers,
    payer_edits,
    record,
    snip2_guide,
    snip3_balancing,
    snip4_situational,
    snip5_codes,
    snip6_lines,
    snip7_partner,
    specificity,
)


def load_all() -> int:
    """Make sure every rule is registered (importing this package did it); rule count."""
    from edi.rules.registry import RULES

    return len(RULES)


__all__ = [
    "clinical",
    "cob_balancing",
    "duplicates",
    "institutional",
    "load_all",
    "modifiers",
    "payer_edits",
    "record",
    "snip2_guide",
    "snip3_balancing",
    "snip4_situational",
    "snip5_codes",
    "snip6_lines",
    "snip7_partner",
    "specificity",
]
