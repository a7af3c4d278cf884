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
from functools import lru_cache
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


@lru_cache(maxsize=4096)
def x12_decimal(value: Decimal) -> str:
    """X12 ``R`` type: no exponent, no needless trailing zeros (``150.00`` → ``150``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@lru_cache(maxsize=4096)
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
    w: X12Writer, code: str, who: Provider | Person, *, id_qual: str = "", id_value: str = ""
) -> None:
    """NM1 of a person or organisation; ``id_value`` must be safe (an NPI) or cleaned."""
    c = w.clean
    if isinstance(who, Provider) and not who.is_person:
        w.checked_segment(
            "NM1", code, "2", c(who.organization_name), "", "", "", "", id_qual, id_value
        )
        return
    middle, suffix = (who.middle_name, who.suffix) if isinstance(who, Person) else (None, None)
    w.checked_segment(
        "NM1",
        code,
        "1",
        c(who.last_name),
        c(who.first_name),
        c(middle),
        "",
        c(suffix),
        id_qual,
        id_value,
    )


def _address(w: X12Writer, address: Address) -> None:
    """N3/N4; state and ZIP are validated codes, the rest is cleaned."""
    w.checked_segment("N3", w.clean(address.line1), w.clean(address.line2))
    w.checked_segment("N4", w.clean(address.city), address.state, address.postal_code)


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
    w.checked_segment("DMG", "D8", _d8(person.birth_date), person.sex)


def _subscriber(w: X12Writer, hl: int, parent: int, enc: Encounter, dependent: bool) -> None:
    s = enc.subscriber
    w.checked_segment("HL", str(hl), str(parent), "22", "1" if dependent else "0")
    w.checked_segment(
        "SBR",
        enc.payer.responsibility,
        "" if dependent else "18",
        w.clean(s.group_number),
        "",
        "",
        "",
        "",
        "",
        enc.payer.claim_filing_indicator,
    )
    _name(w, "IL", s, id_qual="MI", id_value=w.clean(s.member_id))
    if s.address:
        _address(w, s.address)
    _demographics(w, s)
    payer = enc.payer
    w.checked_segment(
        "NM1", "PR", "2", w.clean(payer.name), "", "", "", "", "PI", w.clean(payer.payer_id)
    )


def _patient(w: X12Writer, hl: int, parent: int, enc: Encounter) -> None:
    p = enc.patient
    assert p is not None
    w.checked_segment("HL", str(hl), str(parent), "23", "0")
    w.checked_segment("PAT", p.relationship_to_subscriber)
    _name(w, "QC", p)
    if p.address:
        _address(w, p.address)
    _demographics(w, p)


def _claim(w: X12Writer, enc: Encounter, st02: str) -> BuiltClaim:
    clm01 = enc.claim_id  # validated [A-Z0-9-], upper-cased
    total = enc.total_charge
    accident = enc.accident
    related = w.composite(accident.type, "", "", accident.state or "") if accident else ""
    w.checked_segment(
        "CLM",
        clm01,
        x12_decimal(total),
        "",
        "",
        w.composite(enc.place_of_service, "B", enc.frequency_code),
        "Y" if enc.provider_signature_on_file else "N",
        "A",
        "Y" if enc.assignment_of_benefits else "N",
        enc.release_of_information,
        "",
        related,
    )
    if enc.onset_date:
        w.checked_segment("DTP", "431", "D8", _d8(enc.onset_date))
    if accident:
        w.checked_segment("DTP", "439", "D8", _d8(accident.date))
    if enc.prior_authorization:
        w.checked_segment("REF", "G1", w.clean(enc.prior_authorization))
    if enc.frequency_code in ("7", "8") and enc.original_payer_claim_number:
        w.checked_segment("REF", "F8", w.clean(enc.original_payer_claim_number))
    codes = enc.diagnoses
    w.checked_segment(
        "HI", w.composite("ABK", codes[0]), *(w.composite("ABF", code) for code in codes[1:])
    )

    billing_npi = enc.billing_provider.npi
    if enc.referring_provider:
        _name(w, "DN", enc.referring_provider, id_qual="XX", id_value=enc.referring_provider.npi)
    rendering = enc.rendering_provider
    if rendering and rendering.npi != billing_npi:
        _name(w, "82", rendering, id_qual="XX", id_value=rendering.npi)
        if rendering.taxonomy_code:
            w.checked_segment("PRV", "PE", "PXC", rendering.taxonomy_code)
    if enc.service_facility:
        f = enc.service_facility
        w.checked_segment(
            "NM1", "77", "2", w.clean(f.name), "", "", "", "", "XX" if f.npi else "", f.npi or ""
        )
        _address(w, f.address)

    claim_rendering = rendering.npi if rendering else billing_npi
    refs = []
    for index, line in enumerate(enc.service_lines, 1):
        ref = w.clean(line_reference(clm01, index, line))
        refs.append(ref)
        _line(w, index, line, enc.place_of_service, claim_rendering, ref)
    return BuiltClaim(
        clm01, enc.encounter_id, st02, enc.payer.payer_id, total, enc.frequency_code, tuple(refs)
    )


def _line(
    w: X12Writer, index: int, line: ServiceLine, claim_pos: str, claim_rendering: str, ref: str
) -> None:
    """One 2400 loop; every value is a validated code, number or date, or ``ref`` cleaned."""
    w.checked_segment("LX", str(index))
    pos = line.place_of_service if line.place_of_service != claim_pos else ""
    w.checked_segment(
        "SV1",
        w.composite("HC", line.procedure_code, *line.modifiers),
        x12_decimal(line.charge),
        line.unit_type,
        x12_decimal(line.units),
        pos or "",
        "",
        w.composite(*map(str, line.diagnosis_pointers)),
    )
    start = _d8(line.service_date)
    if line.service_date_end and line.service_date_end != line.service_date:
        w.checked_segment("DTP", "472", "RD8", f"{start}-{_d8(line.service_date_end)}")
    else:
        w.checked_segment("DTP", "472", "D8", start)
    w.checked_segment("REF", "6R", ref)
    if line.ndc:
        w.checked_segment("LIN", "", "N4", line.ndc)
        w.checked_segment("CTP", "", "", "", x12_decimal(line.ndc_quantity), line.ndc_unit or "")
    r = line.rendering_provider
    if r and r.npi != claim_rendering:
        _name(w, "82", r, id_qual="XX", id_value=r.npi)
        if r.taxonomy_code:
            w.checked_segment("PRV", "PE", "PXC", r.taxonomy_code)
