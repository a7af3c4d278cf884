"""The coded encounter, version 1 (``shared/spec/encounter-v1.md``) as pydantic models.

Field constraints here are the record-level checks that can be decided from one value
(shape, length, format, check digits).  Each error type (``npi_luhn``, ``zip_format`` …)
maps to a rule ID in :mod:`edi.rules.record`, so a broken record yields findings, not
exceptions.  Checks that relate several fields (pointers past the diagnoses, frequency 7
without the original claim number) are rules too, so every reason is reported at once.
An encounter becomes exactly one claim; ``claim_type`` selects the builder (837P now,
837I next), so nothing here is professional-only except the service-line shape.
"""

import ast
import inspect
import re
import textwrap
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticKnownError

# -- value types ------------------------------------------------------------------------


def _npi(value: str) -> str:
    if not re.fullmatch(r"\d{10}", value):
        raise PydanticCustomError("npi_format", "an NPI has exactly 10 digits")
    if not npi_is_valid(value):
        raise PydanticCustomError("npi_luhn", "NPI {npi} fails the check digit", {"npi": value})
    return value


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit → digits of 2×digit, summed


@lru_cache(maxsize=4096)
def npi_is_valid(npi: str) -> bool:
    """Luhn over the NPI with the 80840 card-issuer prefix (CMS NPI check-digit rule).

    The prefix always contributes 24; digits 1, 3, 5, 7, 9 are doubled.
    """
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 24 + sum(int(d) for d in npi[1::2]) + sum(_DOUBLED[int(d)] for d in npi[0:9:2])
    return total % 10 == 0


NO_CHARGE = Decimal("0.00")
MAX_AMOUNT_DIGITS = 18
"""The 837P's amounts (CLM02, SV102) are X12 ``R`` 1/18: 18 digits, decimals included."""
EARLIEST_DATE = date(1900, 1, 1)
"""No birth or service date before this is real; an earlier one is a typing error (and
years before 1000 would not even write as 8-digit ``D8`` dates)."""

_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _decimal_text(kind: str) -> Callable[[object], object]:
    """Refuse what ``Decimal`` would take but the contract does not: floats, exponents
    (``1e5``), digit separators (``1_000``), non-ASCII digits (``١٠٠``), NaN."""

    def check(value: object) -> object:
        if isinstance(value, float):
            raise PydanticCustomError("money_float", 'write a decimal string like "150.00"')
        if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value.strip()):
            raise PydanticCustomError(
                f"{kind}_format", "write a plain decimal number with ASCII digits, e.g. 150.00"
            )
        return value

    return check


_AS_DECIMAL = TypeAdapter(Decimal).validate_python
_AS_DATE = TypeAdapter(date).validate_python
"""What a ``Decimal`` or a ``date`` field makes of an input, or its error."""


def _decimal(kind: str, check: Callable[[Decimal], Decimal]) -> BeforeValidator:
    """A decimal field's validator: :func:`_decimal_text`, then ``check`` over what a
    ``Decimal`` field makes of the input.

    One Python call a value (a Before and an After validator cost two, a Wrap validator
    more): the value comes back a finite ``Decimal``, which the field takes as it is; an
    input the field refuses is handed on for the field's own error.  What ``check`` made
    of a value is remembered by its text, which tells ``1.0`` from ``1.00`` (equal
    ``Decimal`` keys would not): a file repeats its amounts (one unit, the same charges),
    and a lookup costs a fifth of the check."""
    refuse = _decimal_text(kind)

    @lru_cache(maxsize=4096)
    def checked(text: str) -> Decimal:
        return check(Decimal(text))

    def validate(value: object) -> object:
        if type(value) is not Decimal:  # a file's amounts are Decimals already
            try:
                value = _AS_DECIMAL(refuse(value))
            except ValidationError:
                return value
        elif not value.is_finite():
            return value
        return checked(str(value))

    return BeforeValidator(validate)


CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise PydanticCustomError("money_format", "money must be a plain decimal number")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise PydanticCustomError("money_scale", "money has at most 2 decimals")
    if value < 0:
        raise PydanticCustomError("money_positive", "amount must be greater than zero")
    if value.adjusted() + 3 > MAX_AMOUNT_DIGITS:  # its digits in cents, as quantized below
        raise PydanticCustomError("money_size", "an 837P amount has at most 18 digits")
    return value.quantize(CENT)  # past 28 digits this would raise: refused above


def _units(value: Decimal) -> Decimal:
    if not value.is_finite() or not 0 < value < 100_000 or value.as_tuple().exponent < -3:  # type: ignore[operator]
        raise PydanticCustomError("units_range", "units must be above 0 with at most 3 decimals")
    return value


def _quantity(value: Decimal) -> Decimal:
    """CTP04 is ``R`` 1/15."""
    if not value.is_finite() or value <= 0 or len(value.as_tuple().digits) > 15:
        raise PydanticCustomError("quantity_range", "a quantity above 0 with at most 15 digits")
    return value


def _plausible_date(value: object) -> object:
    """A date field's validator: ISO ``YYYY-MM-DD`` text (or dates from Parquet), never
    numbers (pydantic would read ``20261120`` as seconds since 1970), not before 1900.

    One Python call a value, as :func:`_decimal`; the bound's error is the one
    ``Field(ge=...)`` gives (which, after a validator, costs a Python call of its own)."""
    if type(value) is date:
        day = value
    elif type(value) is str and _ISO_DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)  # as the field reads such text, in C
        except ValueError:
            return value
    else:
        if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
            raise PydanticCustomError("date_format", "write the date as YYYY-MM-DD")
        if isinstance(value, (int, float)):
            raise PydanticCustomError("date_format", "write the date as YYYY-MM-DD")
        try:
            day = _AS_DATE(value)
        except ValidationError:
            return value
    if day < EARLIEST_DATE:
        raise PydanticKnownError("greater_than_equal", {"ge": repr(EARLIEST_DATE)})
    return day


@lru_cache(maxsize=4096)
def _zip(value: str) -> str:
    digits = value.replace("-", "")
    if not re.fullmatch(r"\d{5}(\d{4})?", digits) or (len(value) == 10 and value[5] != "-"):
        raise PydanticCustomError("zip_format", "ZIP code must be 5 or 9 digits (12345-6789)")
    return digits


@lru_cache(maxsize=8192)
def _icd10(value: str) -> str:
    code = value.strip().upper().replace(".", "")
    if not re.fullmatch(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}", code):
        raise PydanticCustomError(
            "icd10_format", "{code} is not an ICD-10-CM code", {"code": value}
        )
    return code


def _upper(pattern: str) -> Callable[[object], object]:
    """Text upper-cased, then held to ``pattern`` (the error pydantic's ``pattern`` gives):
    a ``pattern`` after a Python validator is checked through one more Python call."""
    matches = re.compile(pattern).fullmatch

    def check(value: object) -> object:
        if not isinstance(value, str):
            return value  # the field's own type refuses it (a number, a list...)
        value = value.strip().upper()
        if not matches(value):
            raise PydanticKnownError("string_pattern_mismatch", {"pattern": pattern})
        return value

    return _remembering_text(check)


def _remembering_text(validate: Callable[[Any], Any]) -> Callable[[object], object]:
    """``validate``, remembering what it made of each text: a file repeats its codes,
    states and dates claim after claim, and looking one up costs a fifth of checking it.

    Errors are not remembered (each bad input raises afresh); inputs other than text,
    some of which cannot be hashed, go to ``validate`` itself."""
    known = lru_cache(maxsize=4096)(validate)

    def remembered(value: object) -> object:
        return known(value) if type(value) is str else validate(value)

    return remembered


def _upper_or_none(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


NPI = Annotated[str, AfterValidator(_npi)]
Money = Annotated[Decimal, _decimal("money", _money)]
Units = Annotated[Decimal, _decimal("number", _units)]
Quantity = Annotated[Decimal, _decimal("number", _quantity)]
Date = Annotated[
    date,
    BeforeValidator(_remembering_text(_plausible_date)),
    Field(json_schema_extra={"ge": str(EARLIEST_DATE)}),
]
"""A plausible ISO date (the schema states its bound as ``Field(ge=...)`` did)."""
Zip = Annotated[str, AfterValidator(_zip)]
State = Annotated[str, BeforeValidator(_upper(r"^[A-Z]{2}$"))]
Name = Annotated[str, Field(min_length=1, max_length=60)]
ICD10 = Annotated[str, AfterValidator(_icd10)]
POS = Annotated[str, Field(pattern=r"^\d{2}$")]
Modifier = Annotated[str, BeforeValidator(_upper(r"^[A-Z0-9]{2}$"))]


def empty_list() -> Any:
    """The default of a list field: a new ``[]`` per model, written ``[]`` in the schema.

    pydantic deep-copies a literal ``= []`` default for every model that lacks the field
    (``copy.deepcopy``, five times a claim); a factory makes the list outright."""
    return Field(default_factory=list, json_schema_extra={"default": []})


def _describe_fields(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Give each field of ``model``'s JSON Schema its attribute docstring as description.

    Pydantic's ``use_attribute_docstrings`` does the same, but when each class is created:
    it reads the source of every model on every import, a sixth of ``claims validate``'s
    start-up, for descriptions only a JSON Schema shows.  The docstring is the one of the
    nearest class that declares the field, as pydantic takes it; an explicit
    ``Field(description=...)`` is kept."""
    properties = schema.get("properties", {})
    for name in model.model_fields:
        owner = next((c for c in model.__mro__ if name in vars(c).get("__annotations__", {})), None)
        text = _attribute_docstrings(owner).get(name) if owner else None
        if text is not None and name in properties:
            properties[name].setdefault("description", text)


@lru_cache
def _attribute_docstrings(cls: type) -> dict[str, str]:
    """``{attribute: docstring}`` of the annotated attributes in ``cls``'s own body."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    return {
        node.target.id: inspect.cleandoc(after.value.value)
        for node, after in pairwise(body)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
    }


class _Model(BaseModel):
    """Annotations here are objects, not text (no ``from __future__ import annotations``):
    pydantic evaluated each text once more on import.  The parts' validators are built on
    import (``defer_build`` would make the claims' validator reach them through references,
    a tenth slower a claim); :class:`Encounter`'s, the largest, on first use."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        str_strip_whitespace=True,
        json_schema_extra=_describe_fields,
    )


# -- parts ------------------------------------------------------------------------------

PO_BOX = re.compile(r"\b(P\.?\s*O\.?\s*BOX|POST\s+OFFICE\s+BOX|PO\s*BX)\b", re.IGNORECASE)


class Address(_Model):
    line1: Annotated[str, Field(min_length=1, max_length=55)]
    line2: Annotated[str | None, Field(max_length=55)] = None
    city: Annotated[str, Field(min_length=2, max_length=30)]
    state: State
    postal_code: Zip

    @property
    def is_po_box(self) -> bool:
        return _names_po_box(self.line1, self.line2)


@lru_cache(maxsize=1024)
def _names_po_box(line1: str, line2: str | None) -> bool:
    """Whether an address's lines name a PO box; remembered by text, since a file's
    claims repeat their billing provider's address claim after claim."""
    return bool(PO_BOX.search(line1) or (line2 and PO_BOX.search(line2)))


class Provider(_Model):
    npi: NPI
    organization_name: Name | None = None
    last_name: Name | None = None
    first_name: Annotated[str | None, Field(max_length=35)] = None
    taxonomy_code: Annotated[str | None, Field(pattern=r"^[0-9A-Z]{9}X$")] = None
    contact_name: Annotated[str | None, Field(max_length=60)] = None
    contact_phone: Annotated[str | None, Field(pattern=r"^\d{10}$")] = None

    def model_post_init(self, context: Any, /) -> None:
        """A provider is named: checked as the model is made from data, with the error an
        after validator would give.  An after validator would also run each time a made
        provider is handed to another model as it is, as a file's claims share theirs."""
        if not self.organization_name and not (self.last_name and self.first_name):
            raise PydanticCustomError(
                "provider_name", "give organization_name, or last_name and first_name"
            )

    @property
    def is_person(self) -> bool:
        return not self.organization_name


class BillingProvider(Provider):
    tax_id: Annotated[
        str, BeforeValidator(lambda v: str(v).replace("-", "")), Field(pattern=r"^\d{9}$")
    ]
    tax_id_type: Literal["EIN", "SSN"] = "EIN"
    address: Address
    clia_number: (
        Annotated[str, BeforeValidator(_upper_or_none), Field(pattern=r"^\d{2}D\d{7}$")] | None
    ) = None
    """The laboratory's CLIA certificate number (REF*X4), e.g. 14D0123456; payers need it
    on claims with laboratory lines."""
    accepts_assignment: Literal["A", "B", "C"] = "A"
    """CLM07: ``A`` assigned (participating or accepting assignment), ``B`` assignment
    accepted on clinical laboratory services only, ``C`` not assigned."""


class Facility(_Model):
    name: Name
    npi: NPI | None = None
    address: Address


class Payer(_Model):
    payer_id: Annotated[str, Field(min_length=2, max_length=80)]
    name: Name
    claim_filing_indicator: Literal[
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "AM",
        "BL",
        "CH",
        "CI",
        "DS",
        "FI",
        "HM",
        "LM",
        "MA",
        "MB",
        "MC",
        "OF",
        "TV",
        "VA",
        "WC",
        "ZZ",
    ] = "CI"
    responsibility: Literal["P", "S", "T"] = "P"
    address: Address | None = None
    """2330B N3/N4 when this payer is another payer of the claim (COB); optional."""
    secondary_id: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    """2330B REF*2U: the other payer's identification number besides ``payer_id``, when
    the payer billed asks for it (COB); optional."""


class Person(_Model):
    last_name: Name
    first_name: Annotated[str, Field(min_length=1, max_length=35)]
    middle_name: Annotated[str | None, Field(max_length=25)] = None
    suffix: Annotated[str | None, Field(max_length=10)] = None
    birth_date: Date
    sex: Literal["M", "F", "U"]
    address: Address | None = None


class Subscriber(Person):
    """The insured (2000B/2010BA)."""

    member_id: Annotated[str, Field(min_length=2, max_length=80)]
    group_number: Annotated[str | None, Field(max_length=50)] = None


class Patient(Person):
    """The patient when not the subscriber (2000C/2010CA)."""

    relationship_to_subscriber: Literal["01", "19", "20", "21", "39", "40", "53", "G8"]


class PersonProvider(Provider):
    """A provider who can only be a person (supervising 2310D, ordering 2420E: NM102 1)."""

    @model_validator(mode="after")
    def _person(self) -> Self:
        if not (self.last_name and self.first_name):
            raise PydanticCustomError(
                "provider_person", "give last_name and first_name: this provider is a person"
            )
        return self


class Attachment(_Model):
    """Paperwork sent beside the claim (2300 PWK): what it is, how it travels, and the
    control number that ties it to the claim."""

    report_type: Literal[
        "03", "04", "05", "06", "07", "08", "09", "10", "11", "13", "15", "21", "A3", "A4",
        "AM", "AS", "B2", "B3", "B4", "BR", "BS", "BT", "CB", "CK", "CT", "D2", "DA", "DB",
        "DG", "DJ", "DS", "EB", "HC", "HR", "I5", "IR", "LA", "M1", "MT", "NN", "OB", "OC",
        "OD", "OE", "OX", "OZ", "P4", "P5", "PE", "PN", "PO", "PQ", "PY", "PZ", "RB", "RR",
        "RT", "RX", "SG", "V5", "XP",
    ]  # fmt: skip
    transmission: Literal["AA", "BM", "EL", "EM", "FT", "FX"]
    """AA available on request at the provider; BM mail, EL electronic, EM e-mail,
    FT file transfer, FX fax."""
    control_number: Annotated[str | None, Field(min_length=2, max_length=50)] = None

    @model_validator(mode="after")
    def _controlled(self) -> Self:
        if self.transmission != "AA" and not self.control_number:
            raise PydanticCustomError(
                "attachment_control", "an attachment sent to the payer needs its control_number"
            )
        return self


class Accident(_Model):
    type: Literal["AA", "EM", "OA"]
    state: State | None = None
    date: Date


class ServiceLine(_Model):
    line_id: Annotated[str | None, Field(min_length=1, max_length=30)] = None
    code_set: Literal["CPT", "HCPCS"] = "CPT"
    procedure_code: Annotated[str, BeforeValidator(_upper(r"^[A-Z0-9]{5}$"))]
    modifiers: Annotated[list[Modifier], Field(max_length=4)] = empty_list()
    charge: Money
    units: Units
    unit_type: Literal["UN", "MJ"] = "UN"
    service_date: Date
    service_date_end: Date | None = None
    diagnosis_pointers: Annotated[
        list[Annotated[int, Field(ge=1, le=12)]], Field(min_length=1, max_length=4)
    ]
    place_of_service: POS | None = None
    rendering_provider: Provider | None = None
    ndc: Annotated[
        str | None,
        BeforeValidator(lambda v: v and str(v).replace("-", "")),
        Field(pattern=r"^\d{11}$"),
    ] = None
    ndc_quantity: Quantity | None = None
    ndc_unit: Literal["F2", "GR", "ME", "ML", "UN"] | None = None
    ordering_provider: PersonProvider | None = None
    """2420E: who ordered the service (tests, DME), when not the rendering provider."""
    description: Annotated[str | None, Field(min_length=1, max_length=80)] = None
    """SV101-7: what an unlisted (CPT ``…99``) or not-otherwise-classified code was."""

    @field_validator("charge")
    @classmethod
    def _charged(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        """$0.00 only on CPT Category II codes (``NNNNF``), which report quality measures
        and carry no charge; every other line bills an amount."""
        code = info.data.get("procedure_code", "")
        if value == 0 and not (len(code) == 5 and code[:4].isdigit() and code[4] == "F"):
            raise PydanticCustomError("money_positive", "amount must be greater than zero")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.service_date_end and self.service_date_end < self.service_date:
            raise PydanticCustomError("date_range", "service_date_end is before service_date")
        if self.ndc and (self.ndc_quantity is None or self.ndc_unit is None):
            raise PydanticCustomError("ndc_incomplete", "an NDC needs ndc_quantity and ndc_unit")
        return self


# -- other coverage (encounter v1.1, COB; issue 13) -------------------------------------
# The payers after the primary, and what earlier payers already decided.  How these become
# 837P loops 2320/2330A/2330B/2430 is edi/claims/cob_loops.py; whether they add up is
# edi/rules/cob_balancing.py.


def _signed_money(value: Decimal) -> Decimal:
    """An adjustment amount: 2 decimals, any sign (835 CAS amounts may be negative)."""
    if not value.is_finite():
        raise PydanticCustomError("money_format", "money must be a plain decimal number")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise PydanticCustomError("money_scale", "money has at most 2 decimals")
    value = value.quantize(CENT)
    if value.adjusted() + 3 > MAX_AMOUNT_DIGITS:  # its digits, the last being cents
        raise PydanticCustomError("money_size", "an 837P amount has at most 18 digits")
    return value


def _paid_money(value: Decimal) -> Decimal:
    """A paid amount: like an adjustment, but never below zero (a denial pays 0.00)."""
    value = _signed_money(value)
    if value < 0:
        raise PydanticCustomError("money_negative", "a paid amount is zero or more")
    return value


SignedMoney = Annotated[Decimal, _decimal("money", _signed_money)]
PaidMoney = Annotated[Decimal, _decimal("money", _paid_money)]
MEDICARE_FILING = frozenset({"MA", "MB"})
"""SBR09 codes that mean Medicare (Part A, Part B)."""


class Coverage(_Model):
    """One payer after the primary: who insures the patient there, and how."""

    payer: Payer
    subscriber: Subscriber
    patient_relationship: Literal["01", "18", "19", "20", "21", "39", "40", "53", "G8"] = "18"
    insurance_type: Literal["12", "13", "14", "15", "16", "41", "42", "43", "47"] | None = None
    """SBR05: why Medicare is not primary (required when this payer is Medicare)."""
    crossover: bool | None = None
    """The earlier payer forwards claims to this one by agreement (Medicare → Medigap)."""


class Adjustment(_Model):
    """One CAS triplet: group, reason, amount (and units, rarely)."""

    group: Literal["CO", "CR", "OA", "PI", "PR"]
    reason: Annotated[str, BeforeValidator(lambda v: str(v).strip().upper()),
                      Field(pattern=r"^[A-Z0-9]{1,5}$")]  # fmt: skip
    amount: SignedMoney
    quantity: Quantity | None = None


class AdjudicatedLine(_Model):
    """What an earlier payer decided for one service line (2430)."""

    line_id: Annotated[str | None, Field(min_length=1, max_length=30)] = None
    position: Annotated[int | None, Field(ge=1, le=999)] = None
    """1-based position among the claim's lines (``service_lines``, or an 837I's
    ``revenue_lines``) when the line has no ``line_id``."""
    procedure_code: Annotated[str, BeforeValidator(_upper(r"^[A-Z0-9]{5}$"))] | None = None
    modifiers: Annotated[list[Modifier], Field(max_length=4)] = empty_list()
    paid_amount: PaidMoney
    paid_units: Units | None = None
    adjustments: Annotated[list[Adjustment], Field(max_length=30)] = empty_list()


class Adjudication(_Model):
    """An earlier payer's decision on this claim (its 835, or a paper EOB)."""

    payer_id: Annotated[str, Field(min_length=2, max_length=80)]
    paid_date: Date
    paid_amount: PaidMoney
    claim_adjustments: Annotated[list[Adjustment], Field(max_length=30)] = empty_list()
    lines: Annotated[list[AdjudicatedLine], Field(max_length=50)] = empty_list()
    payer_claim_number: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    remark_codes: Annotated[
        list[Annotated[str, BeforeValidator(_upper(r"^[A-Z0-9]{2,5}$"))]],
        Field(max_length=5),
    ] = empty_list()
    """The payer's claim-level remark codes (RARC, its 835 MOA): an 837I to a later payer
    passes them on in 2320 MOA03-07."""


# -- end of other coverage -------------------------------------------------------------


# -- institutional claims, 837I (issue 17); all optional ------------------------------------

Code2 = Annotated[str, BeforeValidator(_upper(r"^[A-Z0-9]{2}$"))]
"""An occurrence, occurrence-span, value or condition code (UB-04 FL 18-41): 2 characters."""
PCS = Annotated[str, BeforeValidator(_upper(r"^[0-9A-HJ-NP-Z]{7}$"))]
"""An ICD-10-PCS procedure code: 7 characters, digits and letters but O and I."""


class CodedDate(_Model):
    """An occurrence code (HI BH) or a procedure (HI BBR/BBQ) with its date."""

    code: Annotated[str, BeforeValidator(_upper(r"^[A-Z0-9]{2,7}$"))]
    date: Date


class Procedure(CodedDate):
    """An ICD-10-PCS procedure (HI BBR principal, BBQ other) and the day it was done."""

    code: PCS


class OccurrenceSpan(_Model):
    """HI BI: an occurrence span code and its period (RD8)."""

    code: Code2
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise PydanticCustomError("date_range", "the span ends before it starts")
        return self


class ValueAmount(_Model):
    """HI BE: a value code and its amount."""

    code: Code2
    amount: Annotated[
        Decimal, BeforeValidator(_decimal_text("money")), Field(max_digits=18, decimal_places=2)
    ]


MAX_PROFESSIONAL_DIAGNOSES = 12
MAX_INSTITUTIONAL_DIAGNOSES = 25
HI_CODES = 12
"""Composites in one HI segment; the 837I allows two HI of each list kind (24 codes)."""
POA = Literal["Y", "N", "U", "W"]
"""Present on admission (HI0n-9): Y yes, N no, U not documented, W clinically undetermined."""


class Institutional(_Model):
    """The 837I's claim-level facts (UB-04): what a facility bills beyond a professional.

    ``type_of_bill`` (``0771``: facility type 7, classification 7, frequency 1) may be
    given instead of ``facility_code`` + ``bill_frequency``; CLM05 carries the two parts."""

    facility_code: Annotated[str, Field(pattern=r"^[1-9][0-9]$")]
    """CLM05-1: type of bill digits 1-2, facility type and classification (``77`` FQHC)."""
    bill_frequency: Annotated[str, Field(pattern=r"^[0-9A-Z]$")]
    """CLM05-3: type of bill digit 3, the claim frequency (``1`` admit through discharge)."""
    statement_from: Date
    statement_through: Date | None = None
    """DTP*434 (RD8); left out when the statement covers one day."""
    admission_date: Date | None = None
    """DTP*435: required on inpatient bills (types 011x, 018x, 021x...)."""
    admission_hour: Annotated[str | None, Field(pattern=r"^([01][0-9]|2[0-3])[0-5][0-9]$")] = None
    """DTP*435 with format ``DT``: the hour of admission, ``HHMM`` (UB-04 FL 13)."""
    discharge_hour: Annotated[str | None, Field(pattern=r"^([01][0-9]|2[0-3])[0-5][0-9]$")] = None
    """DTP*096 (UB-04 FL 16): the hour of discharge, ``HHMM``, on a final inpatient bill."""
    admission_type: Annotated[str | None, Field(pattern=r"^[1-9]$")] = None
    """CL101 (UB-04 FL 14): 1 emergency ... 9 information not available."""
    admission_source: Annotated[str | None, Field(pattern=r"^[0-9A-Z]$")] = None
    """CL102 (UB-04 FL 15)."""
    patient_status: Annotated[str, Field(pattern=r"^[0-9]{2}$")]
    """CL103 (UB-04 FL 17): ``01`` discharged home, ``30`` still a patient..."""
    present_on_admission: Annotated[list[POA], Field(max_length=MAX_INSTITUTIONAL_DIAGNOSES)] = (
        empty_list()
    )
    """HI01-9 of the principal and each other diagnosis, in ``diagnoses`` order (all or
    none: exempt facilities such as FQHCs and RHCs send none)."""
    admitting_diagnosis: ICD10 | None = None
    """HI*ABJ: inpatient bills."""
    visit_reasons: Annotated[list[ICD10], Field(max_length=3)] = empty_list()
    """HI*APR: the patient's reasons for an unscheduled outpatient visit."""
    external_causes: Annotated[list[ICD10], Field(max_length=HI_CODES)] = empty_list()
    """HI*ABN: external causes of injury (ICD-10-CM V00-Y99)."""
    drg_code: (
        Annotated[str, BeforeValidator(_upper_or_none), Field(pattern=r"^[0-9A-Z]{3,4}$")] | None
    ) = None
    """HI*DR: the diagnosis related group the facility assigned (inpatient bills paid by
    DRG, when the payer asks for it)."""
    principal_procedure: Procedure | None = None
    """HI*BBR (ICD-10-PCS): inpatient bills with a procedure."""
    other_procedures: Annotated[list[Procedure], Field(max_length=2 * HI_CODES)] = empty_list()
    occurrence_spans: Annotated[list[OccurrenceSpan], Field(max_length=2 * HI_CODES)] = empty_list()
    occurrences: Annotated[list[CodedDate], Field(max_length=2 * HI_CODES)] = empty_list()
    value_codes: Annotated[list[ValueAmount], Field(max_length=2 * HI_CODES)] = empty_list()
    condition_codes: Annotated[list[Code2], Field(max_length=2 * HI_CODES)] = empty_list()
    attending_provider: PersonProvider | None = None
    """2310A: the 837I asks for it on every claim but non-scheduled transportation
    (rule SNIP4.INSTITUTIONAL.ATTENDING)."""
    operating_provider: PersonProvider | None = None
    """2310B: the surgeon, when a surgical procedure code is billed."""
    other_operating_provider: PersonProvider | None = None
    """2310C."""

    @model_validator(mode="before")
    @classmethod
    def _type_of_bill(cls, data: object) -> object:
        """``type_of_bill`` (3 or 4 digits, the UB-04 FL 4 leading 0 optional) split into
        CLM05's two parts; a one-day statement drops its repeated through date."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        tob = data.pop("type_of_bill", None)
        if isinstance(tob, str):
            digits = tob.strip().upper()
            digits = digits[1:] if len(digits) == 4 and digits[0] == "0" else digits
            if not re.fullmatch(r"[1-9][0-9][0-9A-Z]", digits):
                raise PydanticCustomError(
                    "type_of_bill_format", "a type of bill is 3 digits after its leading 0 (0771)"
                )
            data.setdefault("facility_code", digits[:2])
            data.setdefault("bill_frequency", digits[2])
        if data.get("statement_through") == data.get("statement_from"):
            data.pop("statement_through", None)
        admission = data.pop("admission", None)  # DTP*435 as read: CCYYMMDD[HHMM]
        if isinstance(admission, str) and re.fullmatch(r"[0-9]{12}", admission):
            day, hour = admission[:8], admission[8:]
            data.setdefault("admission_date", f"{day[:4]}-{day[4:6]}-{day[6:]}")
            data.setdefault("admission_hour", hour)
        elif admission is not None:
            data.setdefault("admission_date", admission)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.statement_through and self.statement_through < self.statement_from:
            raise PydanticCustomError("date_range", "statement_through is before statement_from")
        return self

    @property
    def admission(self) -> str | None:
        """DTP*435's DTP03: ``CCYYMMDD``, or ``CCYYMMDDHHMM`` with the hour."""
        if self.admission_date is None:
            return None
        return self.admission_date.strftime("%Y%m%d") + (self.admission_hour or "")

    @property
    def admission_format(self) -> str | None:
        """DTP*435's DTP02: ``DT`` with the hour, ``D8`` without."""
        if self.admission_date is None:
            return None
        return "DT" if self.admission_hour else "D8"

    @property
    def type_of_bill(self) -> str:
        """The UB-04 form's four digits: ``0`` + facility code + frequency."""
        return f"0{self.facility_code}{self.bill_frequency}"


class RevenueLine(_Model):
    """One 837I service line (2400 SV2): a revenue code and what it bills."""

    line_id: Annotated[str | None, Field(min_length=1, max_length=30)] = None
    revenue_code: Annotated[
        str, BeforeValidator(lambda v: str(v).strip().zfill(4)), Field(pattern=r"^0[0-9]{3}$")
    ]
    """UB-04 FL 42, four digits (``0521`` FQHC/RHC clinic visit)."""
    procedure_code: Annotated[str, BeforeValidator(_upper(r"^[A-Z0-9]{5}$"))] | None = None
    """SV202-2 HCPCS/CPT: required for outpatient bills and by some revenue codes."""
    modifiers: Annotated[list[Modifier], Field(max_length=4)] = empty_list()
    charge: Money
    units: Units
    unit_type: Literal["UN", "DA"] = "UN"
    """SV204: ``DA`` days (accommodation revenue codes 01xx-02xx), else ``UN``."""
    non_covered_charge: Money | None = None
    """SV207: the part of the charge the provider knows is not covered."""
    service_date: Date | None = None
    service_date_end: Date | None = None
    """DTP*472: required on outpatient bills."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.modifiers and not self.procedure_code:
            raise PydanticCustomError("modifier_alone", "modifiers need a procedure_code")
        if self.service_date_end and (
            self.service_date is None or self.service_date_end < self.service_date
        ):
            raise PydanticCustomError("date_range", "service_date_end is before service_date")
        if self.non_covered_charge is not None and self.non_covered_charge > self.charge:
            raise PydanticCustomError(
                "non_covered_exceeds", "non_covered_charge is more than the line's charge"
            )
        return self


# -- end of issue 17 block ----------------------------------------------------------------


class Encounter(_Model):
    """One coded encounter; becomes exactly one claim (one CLM)."""

    model_config = ConfigDict(defer_build=True)
    """Its validator is built on first use, and so are its subclasses' (the claims read from
    files): ``claims validate`` checks only those, and never pays for this one's."""

    encounter_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,20}$")]
    claim_type: Literal["professional", "institutional"] = "professional"
    frequency_code: Annotated[Literal["1", "7", "8"], BeforeValidator(str)] = "1"
    original_payer_claim_number: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    billing_provider: BillingProvider
    pay_to_address: Address | None = None
    rendering_provider: Provider | None = None
    referring_provider: Provider | None = None
    service_facility: Facility | None = None
    payer: Payer
    subscriber: Subscriber
    patient: Patient | None = None
    place_of_service: Annotated[POS | None, Field(validate_default=True)] = None
    """Required on professional claims; an 837I has none."""
    diagnoses: Annotated[list[ICD10], Field(min_length=1, max_length=MAX_INSTITUTIONAL_DIAGNOSES)]
    """The principal first; at most 12 on an 837P (one HI), 25 on an 837I (the principal
    and two HI of 12 other diagnoses)."""
    prior_authorization: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    accident: Accident | None = None
    onset_date: Date | None = None
    provider_signature_on_file: bool = True
    assignment_of_benefits: bool = True
    release_of_information: Literal["Y", "I"] = "Y"
    service_lines: Annotated[list[ServiceLine], Field(max_length=50, validate_default=True)] = (
        empty_list()
    )
    """Professional claims (SV1): at least one; an 837I has revenue lines instead."""
    # -- 837P segments real claims need (issue 14); all optional --------------------------
    delay_reason_code: (
        Literal["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "15"] | None
    ) = None
    """CLM20: why the claim is sent past the payer's filing limit."""
    admission_date: Date | None = None
    """DTP*435: the inpatient admission, required for places of service 21, 51 and 61."""
    referral_number: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    """REF*9F: the payer's referral number."""
    claim_note: Annotated[str | None, Field(min_length=1, max_length=80)] = None
    """NTE*ADD: additional information for the payer's claims examiner."""
    attachment: Attachment | None = None
    """PWK: paperwork sent beside the claim."""
    supervising_provider: PersonProvider | None = None
    """2310D: who supervised the rendering provider (incident-to, residents)."""
    # -- end of issue 14 block ------------------------------------------------------------
    # -- other coverage (v1.1, COB; issue 13) --
    other_coverage: Annotated[list[Coverage], Field(max_length=2)] = empty_list()
    billed_payer_sequence: Literal["P", "S", "T"] = "P"
    prior_adjudications: Annotated[list[Adjudication], Field(max_length=2)] = empty_list()
    # -- end of other coverage --

    # -- institutional claims (issue 17); all optional --------------------------------------
    institutional: Annotated[Institutional | None, Field(validate_default=True)] = None
    """The 837I's claim facts; required when ``claim_type`` is institutional."""
    revenue_lines: Annotated[list[RevenueLine], Field(max_length=999, validate_default=True)] = (
        empty_list()
    )
    """The 837I's service lines (SV2); at least one on an institutional claim."""

    @field_validator("place_of_service", "institutional")
    @classmethod
    def _form_needs(cls, value: object, info: ValidationInfo) -> object:
        """Required by one claim form only: the place of service by the 837P, the
        institutional block by the 837I (the same ``missing`` error as any required field)."""
        needed_by = "professional" if info.field_name == "place_of_service" else "institutional"
        if value is None and info.data.get("claim_type") == needed_by:
            raise PydanticCustomError("missing", "Field required")
        return value

    @field_validator("diagnoses", mode="before")
    @classmethod
    def _form_diagnoses(cls, value: object, info: ValidationInfo) -> object:
        """The 837P's one HI holds 12 codes, the 837I's two HI 25 with the principal;
        checked before the list's own bound so the error names the claim's form."""
        institutional = info.data.get("claim_type") == "institutional"
        most = MAX_INSTITUTIONAL_DIAGNOSES if institutional else MAX_PROFESSIONAL_DIAGNOSES
        if isinstance(value, list | tuple) and len(value) > most:
            raise PydanticCustomError(
                "too_long",
                "List should have at most {max_length} items after validation, not "
                "{actual_length}",
                {"field_type": "List", "max_length": most, "actual_length": len(value),
                 "form": "837I" if institutional else "837P"},
            )  # fmt: skip
        return value

    @field_validator("service_lines", "revenue_lines")
    @classmethod
    def _form_lines(cls, value: list, info: ValidationInfo) -> list:
        """A claim has at least one line of its form's kind (SV1 or SV2)."""
        kind = "professional" if info.field_name == "service_lines" else "institutional"
        if not value and info.data.get("claim_type") == kind:
            raise PydanticCustomError(
                "too_short",
                "List should have at least 1 item after validation, not 0",
                {"field_type": "List", "min_length": 1, "actual_length": 0},
            )
        return value

    # -- end of issue 17 block ------------------------------------------------------------

    @property
    def claim_id(self) -> str:
        """CLM01 as sent: upper case, so IDs differing only in case are one claim."""
        return self.encounter_id.upper()

    @property
    def lines_field(self) -> str:
        """The field holding this claim's lines: ``service_lines`` (SV1) or, on an 837I,
        ``revenue_lines`` (SV2); what findings on a line name."""
        return "revenue_lines" if self.claim_type == "institutional" else "service_lines"

    @property
    def claim_lines(self) -> list[ServiceLine] | list[RevenueLine]:
        """This claim's lines, of its form (see :attr:`lines_field`)."""
        return self.revenue_lines if self.claim_type == "institutional" else self.service_lines

    @property
    def total_charge(self) -> Decimal:
        total = NO_CHARGE  # a loop: several rules ask, and ``sum`` over a generator costs more
        for line in self.claim_lines:
            total += line.charge
        return total
