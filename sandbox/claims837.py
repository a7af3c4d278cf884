"""Read an uploaded 837P into the few facts a clearinghouse and a payer act on.

The sandbox answers like a real front end, so it needs what theirs need: the envelope
(to address the 999/TA1 and echo control numbers), and per claim CLM01, the payer, the
member ID, the patient's name (echoed in 277CA/835 as real ones do), the billing provider,
diagnoses, prior authorization, and the service lines.  Built on the project's streaming
reader; fields holding PHI are kept out of ``repr`` so no traceback or log can show them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from edi.x12.reader import (
    EnvelopeFinding,
    Segment,
    X12ParseError,
    iter_segments,
    iter_transactions,
)


@dataclass(frozen=True, slots=True)
class Line837:
    number: int
    qualifier: str
    procedure: str
    modifiers: tuple[str, ...]
    charge: Decimal
    units: Decimal
    service_date: date
    service_date_end: date | None = None
    line_control: str | None = None
    ndc: str | None = None


@dataclass(frozen=True, slots=True)
class Provider837:
    npi: str
    last_or_org: str = field(repr=False)
    first_name: str = field(default="", repr=False)
    is_person: bool = False
    tax_id: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Claim837:
    clm01: str
    charge: Decimal
    place_of_service: str
    frequency: str
    payer_id: str
    payer_name: str
    responsibility: str
    billing: Provider837
    member_id: str = field(repr=False)
    patient_last: str = field(repr=False)
    patient_first: str = field(repr=False)
    subscriber_last: str = field(repr=False)
    subscriber_first: str = field(repr=False)
    patient_is_subscriber: bool = True
    diagnoses: tuple[str, ...] = ()
    prior_auth: str | None = None
    original_reference: str | None = None
    referring_npi: str | None = None
    lines: tuple[Line837, ...] = ()
    st02: str = ""
    position: int = 0
    """Segment position of CLM in its transaction set (ST = 1), as a 999 IK302 counts."""
    end_position: int = 0
    """Position of the claim's last segment (its last service line's, usually)."""

    @property
    def service_date(self) -> date:
        return min(line.service_date for line in self.lines)

    @property
    def service_date_end(self) -> date:
        return max(line.service_date_end or line.service_date for line in self.lines)


@dataclass(frozen=True, slots=True)
class Transaction837:
    st02: str
    st03: str
    bht03: str
    segment_count: int
    claims: tuple[Claim837, ...]


@dataclass(frozen=True, slots=True)
class Envelope837:
    """ISA/GS facts every answer needs: who sent it, to whom, and its control numbers."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    isa09: str
    isa10: str
    isa13: str
    usage: str
    gs02: str = ""
    gs03: str = ""
    gs06: str = ""
    gs08: str = ""
    submitter_name: str = ""
    submitter_id: str = ""


@dataclass(frozen=True, slots=True)
class Interchange837:
    envelope: Envelope837
    transactions: tuple[Transaction837, ...]
    findings: tuple[EnvelopeFinding, ...]
    group_count: int
    """Number of GS groups, each of which a 999 answers."""


def _date(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text or "0")
    except InvalidOperation:
        return Decimal(0)


class _ClaimBuilder:
    """Accumulate one claim's segments; closed by the next CLM, HL or the end of the set."""

    def __init__(self, clm: Segment, context: dict, st02: str, position: int) -> None:
        self.clm = clm
        self.context = dict(context)
        self.st02 = st02
        self.position = self.end_position = position
        self.diagnoses: list[str] = []
        self.prior_auth: str | None = None
        self.original_reference: str | None = None
        self.referring_npi: str | None = None
        self.lines: list[dict] = []

    def add(self, seg: Segment, position: int) -> None:
        self.end_position = position
        sid = seg.id
        if sid == "LX":
            self.lines.append({"number": int(seg.get(1) or len(self.lines) + 1)})
        elif sid == "SV1" and self.lines:
            comp = seg.components(1)
            self.lines[-1].update(
                qualifier=comp[0] if comp else "HC",
                procedure=comp[1] if len(comp) > 1 else "",
                modifiers=tuple(c for c in comp[2:6] if c),
                charge=_decimal(seg.get(2)),
                units=_decimal(seg.get(4) or "1"),
            )
        elif sid == "DTP" and seg.get(1) == "472" and self.lines:
            value = seg.get(3)
            if seg.get(2) == "RD8" and "-" in value:
                start, end = value.split("-", 1)
                self.lines[-1].update(service_date=_date(start), service_date_end=_date(end))
            elif value:
                self.lines[-1]["service_date"] = _date(value)
        elif sid == "REF":
            if self.lines and seg.get(1) == "6R":
                self.lines[-1]["line_control"] = seg.get(2)
            elif not self.lines and seg.get(1) == "G1":
                self.prior_auth = seg.get(2)
            elif not self.lines and seg.get(1) == "F8":
                self.original_reference = seg.get(2)
        elif sid == "LIN" and self.lines:
            self.lines[-1]["ndc"] = seg.get(3)
        elif sid == "HI" and not self.lines:
            for index in range(1, len(seg.elements)):
                parts = seg.components(index)
                if len(parts) > 1 and parts[0] in ("ABK", "ABF", "BK", "BF"):
                    self.diagnoses.append(parts[1])
        elif sid == "NM1" and not self.lines and seg.get(1) == "DN":
            self.referring_npi = seg.get(9) or None

    def build(self) -> Claim837:
        ctx = self.context
        clm = self.clm
        pos = clm.components(5)
        lines = tuple(
            Line837(
                number=line["number"],
                qualifier=line.get("qualifier", "HC"),
                procedure=line.get("procedure", ""),
                modifiers=line.get("modifiers", ()),
                charge=line.get("charge", Decimal(0)),
                units=line.get("units", Decimal(1)),
                service_date=line.get("service_date", date.min),
                service_date_end=line.get("service_date_end"),
                line_control=line.get("line_control"),
                ndc=line.get("ndc"),
            )
            for line in self.lines
        )
        patient_last = ctx.get("patient_last") or ctx.get("subscriber_last", "")
        patient_first = ctx.get("patient_first") or ctx.get("subscriber_first", "")
        return Claim837(
            clm01=clm.get(1),
            charge=_decimal(clm.get(2)),
            place_of_service=pos[0] if pos else "",
            frequency=pos[2] if len(pos) > 2 else "1",
            payer_id=ctx.get("payer_id", ""),
            payer_name=ctx.get("payer_name", ""),
            responsibility=ctx.get("responsibility", "P"),
            billing=ctx.get("billing") or Provider837(npi=""),
            member_id=ctx.get("member_id", ""),
            patient_last=patient_last,
            patient_first=patient_first,
            subscriber_last=ctx.get("subscriber_last", ""),
            subscriber_first=ctx.get("subscriber_first", ""),
            patient_is_subscriber="patient_last" not in ctx,
            diagnoses=tuple(self.diagnoses),
            prior_auth=self.prior_auth,
            original_reference=self.original_reference,
            referring_npi=self.referring_npi,
            lines=lines,
            st02=self.st02,
            position=self.position,
            end_position=self.end_position,
        )


def _claims_of(segments: Iterable[Segment], st: Segment, st02: str) -> tuple[list, str]:
    """The claims of one 837 transaction set and its BHT03."""
    claims: list[Claim837] = []
    context: dict = {}
    current: _ClaimBuilder | None = None
    level = ""
    bht03 = ""
    for seg in segments:
        sid = seg.id
        if sid == "HL":
            if current:
                claims.append(current.build())
                current = None
            level = seg.get(3)
            if level == "20":
                context = {}
            elif level == "22":
                context = {"billing": context.get("billing")}
        elif sid == "CLM":
            if current:
                claims.append(current.build())
            current = _ClaimBuilder(seg, context, st02, seg.position - st.position + 1)
        elif current is not None:
            current.add(seg, seg.position - st.position + 1)
        elif sid == "BHT":
            bht03 = seg.get(3)
        elif sid == "NM1":
            entity = seg.get(1)
            if entity == "85" and level == "20":
                context["billing"] = Provider837(
                    npi=seg.get(9),
                    last_or_org=seg.get(3),
                    first_name=seg.get(4),
                    is_person=seg.get(2) == "1",
                )
            elif entity == "IL":
                context.update(
                    subscriber_last=seg.get(3), subscriber_first=seg.get(4), member_id=seg.get(9)
                )
            elif entity == "PR":
                context.update(payer_name=seg.get(3), payer_id=seg.get(9))
            elif entity == "QC":
                context.update(patient_last=seg.get(3), patient_first=seg.get(4))
        elif sid == "REF" and level == "20" and seg.get(1) in ("EI", "SY"):
            if context.get("billing") is not None:
                context["billing"] = replace(context["billing"], tax_id=seg.get(2))
        elif sid == "SBR":
            context["responsibility"] = seg.get(1) or "P"
    if current:
        claims.append(current.build())
    return claims, bht03


def read_837(data: bytes | str, name: str = "<upload>") -> Interchange837:
    """Read every 837 transaction set of one upload; raises X12ParseError if it is not X12."""
    isa = next(iter_segments(data, name), None)
    if isa is None:
        raise X12ParseError(name, "the file is empty", 1, 0)
    envelope = Envelope837(
        sender_qualifier=isa.get(5).strip(),
        sender_id=isa.get(6).strip(),
        receiver_qualifier=isa.get(7).strip(),
        receiver_id=isa.get(8).strip(),
        isa09=isa.get(9),
        isa10=isa.get(10),
        isa13=isa.get(13),
        usage=isa.get(15),
    )
    findings: list[EnvelopeFinding] = []
    transactions: list[Transaction837] = []
    groups: set[str] = set()
    for tx in iter_transactions(data, name, findings):
        gs = tx.gs
        if gs is not None and not groups:
            envelope = replace(
                envelope, gs02=gs.get(2), gs03=gs.get(3), gs06=gs.get(6), gs08=gs.get(8)
            )
        if gs is not None:
            groups.add(gs.get(6))
        if tx.st is None or tx.code != "837":
            for _ in tx:
                pass
            continue
        body = list(tx)
        if not envelope.submitter_id:
            for seg in body:
                if seg.id == "NM1" and seg.get(1) == "41":
                    envelope = replace(envelope, submitter_name=seg.get(3), submitter_id=seg.get(9))
                    break
        claims, bht03 = _claims_of(body, tx.st, tx.st02)
        transactions.append(
            Transaction837(tx.st02, tx.st.get(3), bht03, tx.segment_count, tuple(claims))
        )
    return Interchange837(envelope, tuple(transactions), tuple(findings), len(groups))
