"""Build 837P (005010X222A1) interchanges from accepted encounters.

The builder is correct by construction for what the encounter model and the record rules
guarantee; it makes no decisions of its own beyond the guide's structure:

* one interchange (ISA/GS) per ``transactions_per_interchange`` transaction sets, each ST
  holding at most ``claims_per_transaction`` claims (≤ 5,000, the guide's limit);
* billing providers grouped under 2000A; each claim under its own 2000B subscriber, with
  2000C only when the patient is not the subscriber;
* CLM01 is the upper-cased ``encounter_id``; REF*6R is the line's ``line_id`` or
  ``CLM01-n``, so responses can be matched back without a lookup table.

Control numbers come from an injected :class:`~edi.x12.control.ControlNumberSource`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING

from edi.claims.models import Address, BillingProvider, Encounter, Person, Provider, ServiceLine
from edi.x12.control import ControlNumberSource, control_key
from edi.x12.writer import X12Writer

if TYPE_CHECKING:
    from mappings.profiles import ClearinghouseProfile

VERSION = "005010X222A1"


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


def x12_decimal(value: Decimal) -> str:
    """X12 ``R`` type: no exponent, no needless trailing zeros (``150.00`` → ``150``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _d8(value: date) -> str:
    return value.strftime("%Y%m%d")


def line_reference(clm01: str, index: int, line: ServiceLine) -> str:
    """REF*6R of line ``index`` (1-based): the source's ``line_id`` or ``CLM01-index``."""
    return line.line_id or f"{clm01}-{index}"


def build_interchanges(
    encounters: Iterable[Encounter],
    profile: ClearinghouseProfile,
    controls: ControlNumberSource,
    created: datetime,
) -> Iterator[Interchange]:
    """Yield interchanges as they fill; only one interchange's claims are held at a time."""
    per_st = profile.claims_per_transaction
    per_isa = per_st * profile.transactions_per_interchange
    stream = iter(encounters)
    while batch := list(islice(stream, per_isa)):
        yield _interchange(batch, profile, controls, created)


def _interchange(
    batch: list[Encounter],
    profile: ClearinghouseProfile,
    controls: ControlNumberSource,
    created: datetime,
) -> Interchange:
    sender, receiver = profile.sender.party(), profile.receiver.party()
    per_st = profile.claims_per_transaction
    chunks = [batch[i : i + per_st] for i in range(0, len(batch), per_st)]
    isa13 = controls.allocate(control_key("ISA", sender.id, receiver.id))[0]
    gs06 = controls.allocate(control_key("GS", sender.id, receiver.id))[0]
    st_numbers = controls.allocate(control_key("ST", sender.id, receiver.id), len(chunks))
    w = X12Writer(line_breaks=profile.line_breaks)
    w.open_interchange(sender, receiver, isa13, created, profile.usage, profile.ack_requested)
    w.open_group("HC", sender, receiver, gs06, created, VERSION)
    built: list[BuiltClaim] = []
    for st02, chunk in zip(st_numbers, chunks, strict=True):
        built.extend(_transaction(w, st02, chunk, profile, created, isa13))
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


def _transaction(
    w: X12Writer,
    st02: int,
    chunk: list[Encounter],
    profile: ClearinghouseProfile,
    created: datetime,
    isa13: int,
) -> list[BuiltClaim]:
    w.open_transaction("837", st02, VERSION)
    st = f"{st02:04d}"
    w.segment("BHT", "0019", "00", f"{isa13}{st}", _d8(created), created.strftime("%H%M"), "CH")
    sub = profile.submitter
    w.segment("NM1", "41", "2", sub.name, None, None, None, None, "46", sub.id)
    contact = ["TE", sub.contact_phone] if sub.contact_phone else []
    if sub.contact_email:
        contact += ["EM", sub.contact_email]
    w.segment("PER", "IC", sub.contact_name, *contact)
    w.segment(
        "NM1", "40", "2", profile.receiver_name, None, None, None, None, "46", profile.receiver_id
    )

    groups: dict[tuple, list[Encounter]] = {}
    for enc in chunk:
        groups.setdefault(_billing_key(enc.billing_provider), []).append(enc)

    built = []
    hl = 0
    for claims in groups.values():
        hl += 1
        parent = hl
        _billing_provider(w, parent, claims[0])
        for enc in claims:
            hl += 1
            subscriber_hl = hl
            dependent = enc.patient is not None
            _subscriber(w, subscriber_hl, parent, enc, dependent)
            if dependent:
                hl += 1
                _patient(w, hl, subscriber_hl, enc)
            built.append(_claim(w, enc, st))
    w.close_transaction()
    return built


def _name(
    w: X12Writer, code: str, who: Provider | Person, *, id_qual: str | None, id_value: str | None
) -> None:
    if isinstance(who, Provider) and not who.is_person:
        w.segment(
            "NM1", code, "2", who.organization_name, None, None, None, None, id_qual, id_value
        )
        return
    middle, suffix = (who.middle_name, who.suffix) if isinstance(who, Person) else (None, None)
    w.segment(
        "NM1", code, "1", who.last_name, who.first_name, middle, None, suffix, id_qual, id_value
    )


def _address(w: X12Writer, address: Address) -> None:
    w.segment("N3", address.line1, address.line2)
    w.segment("N4", address.city, address.state, address.postal_code)


def _billing_provider(w: X12Writer, hl: int, enc: Encounter) -> None:
    bp = enc.billing_provider
    w.segment("HL", hl, None, "20", "1")
    if bp.taxonomy_code:
        w.segment("PRV", "BI", "PXC", bp.taxonomy_code)
    _name(w, "85", bp, id_qual="XX", id_value=bp.npi)
    _address(w, bp.address)
    w.segment("REF", "EI" if bp.tax_id_type == "EIN" else "SY", bp.tax_id)
    if bp.contact_name and bp.contact_phone:
        w.segment("PER", "IC", bp.contact_name, "TE", bp.contact_phone)
    if enc.pay_to_address:
        w.segment("NM1", "87", "2")
        _address(w, enc.pay_to_address)


def _demographics(w: X12Writer, person: Person) -> None:
    w.segment("DMG", "D8", _d8(person.birth_date), person.sex)


def _subscriber(w: X12Writer, hl: int, parent: int, enc: Encounter, dependent: bool) -> None:
    s = enc.subscriber
    w.segment("HL", hl, parent, "22", "1" if dependent else "0")
    w.segment(
        "SBR",
        enc.payer.responsibility,
        None if dependent else "18",
        s.group_number,
        None,
        None,
        None,
        None,
        None,
        enc.payer.claim_filing_indicator,
    )
    _name(w, "IL", s, id_qual="MI", id_value=s.member_id)
    if s.address:
        _address(w, s.address)
    _demographics(w, s)
    payer = enc.payer
    w.segment("NM1", "PR", "2", payer.name, None, None, None, None, "PI", payer.payer_id)


def _patient(w: X12Writer, hl: int, parent: int, enc: Encounter) -> None:
    p = enc.patient
    assert p is not None
    w.segment("HL", hl, parent, "23", "0")
    w.segment("PAT", p.relationship_to_subscriber)
    _name(w, "QC", p, id_qual=None, id_value=None)
    if p.address:
        _address(w, p.address)
    _demographics(w, p)


def _claim(w: X12Writer, enc: Encounter, st02: str) -> BuiltClaim:
    clm01 = enc.claim_id
    total = enc.total_charge
    accident = enc.accident
    related = (accident.type, None, None, accident.state) if accident else None
    w.segment(
        "CLM",
        clm01,
        x12_decimal(total),
        None,
        None,
        (enc.place_of_service, "B", enc.frequency_code),
        "Y" if enc.provider_signature_on_file else "N",
        "A",
        "Y" if enc.assignment_of_benefits else "N",
        enc.release_of_information,
        None,
        related,
    )
    if enc.onset_date:
        w.segment("DTP", "431", "D8", _d8(enc.onset_date))
    if accident:
        w.segment("DTP", "439", "D8", _d8(accident.date))
    if enc.prior_authorization:
        w.segment("REF", "G1", enc.prior_authorization)
    if enc.frequency_code in ("7", "8") and enc.original_payer_claim_number:
        w.segment("REF", "F8", enc.original_payer_claim_number)
    codes = enc.diagnoses
    w.segment("HI", ("ABK", codes[0]), *(("ABF", code) for code in codes[1:]))

    billing_npi = enc.billing_provider.npi
    if enc.referring_provider:
        _name(w, "DN", enc.referring_provider, id_qual="XX", id_value=enc.referring_provider.npi)
    rendering = enc.rendering_provider
    if rendering and rendering.npi != billing_npi:
        _name(w, "82", rendering, id_qual="XX", id_value=rendering.npi)
        if rendering.taxonomy_code:
            w.segment("PRV", "PE", "PXC", rendering.taxonomy_code)
    if enc.service_facility:
        f = enc.service_facility
        w.segment("NM1", "77", "2", f.name, None, None, None, None, "XX" if f.npi else None, f.npi)
        _address(w, f.address)

    claim_rendering = rendering.npi if rendering else billing_npi
    refs = []
    for index, line in enumerate(enc.service_lines, 1):
        ref = line_reference(clm01, index, line)
        refs.append(ref)
        _line(w, index, line, enc.place_of_service, claim_rendering, ref)
    return BuiltClaim(
        clm01, enc.encounter_id, st02, enc.payer.payer_id, total, enc.frequency_code, tuple(refs)
    )


def _line(
    w: X12Writer, index: int, line: ServiceLine, claim_pos: str, claim_rendering: str, ref: str
) -> None:
    w.segment("LX", index)
    pos = line.place_of_service if line.place_of_service != claim_pos else None
    w.segment(
        "SV1",
        ("HC", line.procedure_code, *line.modifiers),
        x12_decimal(line.charge),
        line.unit_type,
        x12_decimal(line.units),
        pos,
        None,
        [str(p) for p in line.diagnosis_pointers],
    )
    if line.service_date_end and line.service_date_end != line.service_date:
        w.segment("DTP", "472", "RD8", f"{_d8(line.service_date)}-{_d8(line.service_date_end)}")
    else:
        w.segment("DTP", "472", "D8", _d8(line.service_date))
    w.segment("REF", "6R", ref)
    if line.ndc:
        w.segment("LIN", None, "N4", line.ndc)
        w.segment("CTP", None, None, None, x12_decimal(line.ndc_quantity), line.ndc_unit)
    r = line.rendering_provider
    if r and r.npi != claim_rendering:
        _name(w, "82", r, id_qual="XX", id_value=r.npi)
        if r.taxonomy_code:
            w.segment("PRV", "PE", "PXC", r.taxonomy_code)
