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
from types import SimpleNamespace

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
from edi.claims.models import HI_CODES, Encounter, RevenueLine
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
    s.discharge_hour(inst)
    s.statement_dates(inst)
    s.admission_date(inst)
    s.institutional_codes(inst)
    if enc.attachment:
        s.claim_attachment(enc.attachment)
    s.referral_number(enc)
    s.prior_authorization(enc)
    if inst.bill_frequency in ("7", "8"):
        s.original_claim(enc)
    s.claim_note(enc)
    for name in _CODES:
        _coded(s, enc, name)
    if inst.principal_procedure:
        s.principal_procedure(inst.principal_procedure)
    for name in _CODED_LISTS:
        _coded(s, enc, name)
    for name in _PROVIDERS:
        provider = getattr(inst, name)
        if provider is not None:
            getattr(s, f"{name}_name")(provider)
            if name == "attending_provider":
                s.attending_provider_specialty(provider)
    _other_providers(s, enc)
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


_CODES = ("principal_diagnosis", "admitting_diagnosis", "visit_reasons", "external_causes",
          "diagnosis_related_group", "other_diagnoses")  # fmt: skip
"""The diagnosis HI segments, in guide order (each written only when it has a value)."""
_CODED_LISTS = ("other_procedures", "occurrence_spans", "occurrences", "value_codes",
                "condition_codes")  # fmt: skip
"""The HI segments after the principal procedure, in guide order."""
_PROVIDERS = ("attending_provider", "operating_provider", "other_operating_provider")
_SECOND_HI = {
    "other_diagnoses": (1, ("diagnoses", "institutional.present_on_admission")),
    "other_procedures": (0, ("institutional.other_procedures",)),
    "occurrence_spans": (0, ("institutional.occurrence_spans",)),
    "occurrences": (0, ("institutional.occurrences",)),
    "value_codes": (0, ("institutional.value_codes",)),
    "condition_codes": (0, ("institutional.condition_codes",)),
}
"""The HI kinds the guide allows twice: where the first HI's items start in the lists it
writes (the other diagnoses follow the principal), and those lists."""


def _coded(s: _Segments, enc: Encounter, name: str) -> None:
    """One HI kind: its segment, and a second one with the codes after the twelfth."""
    render = getattr(s, name)
    render(enc)
    if name in _SECOND_HI:
        second = _second_hi(enc, *_SECOND_HI[name])
        if second is not None:
            render(second)


def _second_hi(enc: Encounter, first: int, paths: tuple[str, ...]) -> SimpleNamespace | None:
    """The claim as its second HI of a kind reads it: each list at ``paths`` without the
    twelve items the first HI wrote (so the same description writes items 13-24), or
    ``None`` when the first HI held them all (the common claim)."""
    lists: dict[str, list] = {}
    for path in paths:
        holder, _, name = path.rpartition(".")
        items = getattr(enc.institutional if holder else enc, name)
        lists[path] = [*items[:first], *items[first + HI_CODES :]]
    if len(lists[paths[0]]) <= first:
        return None
    inst = {path.partition(".")[2]: items for path, items in lists.items() if "." in path}
    plain = {path: items for path, items in lists.items() if "." not in path}
    return SimpleNamespace(institutional=SimpleNamespace(**inst), **plain)


def _other_providers(s: _Segments, enc: Encounter) -> None:
    """2310D-F from the encounter's claim-level providers: the rendering provider when not
    the attending, the service facility, the referring provider (the 837I's 2310D and
    2310F are persons; rule SNIP4.INSTITUTIONAL.PERSON_ONLY refuses an organisation)."""
    attending = enc.institutional.attending_provider if enc.institutional else None
    rendering = enc.rendering_provider
    if rendering and rendering.is_person and (attending is None or attending.npi != rendering.npi):
        s.rendering_provider_name(rendering)
    if enc.service_facility:
        s.service_facility_name(enc.service_facility)
        s.service_facility_street(enc.service_facility.address)
        s.service_facility_city(enc.service_facility.address)
    if enc.referring_provider and enc.referring_provider.is_person:
        s.referring_provider_name(enc.referring_provider)


def _line(s: _Segments, index: int, line: RevenueLine, ref: str) -> None:
    s.service_line(number=index)
    s.institutional_service(line)
    if line.service_date:
        ranged = line.service_date_end and line.service_date_end != line.service_date
        s.service_date(line, date_format="RD8" if ranged else "D8")
    s.line_control_number(line, line_id=ref)
