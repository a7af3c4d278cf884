"""Build 837P (005010X222A1) interchanges from accepted encounters.

The builder is correct by construction for what the encounter model and the record rules
guarantee; it makes no decisions of its own beyond the guide's structure:

* one interchange (ISA/GS) per ``transactions_per_interchange`` transaction sets, each ST
  holding at most ``claims_per_transaction`` claims (≤ 5,000, the guide's limit);
* billing providers grouped under 2000A; each claim under its own 2000B subscriber, with
  2000C only when the patient is not the subscriber;
* CLM01 is the upper-cased ``encounter_id``; REF*6R is the line's ``line_id`` or
  ``CLM01-n``, so responses can be matched back without a lookup table.

Which elements each segment has, in what order, which are fixed codes and which encounter
field each carries come from the guide description (:mod:`edi.guides`), compiled once per
guide into one function per segment (``s.claim(enc, encounter_id=clm01)``); this module
decides only which segments a claim needs and in what order, and gives the segments only
text it has cleaned or the model validated.  Control numbers come from an injected
:class:`~edi.x12.control.ControlNumberSource`; the trading-partner settings from anything
shaped like :class:`ClaimProfile` (the clearinghouse profiles of ``mappings/``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from itertools import islice
from typing import Protocol

from edi.claims.cob_loops import ClaimCob, LineAdjudication, OtherPayer, claim_cob, wire_encounter
from edi.claims.models import Address, BillingProvider, Encounter, Person, Provider, ServiceLine
from edi.guides.model import Guide, x222a1
from edi.guides.render import MakeRender, Render, compile_segment, d8
from edi.x12.control import ControlNumberSource, control_key
from edi.x12.delimiters import Delimiters
from edi.x12.writer import Party, X12Writer

VERSION = "005010X222A1"


class _PartyId(Protocol):
    def party(self) -> Party: ...


class _Submitter(Protocol):
    name: str
    id: str
    contact_name: str
    contact_phone: str | None
    contact_email: str | None


class ClaimProfile(Protocol):
    """What the builder needs of a clearinghouse: envelope identities, submitter and
    receiver (1000A/1000B), usage, and how claims are split into interchanges."""

    usage: str
    sender: _PartyId
    receiver: _PartyId
    submitter: _Submitter
    receiver_name: str
    receiver_id: str
    claims_per_transaction: int
    transactions_per_interchange: int
    ack_requested: bool
    line_breaks: bool


@dataclass(frozen=True, slots=True)
class BuiltClaim:
    """What the ledger and the response matchers need to know of one claim sent."""

    clm01: str
    encounter_id: str
    st02: str
    payer_id: str
    charge: Decimal
    frequency_code: str
    line_refs: tuple[str, ...]
    payer_sequence: str = "P"
    """SBR01 of 2000B: the billed payer's place (COB: ``S``/``T`` for later payers)."""


@dataclass(frozen=True, slots=True)
class Interchange:
    isa13: int
    gs06: int
    created: datetime
    text: str
    claims: tuple[BuiltClaim, ...]

    @property
    def data(self) -> bytes:
        return self.text.encode("ascii")


def line_reference(clm01: str, index: int, line: ServiceLine) -> str:
    """REF*6R of line ``index`` (1-based): the source's ``line_id`` or ``CLM01-index``."""
    return line.line_id or f"{clm01}-{index}"


@cache
def _compiled(guide: Guide, delimiters: Delimiters, end: str) -> dict[str, MakeRender]:
    """Each described segment compiled, once per guide and delimiters."""
    return {name: compile_segment(spec, delimiters, end) for name, spec in guide.segments.items()}


class _Segments:
    """The guide's segments for one writer, each a method by its name in the description:
    ``s.claim(enc, encounter_id=clm01)`` writes the ``claim`` segment (see
    :func:`~edi.guides.render.compile_segment`)."""

    def __init__(self, guide: Guide, w: X12Writer) -> None:
        made = _compiled(guide, w.delimiters, w.terminator)
        self.__dict__.update({name: make(w.cleaner, w.add) for name, make in made.items()})
        self.clean = w.cleaner
        self.guide = guide

    def binds(self, segment: str, position: str) -> bool:
        """Whether the description writes ``position`` (``SBR05``) in ``segment``: the 837P
        and 837I share segments that differ in a few elements."""
        return any(e.position == position for e in self.guide.segments[segment].elements)

    def describes(self, segment: str) -> bool:
        """Whether the description has ``segment`` at all (the 837I's 2320 MOA)."""
        return segment in self.guide.segments


def build_interchanges(
    encounters: Iterable[Encounter],
    profile: ClaimProfile,
    controls: ControlNumberSource,
    created: datetime,
    guide: Guide | None = None,
) -> Iterator[Interchange]:
    """Yield interchanges as they fill; only one interchange's claims are held at a time.

    ``guide`` is the 837P description (the shipped X222A1 one unless given)."""
    guide = guide or x222a1()
    per_st = profile.claims_per_transaction
    per_isa = per_st * profile.transactions_per_interchange
    stream = iter(encounters)
    while batch := list(islice(stream, per_isa)):
        yield _interchange(batch, profile, controls, created, guide)


ClaimWriter = Callable[["_Segments", Encounter, str, "ClaimCob | None"], BuiltClaim]
"""Writes one claim's 2300 loop and below (:func:`_claim` for the 837P; the 837I's is
:func:`edi.claims.build_837i.institutional_claim`)."""


def _interchange(
    batch: list[Encounter],
    profile: ClaimProfile,
    controls: ControlNumberSource,
    created: datetime,
    guide: Guide,
    claim: ClaimWriter | None = None,
) -> Interchange:
    sender, receiver = profile.sender.party(), profile.receiver.party()
    per_st = profile.claims_per_transaction
    chunks = [batch[i : i + per_st] for i in range(0, len(batch), per_st)]
    isa13 = controls.allocate(control_key("ISA", sender.id, receiver.id))[0]
    gs06 = controls.allocate(control_key("GS", sender.id, receiver.id))[0]
    st_numbers = controls.allocate(control_key("ST", sender.id, receiver.id), len(chunks))
    w = X12Writer(line_breaks=profile.line_breaks)
    s = _Segments(guide, w)
    w.open_interchange(sender, receiver, isa13, created, profile.usage, profile.ack_requested)
    w.open_group("HC", sender, receiver, gs06, created, guide.version)
    built: list[BuiltClaim] = []
    for st02, chunk in zip(st_numbers, chunks, strict=True):
        built.extend(
            _transaction(w, s, st02, chunk, profile, created, isa13, guide, claim or _claim)
        )
    w.close_group()
    w.close_interchange()
    return Interchange(isa13, gs06, created, w.getvalue(), tuple(built))


def _billing_key(bp: BillingProvider) -> tuple:
    return (
        bp.npi,
        bp.tax_id,
        bp.organization_name,
        bp.last_name,
        bp.first_name,
        bp.address,
        bp.taxonomy_code,
        bp.contact_name,
        bp.contact_phone,
    )


def _submitter(s: _Segments, profile: ClaimProfile) -> None:
    """1000A/1000B: the profile's text, cleaned (what the builder gives is written as is)."""
    sub, c = profile.submitter, s.clean
    s.submitter_name(submitter_name=c(sub.name), submitter_id=c(sub.id))
    numbers = [("TE", sub.contact_phone), ("EM", sub.contact_email)]
    contact = [(qualifier, c(number)) for qualifier, number in numbers if number] + [("", "")] * 2
    s.submitter_contact(
        contact_name=c(sub.contact_name),
        first_qualifier=contact[0][0],
        first_number=contact[0][1],
        second_qualifier=contact[1][0],
        second_number=contact[1][1],
    )
    s.receiver_name(receiver_name=c(profile.receiver_name), receiver_id=c(profile.receiver_id))


def _transaction(
    w: X12Writer,
    s: _Segments,
    st02: int,
    chunk: list[Encounter],
    profile: ClaimProfile,
    created: datetime,
    isa13: int,
    guide: Guide,
    claim: ClaimWriter,
) -> list[BuiltClaim]:
    w.open_transaction(guide.transaction, st02, guide.version)
    st = f"{st02:04d}"
    s.transaction_start(reference=f"{isa13}{st}", date=d8(created), time=created.strftime("%H%M"))
    _submitter(s, profile)

    groups: dict[tuple, list[tuple[Encounter, ClaimCob | None]]] = {}
    for enc in chunk:
        cob = claim_cob(enc)  # None for a claim with no other payer (the common case)
        wire = enc if cob is None else wire_encounter(enc)
        groups.setdefault(_billing_key(enc.billing_provider), []).append((wire, cob))

    built = []
    hl = 0
    for claims in groups.values():
        hl += 1
        parent = hl
        _billing_provider(s, parent, claims[0][0])
        for enc, cob in claims:
            hl += 1
            subscriber_hl = hl
            _subscriber(s, subscriber_hl, parent, enc, cob)
            if enc.patient is not None:
                hl += 1
                _patient(s, hl, subscriber_hl, enc.patient)
            built.append(claim(s, enc, st, cob))
    w.close_transaction()
    return built


def _entity(who: Provider) -> str:
    """NM102: ``1`` a person, ``2`` an organisation."""
    return "1" if who.is_person else "2"


def _address(street: Render, city: Render, address: Address) -> None:
    street(address)
    city(address)


def _billing_provider(s: _Segments, hl: int, enc: Encounter) -> None:
    bp = enc.billing_provider
    s.billing_level(id=hl)
    s.billing_specialty(bp)
    s.billing_provider_name(bp, entity_type=_entity(bp))
    _address(s.billing_provider_street, s.billing_provider_city, bp.address)
    s.billing_provider_tax_id(bp)
    if bp.contact_name and bp.contact_phone:
        s.billing_provider_contact(bp)
    if enc.pay_to_address:
        s.pay_to_name()
        _address(s.pay_to_street, s.pay_to_city, enc.pay_to_address)


def _subscriber(s: _Segments, hl: int, parent: int, enc: Encounter, cob: ClaimCob | None) -> None:
    dependent = enc.patient is not None
    s.subscriber_level(id=hl, parent=parent, has_patient="1" if dependent else "0")
    # SBR05 (why Medicare is secondary) is the 837P's; the 837I does not use it in 2000B
    sbr05 = {}
    if s.binds("subscriber_information", "SBR05"):
        sbr05["insurance_type"] = (cob.insurance_type if cob else None) or ""
    s.subscriber_information(enc, subscriber_relationship="" if dependent else "18", **sbr05)
    sub = enc.subscriber
    s.subscriber_name(sub)
    if sub.address:
        _address(s.subscriber_street, s.subscriber_city, sub.address)
    if not dependent:  # 2010BA DMG: "required when the subscriber is the patient", else not sent
        s.subscriber_demographics(sub)
    s.payer_name(enc.payer)


def _patient(s: _Segments, hl: int, parent: int, patient: Person) -> None:
    s.patient_level(id=hl, parent=parent)
    s.patient_information(patient)
    s.patient_name(patient)
    if patient.address:
        _address(s.patient_street, s.patient_city, patient.address)
    s.patient_demographics(patient)


def _claim(s: _Segments, enc: Encounter, st02: str, cob: ClaimCob | None) -> BuiltClaim:
    clm01 = enc.claim_id  # validated [A-Z0-9-], upper-cased
    total = enc.total_charge
    s.claim(enc, encounter_id=clm01, stated_total=total)
    s.onset_date(enc)
    s.accident_date(enc)
    s.admission_date(enc)
    if enc.attachment:
        s.claim_attachment(enc.attachment)
    s.referral_number(enc)
    s.prior_authorization(enc)
    if enc.frequency_code in ("7", "8"):
        s.original_claim(enc)
    s.clia_number(enc)
    s.claim_note(enc)
    s.diagnoses(enc)

    billing_npi = enc.billing_provider.npi
    if enc.referring_provider:
        s.referring_provider_name(
            enc.referring_provider, entity_type=_entity(enc.referring_provider)
        )
    rendering = enc.rendering_provider
    if rendering and rendering.npi != billing_npi:
        s.rendering_provider_name(rendering, entity_type=_entity(rendering))
        s.rendering_provider_specialty(rendering)
    if enc.service_facility:
        s.service_facility_name(enc.service_facility)
        _address(s.service_facility_street, s.service_facility_city, enc.service_facility.address)
    if enc.supervising_provider:
        s.supervising_provider_name(enc.supervising_provider)
    for other in cob.others if cob else ():
        other_payer(s, other)

    claim_rendering = rendering.npi if rendering else billing_npi
    refs = []
    for index, line in enumerate(enc.service_lines, 1):
        ref = s.clean(line_reference(clm01, index, line))
        refs.append(ref)
        _line(s, index, line, enc.place_of_service, claim_rendering, ref)
        for adjudication in cob.lines[index - 1] if cob else ():
            line_adjudication(s, adjudication)
    return BuiltClaim(
        clm01,
        enc.encounter_id,
        st02,
        enc.payer.payer_id,
        total,
        enc.frequency_code,
        tuple(refs),
        cob.sequence if cob else "P",
    )


def _line(
    s: _Segments, index: int, line: ServiceLine, claim_pos: str, claim_rendering: str, ref: str
) -> None:
    """One 2400 loop: SV105 only where the line's place of service differs from the claim's."""
    s.service_line(number=index)
    if line.place_of_service == claim_pos:
        s.professional_service(line, place_of_service="")
    else:
        s.professional_service(line)
    ranged = line.service_date_end and line.service_date_end != line.service_date
    s.service_date(line, date_format="RD8" if ranged else "D8")
    s.line_control_number(line, line_id=ref)
    if line.ndc:
        s.drug_identification(line)
        s.drug_quantity(line)
    r = line.rendering_provider
    if r and r.npi != claim_rendering:
        s.line_rendering_provider_name(r, entity_type=_entity(r))
        s.line_rendering_provider_specialty(r)
    if line.ordering_provider:
        s.line_ordering_provider_name(line.ordering_provider)


# -- other coverage (COB, issue 13) ---------------------------------------------------------


def other_payer(s: _Segments, other: OtherPayer) -> None:
    """One 2320 loop with its 2330A and 2330B (see :mod:`edi.claims.cob_loops`), for
    either form: the description decides the elements, and only the 837I's has AMT*A8,
    MIA and MOA (their values are set on 837I claims only)."""
    s.other_subscriber_information(other)
    for group in other.adjustments:
        s.other_payer_adjustment(group)
    s.other_payer_paid(other)
    institutional = s.describes("other_payer_outpatient_adjudication")
    if institutional:
        s.other_payer_non_covered(other)
    s.other_payer_patient_liability(other)
    s.other_insurance_coverage(other)
    if institutional:
        s.other_payer_inpatient_adjudication(other)
        s.other_payer_outpatient_adjudication(other)
    s.other_subscriber_name(other.subscriber)
    if other.subscriber.address:
        _address(s.other_subscriber_street, s.other_subscriber_city, other.subscriber.address)
    s.other_payer_name(other.payer)
    if other.payer.address:
        _address(s.other_payer_street, s.other_payer_city, other.payer.address)
    s.other_payer_paid_date(other)
    s.other_payer_secondary_id(other.payer)
    s.other_payer_claim_number(other)


def line_adjudication(s: _Segments, adjudication: LineAdjudication) -> None:
    """One 2430 loop: SVD, its CAS, DTP*573 and the remaining patient liability (both
    forms; the 837I's SVD04 carries the revenue code)."""
    s.line_adjudication(adjudication)
    for group in adjudication.adjustments:
        s.line_adjustment(group)
    s.line_paid_date(adjudication)
    s.line_patient_liability(adjudication)
