"""SNIP level 5: every code is one the external code set knows, on the date of service.

ICD-10-CM is checked against the release in force on the claim's first date of service
(the finding names it), and only from 2015-10-01: earlier claims are coded in ICD-9-CM,
which files may carry and which is checked for format only.  CPT is checked by shape and
Category I range unless the user supplies the licensed list; HCPCS Level II by shape, and
by existence with the CMS quarterly file; places of service and states against pyx12's
lists.  NPI check digits and ZIP shapes
are value checks of the model (:mod:`edi.rules.record`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from edi.codesets.icd10cm_specificity import ranked
from edi.codesets.procedures import in_category_i_range, procedure_kind
from edi.rules.common import (
    addresses,
    code_sets,
    dotted,
    icd_release,
    line_field,
    line_modifiers,
    service_start,
)
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register

ICD_INVALID = _R(
    Rule(
        "SNIP5.ICD10.INVALID",
        5,
        "reject",
        "coder",
        "diagnosis {code} does not exist in {release}",
        "Look the code up in the ICD-10-CM tabular list for the date of service",
        "2300",
        "HI",
        None,
    )
)
ICD_NOT_BILLABLE = _R(
    Rule(
        "SNIP5.ICD10.NOT_BILLABLE",
        5,
        "reject",
        "coder",
        "diagnosis {code} is a category header, not a billable code, in {release}",
        "Code to the highest specificity, e.g. {children}",
        "2300",
        "HI",
        None,
    )
)
ICD_RELEASE_WINDOW = _R(
    Rule(
        "SNIP5.ICD10.RELEASE_WINDOW",
        5,
        "warn",
        "billing",
        "the date of service {dos} is outside {release} (valid {start} to {end}); "
        "diagnoses were checked against it anyway",
        "Supply the CMS ICD-10-CM order file for the fiscal year of the date of service",
        "2300",
        "HI",
        None,
        "diagnoses",
    )
)
ICD_EXTERNAL_CAUSE_FIRST = _R(
    Rule(
        "SNIP5.ICD10.EXTERNAL_CAUSE_PRINCIPAL",
        5,
        "reject",
        "coder",
        "external-cause code {code} cannot be the first diagnosis",
        "List the injury or condition first; external-cause codes (V00-Y99) are secondary",
        "2300",
        "HI",
        "HI01-2",
        "diagnoses[0]",
    )
)
ICD9 = _R(
    Rule(
        "SNIP5.ICD9.NOT_ACCEPTED",
        5,
        "reject",
        "coder",
        "the claim carries {count} ICD-9-CM diagnosis code(s) (HI qualifier BK/BF), but its "
        "date of service {dos} is on or after 2015-10-01, when ICD-10-CM replaced ICD-9-CM",
        "Code the diagnoses in ICD-10-CM (ABK/ABF)",
        "2300",
        "HI",
        "HI01-1",
        "icd9_diagnoses",
    )
)
ICD9_FORMAT_ONLY = _R(
    Rule(
        "SNIP5.ICD9.FORMAT_ONLY",
        5,
        "warn",
        "billing",
        "the date of service {dos} is before 2015-10-01, so the diagnoses are ICD-9-CM; "
        "their {count} code(s) were checked for format only (no ICD-9-CM code list is loaded)",
        "Check the codes against the ICD-9-CM list of the date of service",
        "2300",
        "HI",
        None,
        "icd9_diagnoses",
    )
)
ICD9_FORMAT = _R(
    Rule(
        "SNIP5.ICD9.FORMAT",
        5,
        "reject",
        "coder",
        "diagnosis {code} is not an ICD-9-CM code (3-5 digits, V and 2-4 digits, "
        "or E and 3-4 digits, without the dot)",
        "Correct the code from the ICD-9-CM list of the date of service",
        "2300",
        "HI",
        None,
        "icd9_diagnoses",
    )
)
ICD10_BEFORE = _R(
    Rule(
        "SNIP5.ICD10.BEFORE_ICD10",
        5,
        "reject",
        "coder",
        "diagnosis {code} is ICD-10-CM, but the date of service {dos} is before 2015-10-01, "
        "when ICD-9-CM was still the code set",
        "Code services before 2015-10-01 in ICD-9-CM (BK/BF), or check the date of service",
        "2300",
        "HI",
        None,
    )
)
CPT_FORMAT = _R(
    Rule(
        "SNIP5.CPT.FORMAT",
        5,
        "reject",
        "coder",
        "line {line}: procedure {code} is not a CPT code (5 digits, or 4 digits and F, T or U)",
        "Correct procedure_code; HCPCS Level II codes need code_set HCPCS",
        "2400",
        "SV1",
        "SV101-2",
    )
)
CPT_RANGE = _R(
    Rule(
        "SNIP5.CPT.RANGE",
        5,
        "reject",
        "coder",
        "line {line}: {code} is outside every CPT Category I section",
        "Correct procedure_code; Category I codes run 00100-01999, 10004-99607",
        "2400",
        "SV1",
        "SV101-2",
    )
)
CPT_UNKNOWN = _R(
    Rule(
        "SNIP5.CPT.UNKNOWN",
        5,
        "reject",
        "coder",
        "line {line}: CPT {code} is not in the licensed CPT file supplied ({source})",
        "Check the code against the current CPT book; deleted codes are rejected",
        "2400",
        "SV1",
        "SV101-2",
    )
)
HCPCS_FORMAT = _R(
    Rule(
        "SNIP5.HCPCS.FORMAT",
        5,
        "reject",
        "coder",
        "line {line}: {code} is not a HCPCS Level II code (a letter A-V and 4 digits)",
        "Correct procedure_code, or set code_set CPT for a CPT code",
        "2400",
        "SV1",
        "SV101-2",
    )
)
HCPCS_UNKNOWN = _R(
    Rule(
        "SNIP5.HCPCS.UNKNOWN",
        5,
        "reject",
        "coder",
        "line {line}: HCPCS {code} is not in the CMS HCPCS file supplied ({source})",
        "Check the code in the current HCPCS quarterly release; it may be deleted",
        "2400",
        "SV1",
        "SV101-2",
    )
)
CODE_SET_MISMATCH = _R(
    Rule(
        "SNIP5.PROCEDURE.CODE_SET",
        5,
        "warn",
        "coder",
        "line {line}: {code} is a {kind} code but code_set says {declared}",
        "Set code_set to match the code",
        "2400",
        "SV1",
        "SV101-2",
    )
)
MODIFIER_UNKNOWN = _R(
    Rule(
        "SNIP5.MODIFIER.UNKNOWN",
        5,
        "reject",
        "coder",
        "line {line}: modifier {modifier} is not in the CMS HCPCS file supplied ({source})",
        "Use a current CPT or HCPCS modifier",
        "2400",
        "SV1",
        "SV101-3",
    )
)
MODIFIER_REPEATED = _R(
    Rule(
        "SNIP5.MODIFIER.REPEATED",
        5,
        "reject",
        "coder",
        "line {line}: modifier {modifier} is given more than once",
        "List each modifier once",
        "2400",
        "SV1",
        "SV101-3",
    )
)
POS_INVALID = _R(
    Rule(
        "SNIP5.POS.INVALID",
        5,
        "reject",
        "coder",
        "place of service {code} is not on the CMS place-of-service list",
        "Use a CMS place-of-service code, e.g. 11 office, 02 telehealth, 22 outpatient hospital",
        "2300",
        "CLM",
        "CLM05-1",
    )
)
STATE_INVALID = _R(
    Rule(
        "SNIP5.STATE.INVALID",
        5,
        "reject",
        "front_desk",
        "{label} is not a US state or territory code",
        "Use the two-letter USPS code, e.g. IL",
        None,
        "N4",
        "N402",
    )
)
TAXONOMY_FORMAT = _R(
    Rule(
        "SNIP5.TAXONOMY.FORMAT",
        5,
        "reject",
        "billing",
        "{label} is not a provider taxonomy code (10 characters ending in X)",
        "Copy the taxonomy code from the provider's NPPES record, e.g. 207Q00000X",
        None,
        "PRV",
        "PRV03",
    )
)


ICD10_START = date(2015, 10, 1)
"""The first date of service coded in ICD-10-CM; earlier ones are coded in ICD-9-CM."""
_ICD9_SHAPE = re.compile(r"\d{3,5}|V\d{2,4}|E\d{3,4}")


@check
def icd9(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    """Only claims read from files can carry ICD-9 (the encounter model refuses it).

    The code set is the one of the claim's first date of service: ICD-9-CM codes are
    wrong from 2015-10-01 and right before; with no ICD-9-CM list at hand, their format is
    all that can be checked, and the finding says so.
    """
    count = enc.__dict__.get("icd9_diagnoses", 0)
    if not count:
        return ()  # a function, not a generator: the usual claim has none
    return _icd9(enc, ctx, count)


def _icd9(enc: Any, ctx: CheckContext, count: int) -> Iterator[Finding]:
    first_dos = service_start(enc, ctx)
    if first_dos >= ICD10_START:
        yield fire(ICD9, count=count, dos=first_dos.isoformat())
        return
    yield fire(ICD9_FORMAT_ONLY, count=count, dos=first_dos.isoformat())
    for code in enc.__dict__.get("icd9_codes", ()):
        if not _ICD9_SHAPE.fullmatch(code):
            yield fire(ICD9_FORMAT, code=code)


@check
def diagnoses(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    first_dos = service_start(enc, ctx)
    if first_dos < ICD10_START:
        for i, code in enumerate(enc.diagnoses):
            yield fire(
                ICD10_BEFORE,
                field=f"diagnoses[{i}]",
                location=("2300", "HI", f"HI{i + 1:02d}-2"),
                code=dotted(code),
                dos=first_dos.isoformat(),
            )
        return
    release, covered = icd_release(enc, ctx)
    if not covered:
        yield _outside_release(release, first_dos)
    first = enc.diagnoses[0]
    if first[:1] in ("V", "W", "X", "Y"):
        yield fire(ICD_EXTERNAL_CAUSE_FIRST, code=dotted(first))
    for i, code in enumerate(enc.diagnoses):
        yield from _diagnosis(release, code, i)


@lru_cache(maxsize=1024)
def _outside_release(release: Any, dos: date) -> Finding:
    return fire(
        ICD_RELEASE_WINDOW,
        dos=dos.isoformat(),
        release=release.name,
        start=release.valid_from.isoformat(),
        end=release.valid_to.isoformat(),
    )


@lru_cache(maxsize=65536)
def _diagnosis(release: Any, code: str, index: int) -> tuple[Finding, ...]:
    """The findings of one diagnosis in one position: findings are immutable and batches
    repeat the same codes, so each is worked out once per process."""
    field = f"diagnoses[{index}]"
    where = ("2300", "HI", f"HI{index + 1:02d}-2")
    item = release.lookup(code)
    if item is None:
        return (
            fire(ICD_INVALID, field=field, location=where, code=dotted(code), release=release.name),
        )
    if not item.billable:
        children = ", ".join(dotted(c.code) for c in _children(release, code)[:3]) or "-"
        return (
            fire(
                ICD_NOT_BILLABLE,
                field=field,
                location=where,
                code=dotted(code),
                release=release.name,
                children=children,
            ),
        )
    return ()


def _children(release: Any, code: str) -> list[Any]:
    """Billable codes under a header, the closest in description first (not merely the
    first codes of its category: E11.4 is answered with E11.40..., never E11.00)."""
    item = release.lookup(code)
    below = [c for c in release.category(code) if c.code.startswith(code)]
    return ranked(below, item.description) if item else below


_KIND_NAMES = {
    "cpt_category_i": "CPT",
    "cpt_category_ii": "CPT Category II",
    "cpt_category_iii": "CPT Category III",
    "cpt_pla": "CPT PLA",
    "hcpcs_level_ii": "HCPCS Level II",
}


@check
def procedures(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    sets = code_sets(ctx)
    for i, line in enumerate(enc.service_lines):
        code = line.procedure_code
        kind = procedure_kind(code)
        is_cpt = kind is not None and kind.startswith("cpt")
        if line.code_set == "CPT" and not is_cpt:
            if kind is None:
                yield _on_procedure(CPT_FORMAT, i, code)
                continue
            yield _on_procedure(CODE_SET_MISMATCH, i, code, kind=_KIND_NAMES[kind], declared="CPT")
        elif line.code_set == "HCPCS" and kind != "hcpcs_level_ii":
            if kind is None:
                yield _on_procedure(HCPCS_FORMAT, i, code)
                continue
            yield _on_procedure(
                CODE_SET_MISMATCH, i, code, kind=_KIND_NAMES[kind], declared="HCPCS"
            )
        if kind == "cpt_category_i" and not in_category_i_range(code):
            yield _on_procedure(CPT_RANGE, i, code)
        elif is_cpt and sets.cpt is not None and code not in sets.cpt:
            yield _on_procedure(CPT_UNKNOWN, i, code, source="licensed CPT file")
        elif kind == "hcpcs_level_ii" and sets.hcpcs and code not in sets.hcpcs.procedures:
            yield _on_procedure(HCPCS_UNKNOWN, i, code, source=sets.hcpcs.name)


def _on_procedure(rule: Rule, index: int, code: str, **facts: str) -> Finding:
    """A finding on line ``index``'s procedure code; its field path is made only here,
    since most lines have none."""
    return fire(rule, field=line_field(index, "procedure_code"), line=index + 1, code=code, **facts)


@check
def modifiers(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    """A function, not a generator: half the claims carry no modifier."""
    if not line_modifiers(enc, ctx):
        return ()
    return _modifiers(enc, ctx)


def _modifiers(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    hcpcs = code_sets(ctx).hcpcs
    for i, line in enumerate(enc.service_lines):
        mods = line.modifiers
        if not mods:
            continue
        field = line_field(i, "modifiers")
        if len(set(mods)) != len(mods):
            repeated = next(m for m in mods if mods.count(m) > 1)
            yield fire(MODIFIER_REPEATED, field=field, line=i + 1, modifier=repeated)
        if hcpcs is not None and hcpcs.modifiers:
            for mod in mods:
                if not mod.isdigit() and mod not in hcpcs.modifiers:
                    yield fire(
                        MODIFIER_UNKNOWN, field=field, line=i + 1, modifier=mod, source=hcpcs.name
                    )


@check
def places_of_service(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    valid = code_sets(ctx).places_of_service
    if enc.place_of_service is not None and enc.place_of_service not in valid:
        yield fire(POS_INVALID, field="place_of_service", code=enc.place_of_service)
    for i, line in enumerate(enc.service_lines):
        if line.place_of_service and line.place_of_service not in valid:
            yield fire(
                POS_INVALID,
                field=line_field(i, "place_of_service"),
                location=("2400", "SV1", "SV105"),
                code=line.place_of_service,
            )


_ADDRESSES = (
    ("billing_provider", "2010AA", "the billing provider's state"),
    ("pay_to_address", "2010AB", "the pay-to state"),
    ("subscriber", "2010BA", "the subscriber's state"),
    ("patient", "2010CA", "the patient's state"),
    ("service_facility", "2310C", "the service facility's state"),
)


@check
def states(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    valid = code_sets(ctx).states
    found = addresses(enc, ctx)
    for name, loop, label in _ADDRESSES:
        if (address := found.get(name)) is not None and address.state not in valid:
            field = f"{name}.state" if name == "pay_to_address" else f"{name}.address.state"
            yield fire(STATE_INVALID, field=field, location=(loop, "N4", "N402"), label=label)
    if enc.accident and enc.accident.state and enc.accident.state not in valid:
        yield fire(
            STATE_INVALID,
            field="accident.state",
            location=("2300", "CLM", "CLM11-4"),
            label="the accident state",
        )
