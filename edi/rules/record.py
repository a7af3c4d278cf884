"""Record-level rules: what one encounter record must satisfy before any claim logic.

Pydantic does the value checks of :mod:`edi.claims.models`; this module turns each of its
errors into a finding of a stable rule, with the field path, a plain message that never
echoes the value (it may be a name or a birth date) and a fix.  The cross-field record
rules (PO box, ZIP+4, pointers, frequency 7/8) are registered checks here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from edi.claims.models import (
    MAX_AMOUNT_DIGITS,
    MAX_PROFESSIONAL_DIAGNOSES,
)
from edi.guides.locations import max_length, x12_location
from edi.rules import snip5_codes
from edi.rules.common import ADDRESS_PARTS, addresses, per_claim, total_charge
from edi.rules.registry import CheckContext, Finding, Owner, Rule, check, fire, register
from edi.x12.text import text_cleaner, x12_text, x12_text_drops, x12_text_safe

_R = register

RECORD_JSON = _R(
    Rule(
        "SNIP1.RECORD.JSON",
        1,
        "reject",
        "billing",
        "the line is not a JSON object: {reason}",
        "Re-export the encounter; each line of an NDJSON file must be one JSON object",
    )
)
RECORD_CSV = _R(
    Rule(
        "SNIP1.RECORD.CSV",
        1,
        "reject",
        "billing",
        "the row cannot be read: {reason}",
        "Check the CSV header names and the row's column count against encounter-v1",
    )
)
FILE_UNREADABLE = _R(
    Rule(
        "SNIP1.FILE.NOT_READ",
        1,
        "reject",
        "billing",
        "the rest of the file cannot be read: {reason}",
        "Re-export the file as UTF-8 NDJSON, CSV or Parquet (encounter-v1); the records "
        "before this point were read and are reported on their own",
    )
)
RECORD_UNCHECKED = _R(
    Rule(
        "SNIP1.RECORD.UNCHECKED",
        1,
        "reject",
        "billing",
        "the record could not be checked ({error}); it was not sent",
        "Report this record's file and line to the claims-pipeline maintainers",
    )
)
REQUIRED = _R(
    Rule(
        "SNIP2.FIELD.REQUIRED",
        2,
        "reject",
        "billing",
        "{label} is missing",
        "Fill {field} in the source system; the claim cannot be sent without it",
    )
)
FORMAT = _R(
    Rule(
        "SNIP1.FIELD.FORMAT",
        1,
        "reject",
        "billing",
        "{label} has the wrong format",
        "Correct {field}: {hint}",
    )
)
LENGTH = _R(
    Rule(
        "SNIP2.FIELD.LENGTH",
        2,
        "reject",
        "billing",
        "{label} is too long or too short",
        "Correct {field}: {hint}",
    )
)
CODE = _R(
    Rule(
        "SNIP2.FIELD.CODE",
        2,
        "reject",
        "billing",
        "{label} is not one of the allowed codes",
        "Use one of: {allowed}",
    )
)
REPEAT = _R(
    Rule(
        "SNIP2.FIELD.REPEAT",
        2,
        "reject",
        "billing",
        "{label} has too many or too few entries",
        "Correct {field}: {hint}",
    )
)
DATE = _R(
    Rule(
        "SNIP1.FIELD.DATE",
        1,
        "reject",
        "billing",
        "{label} is not a real calendar date",
        "Write {field} as YYYY-MM-DD",
    )
)
NUMBER = _R(
    Rule(
        "SNIP1.FIELD.NUMBER",
        1,
        "reject",
        "billing",
        "{label} is not a valid number",
        "Correct {field}: {hint}",
    )
)
TYPE = _R(
    Rule(
        "SNIP1.FIELD.TYPE",
        1,
        "reject",
        "billing",
        "{label} has the wrong type",
        "Correct {field}: {hint}",
    )
)
MONEY_SCALE = _R(
    Rule(
        "SNIP1.MONEY.SCALE",
        1,
        "reject",
        "billing",
        "{label} has more than 2 decimals",
        'Round {field} to cents, e.g. "150.00"',
    )
)
MONEY_FLOAT = _R(
    Rule(
        "SNIP1.MONEY.FLOAT",
        1,
        "reject",
        "billing",
        "{label} is a floating-point number",
        'Export {field} as a decimal string, e.g. "150.00"',
    )
)
MONEY_POSITIVE = _R(
    Rule(
        "SNIP2.MONEY.POSITIVE",
        2,
        "reject",
        "billing",
        "{label} must be more than zero",
        "Enter the line's billed charge in {field}; only CPT Category II codes (NNNNF) may "
        "be billed at 0.00",
    )
)
MONEY_FORMAT = _R(
    Rule(
        "SNIP1.MONEY.FORMAT",
        1,
        "reject",
        "billing",
        "{label} is not a plain decimal number",
        'Write {field} with ASCII digits and at most one dot, e.g. "150.00" '
        "(no exponent, no digit separators)",
    )
)
MONEY_SIZE = _R(
    Rule(
        "SNIP2.MONEY.SIZE",
        2,
        "reject",
        "billing",
        "{label} has more than 18 digits (cents included), more than an 837P amount holds",
        "Check {field}: the charge is mistyped",
    )
)
CLAIM_TOTAL_SIZE = _R(
    Rule(
        "SNIP2.CLM02.SIZE",
        2,
        "reject",
        "billing",
        "the claim total has more than 18 digits (cents included), more than CLM02 holds",
        "Check the service lines' charges; split the claim if they are right",
        "2300",
        "CLM",
        "CLM02",
        "service_lines",
    )
)
DATE_TOO_EARLY = _R(
    Rule(
        "SNIP4.DATE.IMPLAUSIBLE",
        4,
        "reject",
        "billing",
        "{label} is before 1900-01-01",
        "Correct {field}: enter the real date as YYYY-MM-DD",
    )
)
TEXT_CHANGED = _R(
    Rule(
        "SNIP1.TEXT.CHANGED",
        1,
        "warn",
        "billing",
        "{label} holds characters an X12 file cannot carry (separators or control "
        "characters); the claim was sent without them",
        "Check {field} in the source system: the value sent differs from the one entered",
    )
)
TEXT_TOO_LONG = _R(
    Rule(
        "SNIP2.TEXT.TOO_LONG",
        2,
        "reject",
        "billing",
        "{label} is {length} characters once written as X12 text (symbols and letters of "
        "other alphabets are spelled out), more than the {most} the 837P allows",
        "Shorten {field} in the source system, or spell it in plain letters",
    )
)
NPI_FORMAT = _R(
    Rule(
        "SNIP5.NPI.FORMAT",
        5,
        "reject",
        "billing",
        "{label} is not 10 digits",
        "Enter the provider's 10-digit NPI from NPPES in {field}",
        "2010AA",
        "NM1",
        "NM109",
    )
)
NPI_LUHN = _R(
    Rule(
        "SNIP5.NPI.LUHN",
        5,
        "reject",
        "billing",
        "{label} fails the NPI check digit",
        "Look the NPI up in NPPES; a digit is mistyped",
        "2010AA",
        "NM1",
        "NM109",
    )
)
ZIP = _R(
    Rule(
        "SNIP5.ZIP.FORMAT",
        5,
        "reject",
        "front_desk",
        "{label} is not a 5- or 9-digit ZIP code",
        "Write {field} as 12345 or 12345-6789",
    )
)
ICD_FORMAT = _R(
    Rule(
        "SNIP5.ICD10.FORMAT",
        5,
        "reject",
        "coder",
        "{label} is not shaped like an ICD-10-CM code",
        "Use a code like E11.9 or E119",
        "2300",
        "HI",
    )
)
PROVIDER_NAME = _R(
    Rule(
        "SNIP2.PROVIDER.NAME",
        2,
        "reject",
        "billing",
        "{label} has no name",
        "Give organization_name, or last_name and first_name",
    )
)
PROVIDER_PERSON = _R(
    Rule(
        "SNIP2.PROVIDER.PERSON",
        2,
        "reject",
        "billing",
        "{label} must be a person (the 837P sends NM102 1 for supervising and ordering "
        "providers), and has no last_name and first_name",
        "Give the provider's last_name and first_name as on their NPPES record",
    )
)
ATTACHMENT_CONTROL = _R(
    Rule(
        "SNIP4.ATTACHMENT.CONTROL_NUMBER",
        4,
        "reject",
        "billing",
        "an attachment sent to the payer (PWK02 not AA) needs its control number (PWK06)",
        "Fill attachment.control_number with the number written on the paperwork's cover "
        "sheet, or set transmission AA when the paperwork stays at the practice",
        "2300",
        "PWK",
        "PWK06",
        "attachment.control_number",
    )
)
DATE_RANGE = _R(
    Rule(
        "SNIP4.DATE.RANGE",
        4,
        "reject",
        "coder",
        "{label}: the service end date is before the start date",
        "Correct service_date / service_date_end",
        "2400",
        "DTP",
        "DTP03",
    )
)
NDC_INCOMPLETE = _R(
    Rule(
        "SNIP4.NDC.INCOMPLETE",
        4,
        "reject",
        "coder",
        "{label}: an NDC needs its quantity and unit",
        "Fill ndc_quantity and ndc_unit",
        "2410",
        "CTP",
    )
)
DUPLICATE = _R(
    Rule(
        "SNIP2.ENCOUNTER.DUPLICATE",
        2,
        "reject",
        "billing",
        "encounter {encounter_id} appears more than once in this batch (first at {first})",
        "Keep one record per encounter_id; IDs that differ only in case are the same claim",
    )
)
BILLING_PO_BOX = _R(
    Rule(
        "SNIP2.BILLING.PO_BOX",
        2,
        "reject",
        "billing",
        "the billing provider address is a PO box",
        "Use the practice's street address; put a PO box in pay_to_address",
        "2010AA",
        "N3",
    )
)
BILLING_ZIP4 = _R(
    Rule(
        "SNIP2.BILLING.ZIP4",
        2,
        "reject",
        "billing",
        "the billing provider ZIP code has 5 digits; the 837 needs all 9",
        "Enter the ZIP+4 of the billing address (USPS lookup)",
        "2010AA",
        "N4",
        "N403",
    )
)
POINTER = _R(
    Rule(
        "SNIP3.DX_POINTER.RANGE",
        3,
        "reject",
        "coder",
        "line {line} points to diagnosis {pointer}, but the claim has {count}",
        "Point each line only at diagnoses listed on the claim",
        "2400",
        "SV1",
        "SV107",
    )
)
ORIGINAL_MISSING = _R(
    Rule(
        "SNIP4.FREQUENCY.ORIGINAL_MISSING",
        4,
        "reject",
        "billing",
        "a replacement or void (frequency {frequency}) needs the payer's original claim number",
        "Fill original_payer_claim_number from the 835 (CLP07)",
        "2300",
        "REF",
        "REF02",
    )
)

CLM01_FORMAT = _R(
    Rule(
        "SNIP2.CLM01.FORMAT",
        2,
        "reject",
        "billing",
        "the encounter ID (CLM01) must be 1 to 20 letters, digits or dashes",
        "Shorten or clean encounter_id in the source system; payers return only 20 characters",
        "2300",
        "CLM",
        "CLM01",
        "encounter_id",
    )
)
REF6R_LENGTH = _R(
    Rule(
        "SNIP2.REF6R.LENGTH",
        2,
        "reject",
        "billing",
        "{label}: the line control number (REF*6R) is longer than 30 characters",
        "Shorten line_id to at most 30 characters",
        "2400",
        "REF",
        "REF02",
    )
)
HI_COUNT = _R(
    Rule(
        "SNIP2.HI.COUNT",
        2,
        "reject",
        "coder",
        "the claim lists more than {most} diagnoses; the {form} carries at most {most}",
        "Keep the {most} diagnoses the claim's lines need most; split the claim if more are needed",
        "2300",
        "HI",
        None,
        "diagnoses",
    )
)
POINTER_COUNT = _R(
    Rule(
        "SNIP2.SV1.POINTER_COUNT",
        2,
        "reject",
        "coder",
        "{label}: a service line may point to at most 4 diagnoses",
        "Keep the 4 diagnoses that best support the service, most important first",
        "2400",
        "SV1",
        "SV107",
    )
)
ACCIDENT_DATE = _R(
    Rule(
        "SNIP4.ACCIDENT.DATE",
        4,
        "reject",
        "front_desk",
        "an accident is reported without its date (DTP*439)",
        "Ask the patient for the accident date and fill accident.date",
        "2300",
        "DTP",
        "DTP03",
        "accident.date",
    )
)

_BY_FIELD: dict[tuple[str, str], Rule] = {
    ("encounter_id", "string_pattern_mismatch"): CLM01_FORMAT,
    ("encounter_id", "missing"): CLM01_FORMAT,
    ("line_id", "string_too_long"): REF6R_LENGTH,
    ("diagnoses", "too_long"): HI_COUNT,
    ("diagnosis_pointers", "too_long"): POINTER_COUNT,
    ("accident.date", "missing"): ACCIDENT_DATE,
    ("taxonomy_code", "string_pattern_mismatch"): snip5_codes.TAXONOMY_FORMAT,
    ("state", "string_pattern_mismatch"): snip5_codes.STATE_INVALID,
    **{
        (name, "greater_than_equal"): DATE_TOO_EARLY
        for name in ("birth_date", "service_date", "service_date_end", "onset_date", "date")
    },
}
"""Errors on these fields are named rules of their own, not the generic format rules."""

_BY_TYPE: dict[str, Rule] = {
    "missing": REQUIRED,
    "too_short": REPEAT,
    "too_long": REPEAT,
    "string_too_short": LENGTH,
    "string_too_long": LENGTH,
    "string_pattern_mismatch": FORMAT,
    "literal_error": CODE,
    "enum": CODE,
    "money_scale": MONEY_SCALE,
    "decimal_max_places": MONEY_SCALE,
    "money_float": MONEY_FLOAT,
    "money_format": MONEY_FORMAT,
    "money_size": MONEY_SIZE,
    "number_format": NUMBER,
    "quantity_range": NUMBER,
    "date_format": DATE,
    "money_positive": MONEY_POSITIVE,
    "units_range": NUMBER,
    "npi_format": NPI_FORMAT,
    "npi_luhn": NPI_LUHN,
    "zip_format": ZIP,
    "icd10_format": ICD_FORMAT,
    "provider_name": PROVIDER_NAME,
    "provider_person": PROVIDER_PERSON,
    "attachment_control": ATTACHMENT_CONTROL,
    "date_range": DATE_RANGE,
    "ndc_incomplete": NDC_INCOMPLETE,
}

HINTS = {
    "encounter_id": "1 to 20 letters, digits or dashes",
    "place_of_service": "a 2-digit CMS place-of-service code such as 11",
    "procedure_code": "5 characters, e.g. 99213 or J1100",
    "modifiers": "up to 4 two-character modifiers, e.g. 25",
    "taxonomy_code": "10 characters ending in X, e.g. 207Q00000X",
    "contact_phone": "10 digits, no punctuation",
    "tax_id": "9 digits",
    "state": "a two-letter state code",
    "ndc": "11 digits (5-4-2)",
    "units": "a number above zero with at most 3 decimals",
    "diagnosis_pointers": "1 to 4 numbers, each 1 to 12",
    "diagnoses": "1 to 12 ICD-10-CM codes",
    "service_lines": "1 to 50 service lines",
    "charge": "a decimal string above zero with 2 decimals",
    "ndc_quantity": "a number above zero with at most 15 digits",
}

_FRONT_DESK = ("subscriber", "patient", "payer")
_CODER = (
    "diagnoses",
    "procedure_code",
    "modifiers",
    "diagnosis_pointers",
    "units",
    "ndc",
    "unit_type",
    "code_set",
    "place_of_service",
    "accident",
    "onset_date",
)


def field_path(loc: Iterable[Any]) -> str:
    """``('service_lines', 1, 'charge')`` → ``service_lines[1].charge``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith(("function-", "constrained-", "lax-", "json-")):
            out += f".{part}" if out else part
    return out


def _label(path: str) -> str:
    m = re.fullmatch(r"service_lines\[(\d+)\]\.?(.*)", path)
    if m:
        rest = m.group(2).replace("_", " ") or "the line"
        return f"service line {int(m.group(1)) + 1}: {rest}"
    m = re.fullmatch(r"diagnoses\[(\d+)\]", path)
    if m:
        return f"diagnosis {int(m.group(1)) + 1}"
    return path.replace("_", " ").replace(".", " ") or "the record"


def _owner(path: str, rule: Rule) -> Owner:
    if rule.owner != "billing":
        return rule.owner
    last = re.sub(r"\[\d+\]", "", path).split(".")
    if last[0] in _FRONT_DESK:
        return "front_desk"
    if any(part in _CODER for part in last):
        return "coder"
    return "billing"


def findings_from_error(
    error: ValidationError, encounter_id: str | None, source: str | None
) -> list[Finding]:
    """One finding per pydantic error, never echoing the offending value."""
    out = []
    for err in error.errors(include_url=False, include_input=False):
        path = field_path(err["loc"])
        bare = re.sub(r"\[\d+\]", "", path)
        rule = next(
            (
                r
                for (suffix, kind), r in _BY_FIELD.items()
                if kind == err["type"] and (bare == suffix or bare.endswith("." + suffix))
            ),
            None,
        ) or _BY_TYPE.get(err["type"])
        if rule is None:
            rule = (
                DATE
                if "date" in err["type"]
                else (
                    NUMBER
                    if err["type"].startswith(("decimal", "int", "float", "greater", "less"))
                    else TYPE
                )
            )
        leaf = re.sub(r"\[\d+\]", "", path).rsplit(".", 1)[-1]
        ctx = err.get("ctx") or {}
        allowed = ctx.get("expected", "").replace("'", "")
        f = fire(
            rule,
            field=path,
            encounter_id=encounter_id,
            source=source,
            owner=_owner(path, rule),
            location=None if rule.loop else x12_location(path),
            label=_label(path),
            allowed=allowed,
            hint=HINTS.get(leaf, err["msg"].lower()),
            **(_diagnosis_limit(ctx) if rule is HI_COUNT else {}),
        )
        out.append(f)
    return out


def _diagnosis_limit(ctx: dict[str, Any]) -> dict[str, Any]:
    """Which form's limit a claim passed (``SNIP2.HI.COUNT``), as the encounter model's
    check of ``diagnoses`` names it (the 837I's two HI hold 25, the 837P's one HI 12)."""
    return {"most": ctx.get("max_length", MAX_PROFESSIONAL_DIAGNOSES),
            "form": ctx.get("form", "837P")}  # fmt: skip


@check
def billing_address(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    address = enc.billing_provider.address
    if address.is_po_box:
        yield fire(BILLING_PO_BOX, field="billing_provider.address.line1")
    if len(address.postal_code) != 9:
        yield fire(BILLING_ZIP4, field="billing_provider.address.postal_code")


@check
def pointers(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    count = len(enc.diagnoses)
    for i, line in enumerate(enc.service_lines):
        for pointer in line.diagnosis_pointers:
            if pointer > count:
                yield fire(
                    POINTER,
                    field=f"service_lines[{i}].diagnosis_pointers",
                    line=i + 1,
                    pointer=pointer,
                    count=count,
                )


@check
def frequency_original(enc: Any, ctx: CheckContext) -> tuple[Finding, ...]:
    if enc.frequency_code in ("7", "8") and not enc.original_payer_claim_number:
        return (
            fire(
                ORIGINAL_MISSING, field="original_payer_claim_number", frequency=enc.frequency_code
            ),
        )
    return ()


UNREPRESENTABLE = _R(
    Rule(
        "SNIP1.TEXT.UNREPRESENTABLE",
        1,
        "reject",
        "front_desk",
        "{label} has no letters or digits that an X12 file can carry",
        "Enter {field} in Latin letters (accents are fine; they are sent without them)",
    )
)

_REQUIRED_TEXT = (
    ("billing_provider", ("organization_name", "last_name", "first_name")),
    ("rendering_provider", ("organization_name", "last_name", "first_name")),
    ("referring_provider", ("organization_name", "last_name", "first_name")),
    ("service_facility", ("name",)),
    ("payer", ("name",)),
    ("subscriber", ("last_name", "first_name")),
    ("patient", ("last_name", "first_name")),
)


_CLEANED = text_cleaner()
"""Text as the builder writes it, memoised: claims repeat their provider, payer and
place names, and every claim's names and addresses are looked at."""


@check
def representable_text(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    """Required text that X12 normalisation would empty (e.g. a name in CJK script), or
    shorten below what its element needs (a one-letter city).  A function, not a
    generator: the usual claim is answered by one memoised test."""
    if _text_safe(enc, ctx):
        return ()  # cleaning changes only case: every value keeps the length the model checked
    return _unrepresentable(enc, ctx)


def _unrepresentable(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    for part, names in _REQUIRED_PATHS:
        obj = getattr(enc, part)
        if obj is not None:
            values = obj.__dict__  # the model's fields; getattr is slow for absent ones
            for name, path in names:
                if (value := values.get(name)) and not _CLEANED(value):
                    yield fire(UNREPRESENTABLE, field=path, label=_label(path))
    for part, address in addresses(enc, ctx).items():
        values = address.__dict__
        for name, path, shortest in _REQUIRED_ADDRESS_PATHS[part]:
            if (value := values.get(name)) and len(_CLEANED(value)) < shortest:
                yield fire(UNREPRESENTABLE, field=path, label=_label(path))


@check
def claim_total_size(enc: Any, ctx: CheckContext) -> tuple[Finding, ...]:
    """Each charge fits SV102; their sum must fit CLM02 too (both ``R`` 1/18).

    Every charge is in cents (``Money`` quantizes it), so their sum is too, and its digits
    are its adjusted exponent plus 3 (``0.00`` has one: the model's own size test)."""
    if total_charge(enc, ctx).adjusted() + 3 > MAX_AMOUNT_DIGITS:
        return (fire(CLAIM_TOTAL_SIZE),)
    return ()


_PERSON_TEXT = ("organization_name", "last_name", "first_name", "middle_name", "suffix")
_CLAIM_TEXT = ("prior_authorization", "original_payer_claim_number")
_FREE_TEXT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", _CLAIM_TEXT),
    ("billing_provider", (*_PERSON_TEXT, "contact_name")),
    ("rendering_provider", _PERSON_TEXT),
    ("referring_provider", _PERSON_TEXT),
    ("service_facility", ("name",)),
    ("payer", ("payer_id", "name")),
    ("subscriber", (*_PERSON_TEXT, "member_id", "group_number")),
    ("patient", _PERSON_TEXT),
)
_ADDRESS_TEXT = ("line1", "line2", "city")


@check
def text_changed(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    """Free text that cleaning for X12 changes beyond case and accents: a warning naming
    the field (never the value), so a mangled authorization number is looked at; and a
    refusal when the cleaned text outgrows its element (``½`` is written ``12``).  A
    function, not a generator, as :func:`representable_text` is."""
    if _text_safe(enc, ctx):
        return ()
    return _changed(enc, ctx)


def _changed(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    for path, value in _free_text(enc, ctx).items():
        if x12_text_safe(value):
            continue
        if x12_text_drops(value):
            yield fire(TEXT_CHANGED, field=path, label=_label(path))
        most = max_length(path)
        if most and (length := len(x12_text(value))) > most:
            yield fire(TEXT_TOO_LONG, field=path, label=_label(path), length=length, most=most)


_PART_TEXT = tuple((part, names) for part, names in _FREE_TEXT if part)
_TEXT_PATHS = tuple(
    (part, tuple((name, f"{part}.{name}" if part else name) for name in names))
    for part, names in _FREE_TEXT
)
_REQUIRED_PATHS = tuple(
    (part, tuple((name, f"{part}.{name}") for name in names)) for part, names in _REQUIRED_TEXT
)
_REQUIRED_ADDRESS_PATHS = {
    part: tuple((name, f"{part}{'' if part == 'pay_to_address' else '.address'}.{name}", shortest)
                for name, shortest in (("line1", 1), ("city", 2)))
    for part in ADDRESS_PARTS
}  # fmt: skip
_ADDRESS_PATHS = {
    part: tuple((name, f"{part}{'' if part == 'pay_to_address' else '.address'}.{name}")
                for name in _ADDRESS_TEXT)
    for part in ADDRESS_PARTS
}  # fmt: skip


_SHARED_TEXT = ("billing_provider", "rendering_provider", "referring_provider", "service_facility",
                "payer", "pay_to_address")  # fmt: skip
"""The parts whose model a file's claims share (one model for all the claims with the same
billing provider, payer...: see ``file_validation``)."""
_OWN_TEXT = tuple((part, names) for part, names in _PART_TEXT if part not in _SHARED_TEXT)
_SHARED_PART_TEXT = (
    *((part, names, part in ADDRESS_PARTS) for part, names in _PART_TEXT if part in _SHARED_TEXT),
    ("pay_to_address", _ADDRESS_TEXT, False),
)
"""Each shared part, the names of its free texts, and whether its address is one of the
claim's addresses (the payer's is not)."""
_SAFE_PARTS: dict[str, dict[int, tuple[Any, bool]]] = {part: {} for part in _SHARED_TEXT}
_SAFE_PARTS_MAX = 4096


@per_claim
def _text_safe(enc: Any, ctx: CheckContext) -> bool:
    """Whether cleaning for X12 leaves every free-text value of the claim as it is but for
    case (the usual claim): one match for all, which two checks ask.

    The values are those of :func:`_free_text`, without their paths, which only a claim
    that fails needs; they are read from the models' ``__dict__`` (``map`` of ``dict.get``
    runs in C, and reading a model's attribute costs several dictionary lookups).  The test
    is one of characters and of single inner spaces, so the texts are safe together when
    each part's are: the parts a file's claims share are tested once (:func:`_part_safe`).
    """
    values = enc.__dict__
    texts = [values.get(name) for name in _CLAIM_TEXT]
    for part, names in _OWN_TEXT:
        if (obj := values.get(part)) is not None:
            texts += map(obj.__dict__.get, names)
    found = addresses(enc, ctx)
    for part, _ in _OWN_TEXT:
        if (address := found.get(part)) is not None:
            texts += map(address.__dict__.get, _ADDRESS_TEXT)
    texts += [line.line_id for line in enc.service_lines]
    if not x12_text_safe(" ".join(filter(None, texts))):
        return False
    for part, names, with_address in _SHARED_PART_TEXT:
        if (obj := values.get(part)) is not None and not _part_safe(part, obj, names, with_address):
            return False
    return True


def _part_safe(part: str, obj: Any, names: tuple[str, ...], with_address: bool) -> bool:
    """:func:`_text_safe` of one shared part, worked out once per model: models are frozen,
    so a model's identity is a safe key while the memo keeps it."""
    memo = _SAFE_PARTS[part]
    known = memo.get(id(obj))
    if known is not None and known[0] is obj:
        return known[1]
    values = obj.__dict__
    texts = list(map(values.get, names))
    if with_address:
        texts += map(values["address"].__dict__.get, _ADDRESS_TEXT)
    safe = x12_text_safe(" ".join(filter(None, texts)))
    if len(memo) >= _SAFE_PARTS_MAX:
        memo.clear()
    memo[id(obj)] = (obj, safe)
    return safe


def _free_text(enc: Any, ctx: CheckContext) -> dict[str, str]:
    """Field path → value of every free-text field the claim carries."""
    texts = {}
    for part, names in _TEXT_PATHS:
        obj = getattr(enc, part) if part else enc
        if obj is not None:
            values = obj.__dict__  # the model's fields; getattr is slow for absent ones
            for name, path in names:
                if value := values.get(name):
                    texts[path] = value
    for part, address in addresses(enc, ctx).items():
        values = address.__dict__
        for name, path in _ADDRESS_PATHS[part]:
            if value := values.get(name):
                texts[path] = value
    for i, line in enumerate(enc.service_lines):
        if line.line_id:
            texts[f"service_lines[{i}].line_id"] = line.line_id
    return texts
