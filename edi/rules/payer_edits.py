"""SNIP level 7: front-end edits most payers apply, and Medicare's own.

- Telehealth: a remote visit (place of service 02 or 10) says how it was delivered with
  modifier 95 on each telehealth service; GT is for institutional claims of critical
  access hospitals (method II), never on a professional claim.
- Laboratory: lines in the pathology and laboratory range need the lab's CLIA number
  (REF*X4, from the billing provider); CLIA-waived tests need modifier QW.
- Unlisted and NOC codes carry a description (SV101-7) the payer prices from.
- Medicare Part B (filing indicator MB): the beneficiary is always the subscriber (no
  2000C loop); replacement and void claims (frequency 7/8) are not accepted, a reopening
  is; vaccine administration for influenza, pneumococcal and hepatitis B vaccines is
  billed with G0008/G0009/G0010, not 90471/90472.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from edi.codesets.procedure_edits import (
    TELEHEALTH_MODIFIERS,
    TELEHEALTH_PLACES,
    VACCINE_ADMINISTRATION,
    WAIVED_NEEDING_QW,
    is_laboratory,
    is_telehealth_service,
    medicare_vaccine,
    needs_description,
)
from edi.rules.common import line_field
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register

TELEHEALTH_95 = _R(
    Rule(
        "SNIP7.TELEHEALTH.MODIFIER_95",
        7,
        "warn",
        "coder",
        "line {line}: {code} is billed as telehealth (place of service {pos}) without a "
        "telehealth modifier; payers deny remote services that do not say how they were given",
        "Add modifier 95 (audio and video) to line {line}, or 93/FQ when audio only",
        "2400",
        "SV1",
        "SV101-3",
        disposition="hold",
    )
)
TELEHEALTH_GT = _R(
    Rule(
        "SNIP7.TELEHEALTH.GT_PROFESSIONAL",
        7,
        "warn",
        "coder",
        "line {line}: modifier GT is for institutional claims of critical access hospitals "
        "(method II); on a professional claim payers deny it",
        "Replace GT with 95 and bill place of service 02 or 10",
        "2400",
        "SV1",
        "SV101-3",
        disposition="hold",
    )
)
CLIA_MISSING = _R(
    Rule(
        "SNIP7.LAB.CLIA_MISSING",
        7,
        "warn",
        "billing",
        "line {line}: laboratory test {code} needs the lab's CLIA number (REF*X4), and the "
        "billing provider has none",
        "Enter the CLIA certificate number in billing_provider.clia_number (e.g. 14D0123456)",
        "2300",
        "REF",
        "REF02",
        "billing_provider.clia_number",
    )
)
QW_MISSING = _R(
    Rule(
        "SNIP7.LAB.QW_MISSING",
        7,
        "warn",
        "coder",
        "line {line}: {code} is a CLIA-waived test and payers want modifier QW on it",
        "Add modifier QW to line {line}",
        "2400",
        "SV1",
        "SV101-3",
        disposition="hold",
    )
)
DESCRIPTION_MISSING = _R(
    Rule(
        "SNIP7.PROCEDURE.DESCRIPTION_MISSING",
        7,
        "reject",
        "coder",
        "line {line}: {code} is an unlisted or not-otherwise-classified code and has no "
        "description (SV101-7); the payer cannot price it",
        "Describe the service or item in service_lines[].description (up to 80 characters)",
        "2400",
        "SV1",
        "SV101-7",
    )
)
MEDICARE_PATIENT_LOOP = _R(
    Rule(
        "SNIP7.MEDICARE.PATIENT_LOOP",
        7,
        "reject",
        "front_desk",
        "Medicare claims have no patient loop (2000C): the beneficiary is the subscriber",
        "Enter the beneficiary as the subscriber with their own Medicare number and leave "
        "patient empty",
        "2000C",
        "HL",
        None,
        "patient",
    )
)
MEDICARE_FREQUENCY = _R(
    Rule(
        "SNIP7.MEDICARE.FREQUENCY",
        7,
        "reject",
        "billing",
        "Medicare Part B does not accept replacement or void claims (frequency {frequency})",
        "Correct a processed claim with a reopening (the MAC's portal or phone line, or a "
        "written request) or an appeal; do not resend it",
        "2300",
        "CLM",
        "CLM05-3",
        "frequency_code",
    )
)
MEDICARE_VACCINE = _R(
    Rule(
        "SNIP7.MEDICARE.VACCINE_ADMIN",
        7,
        "warn",
        "coder",
        "line {line}: Medicare pays the administration of the {kind} vaccine ({vaccine}) with "
        "{admin}, not {code}",
        "Replace {code} with {admin} on line {line}",
        "2400",
        "SV1",
        "SV101-2",
        disposition="hold",
    )
)


@check
def telehealth(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    for i, line in enumerate(enc.service_lines):
        mods = line.modifiers
        if "GT" in mods:
            yield fire(TELEHEALTH_GT, field=line_field(i, "modifiers"), line=i + 1)
        pos = line.place_of_service or enc.place_of_service
        if (
            pos in TELEHEALTH_PLACES
            and is_telehealth_service(line.procedure_code)
            and not TELEHEALTH_MODIFIERS.intersection(mods)
            and "GT" not in mods
        ):
            yield fire(
                TELEHEALTH_95,
                field=line_field(i, "modifiers"),
                line=i + 1,
                code=line.procedure_code,
                pos=pos,
            )


@check
def laboratory(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    clia_told = enc.billing_provider.clia_number is not None
    for i, line in enumerate(enc.service_lines):
        code = line.procedure_code
        if not is_laboratory(code):
            continue
        if not clia_told:
            clia_told = True
            yield fire(CLIA_MISSING, line=i + 1, code=code)
        if code in WAIVED_NEEDING_QW and "QW" not in line.modifiers:
            yield fire(QW_MISSING, field=line_field(i, "modifiers"), line=i + 1, code=code)


@check
def descriptions(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    for i, line in enumerate(enc.service_lines):
        if needs_description(line.procedure_code) and not line.description:
            yield fire(
                DESCRIPTION_MISSING,
                field=line_field(i, "description"),
                line=i + 1,
                code=line.procedure_code,
            )


@check
def medicare(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    """A function, not a generator: most claims are not billed to Medicare Part B."""
    if enc.payer.claim_filing_indicator != "MB":
        return ()
    return _medicare(enc)


def _medicare(enc: Any) -> Iterator[Finding]:
    if enc.patient is not None:
        yield fire(MEDICARE_PATIENT_LOOP)
    if enc.frequency_code in ("7", "8"):
        yield fire(MEDICARE_FREQUENCY, frequency=enc.frequency_code)
    vaccines = {
        line.service_date: (line.procedure_code, found)
        for line in enc.service_lines
        if (found := medicare_vaccine(line.procedure_code))
    }
    for i, line in enumerate(enc.service_lines):
        given = vaccines.get(line.service_date)
        if line.procedure_code in VACCINE_ADMINISTRATION and given:
            vaccine, (kind, admin) = given
            yield fire(
                MEDICARE_VACCINE,
                field=line_field(i, "procedure_code"),
                line=i + 1,
                code=line.procedure_code,
                vaccine=vaccine,
                kind=kind,
                admin=admin,
            )
