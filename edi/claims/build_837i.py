"""Build 837I (005010X223A2) interchanges from accepted institutional encounters.

The envelope, the hierarchy (2000A/2000B/2000C), the header loops and the COB loops
(2320/2330A/2330B/2430, :mod:`edi.claims.cob_loops`) are the 837P builder's
(:mod:`edi.claims.build_837p`), written from the 837I guide description
(``edi/guides/x223a2.yaml``), whose shared segments have the same names; only the claim
(2300: CLM, statement dates, CL1, the HI family, 2310A-F) and its revenue lines (2400
SV2) are written here.  As for the 837P, this module decides only which segments a claim
needs and in what order; the description decides what each element carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from edi.claims.build_837p import (
    BuiltClaim,
    ClaimProfile,
    ClaimWriter,
    Interchange,
    _claim,
    _interchange,
    _Segments,
    line_adjudication,
    line_reference,
    other_payer,
)
from edi.claims.cob_loops import ClaimCob
from edi.claims.models import Encounter, RevenueLine
from edi.guides.model import Guide, x222a1, x223a2
from edi.x12.control import ControlNumberSource

VERSION = "005010X223A2"


def build_institutional_interchanges(
    encounters: Iterable[Encounter],
    profile: ClaimProfile,
    controls: ControlNumberSource,
    created: datetime,
) -> Iterator[Interchange]:
    """Yield 837I interchanges as they fill (only institutional encounters belong here)."""
    guide = x223a2()
    per_isa = profile.claims_per_transaction * profile.transactions_per_interchange
    stream = iter(encounters)
    while batch := list(islice(stream, per_isa)):
        yield _interchange(batch, profile, controls, created, guide, institutional_claim)


def build_interchanges_by_form(
    encounters: Iterable[Encounter],
    profile: ClaimProfile,
    controls: ControlNumberSource,
    created: datetime,
) -> Iterator[Interchange]:
    """837P and 837I interchanges from one stream of encounters, one form per interchange.

    Each form fills its own batch and an interchange is written when its batch is full
    (the rest at the end), so at most one interchange's claims of each form are held."""
    per_isa = profile.claims_per_transaction * profile.transactions_per_interchange
    forms: dict[str, tuple[Guide, ClaimWriter]] = {
        "professional": (x222a1(), _claim),
        "institutional": (x223a2(), institutional_claim),
    }
    batches: dict[str, list[Encounter]] = {form: [] for form in forms}
    for enc in encounters:
        batch = batches[enc.claim_type]
        batch.append(enc)
        if len(batch) == per_isa:
            yield _interchange(batch, profile, controls, created, *forms[enc.claim_type])
            batches[enc.claim_type] = []
    for form, batch in batches.items():
        if batch:
            yield _interchange(batch, profile, controls, created, *forms[form])


def institutional_claim(
    s: _Segments, enc: Encounter, st02: str, cob: ClaimCob | None = None
) -> BuiltClaim:
    """One 2300 loop and its 2400 revenue lines, with the other payers' 2320 loops and
    their 2430 line adjudications when ``cob`` has them."""
    inst = enc.institutional
    if inst is None:  # the model requires the block on an institutional claim
        raise ValueError(f"encounter {enc.encounter_id}: an 837I needs the institutional block")
    clm01 = enc.claim_id
    total = enc.total_charge
    s.claim(enc, encounter_id=clm01, stated_total=total)
    s.statement_dates(inst)
    s.admission_date(inst)
    s.institutional_codes(inst)
    s.prior_authorization(enc)
    if inst.bill_frequency in ("7", "8"):
        s.original_claim(enc)
    s.claim_note(enc)
    for name in _CODES:
        getattr(s, name)(enc)
    if inst.principal_procedure:
        s.principal_procedure(inst.principal_procedure)
    for name in _CODED_LISTS:
        getattr(s, name)(enc)
    for name in _PROVIDERS:
        provider = getattr(inst, name)
        if provider is not None:
            getattr(s, f"{name}_name")(provider)
            if name == "attending_provider":
                s.attending_provider_specialty(provider)
    for other in cob.others if cob else ():
        other_payer(s, other)
    refs = []
    for index, line in enumerate(enc.revenue_lines, 1):
        ref = s.clean(line_reference(clm01, index, line))  # type: ignore[arg-type]
        refs.append(ref)
        _line(s, index, line, ref)
        for adjudication in cob.lines[index - 1] if cob else ():
            line_adjudication(s, adjudication)
    return BuiltClaim(
        clm01,
        enc.encounter_id,
        st02,
        enc.payer.payer_id,
        total,
        inst.bill_frequency,
        tuple(refs),
        cob.sequence if cob else "P",
    )


_CODES = ("principal_diagnosis", "admitting_diagnosis", "visit_reasons", "other_diagnoses")
"""The diagnosis HI segments, in guide order (each written only when it has a value)."""
_CODED_LISTS = ("other_procedures", "occurrence_spans", "occurrences", "value_codes",
                "condition_codes")  # fmt: skip
"""The HI segments after the principal procedure, in guide order."""
_PROVIDERS = ("attending_provider", "operating_provider", "other_operating_provider")


def _line(s: _Segments, index: int, line: RevenueLine, ref: str) -> None:
    s.service_line(number=index)
    s.institutional_service(line)
    if line.service_date:
        ranged = line.service_date_end and line.service_date_end != line.service_date
        s.service_date(line, date_format="RD8" if ranged else "D8")
    s.line_control_number(line, line_id=ref)
