"""Build a 270 eligibility inquiry batch (005010X279A1).

One interchange, one transaction set; inside it the X279A1 hierarchy per payer:
the payer (2000A, HL 20), the provider asking (2000B, HL 21), the subscriber (2000C, HL 22)
and, when the patient is not the subscriber, the dependent (2000D, HL 23).  Each inquiry asks
for health benefit plan coverage (EQ*30) on the date of service (DTP*291); TRN02 is our
inquiry ID so each 271 answer lands on its inquiry.  Text is escaped by the writer.

Pure: inquiries in, X12 text out; PHI goes only into the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from edi.x12.writer import Party, X12Writer

VERSION = "005010X279A1"


@dataclass(frozen=True)
class EligibilityInquiry:
    """One member to ask about on one date of service; names and IDs as we hold them."""

    inquiry_id: str
    payer_id: str
    payer_name: str
    provider_npi: str
    provider_name: str
    service_date: date
    member_id: str = field(repr=False)
    subscriber_last: str = field(repr=False)
    subscriber_first: str = field(repr=False)
    subscriber_birth_date: date = field(repr=False)
    subscriber_sex: str = field(repr=False)
    service_type: str = "30"
    patient_last: str | None = field(default=None, repr=False)
    """Set when the patient is not the subscriber (a dependent, 2000D)."""
    patient_first: str | None = field(default=None, repr=False)
    patient_birth_date: date | None = field(default=None, repr=False)
    patient_sex: str | None = field(default=None, repr=False)


def build_270(
    inquiries: Sequence[EligibilityInquiry],
    sender: Party,
    receiver: Party,
    isa13: int,
    gs06: int,
    created: datetime,
    usage: str = "T",
) -> str:
    """The 270 interchange asking about ``inquiries`` (at least one)."""
    if not inquiries:
        raise ValueError("a 270 needs at least one member to ask about")
    w = X12Writer()
    w.open_interchange(sender, receiver, isa13, created, usage, ack_requested=False)
    w.open_group("HS", sender, receiver, gs06, created, VERSION)
    w.open_transaction("270", 1, VERSION)
    w.segment("BHT", "0022", "13", f"{isa13:09d}", f"{created:%Y%m%d}", f"{created:%H%M}")
    hl = 0
    ordered = sorted(inquiries, key=lambda q: (q.payer_id, q.provider_npi, q.inquiry_id))
    for (payer_id, payer_name), by_payer in groupby(ordered, lambda q: (q.payer_id, q.payer_name)):
        hl += 1
        payer_hl = hl
        w.segment("HL", str(hl), "", "20", "1")
        w.segment("NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id)
        for (npi, name), by_provider in groupby(
            by_payer, lambda q: (q.provider_npi, q.provider_name)
        ):
            hl += 1
            provider_hl = hl
            w.segment("HL", str(hl), str(payer_hl), "21", "1")
            w.segment("NM1", "1P", "2", name, "", "", "", "", "XX", npi)
            for q in by_provider:
                hl = _member(w, q, hl, provider_hl)
    w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.getvalue()


def _member(w: X12Writer, q: EligibilityInquiry, hl: int, parent: int) -> int:
    dependent = q.patient_last is not None
    hl += 1
    w.segment("HL", str(hl), str(parent), "22", "1" if dependent else "0")
    if not dependent:
        w.segment("TRN", "1", q.inquiry_id, "9" + q.provider_npi[:9])
    w.segment("NM1", "IL", "1", q.subscriber_last, q.subscriber_first, "", "", "", "MI",
              q.member_id)  # fmt: skip
    if not dependent:
        _ask(w, q.subscriber_birth_date, q.subscriber_sex, q)
        return hl
    hl += 1
    w.segment("HL", str(hl), str(hl - 1), "23", "0")
    w.segment("TRN", "1", q.inquiry_id, "9" + q.provider_npi[:9])
    w.segment("NM1", "03", "1", q.patient_last, q.patient_first or "")
    _ask(w, q.patient_birth_date or q.subscriber_birth_date, q.patient_sex or "", q)
    return hl


def _ask(w: X12Writer, birth: date, sex: str, q: EligibilityInquiry) -> None:
    """DMG, DTP*291 and EQ; X279A1 allows only F or M in DMG03, so an unknown sex is omitted."""
    w.segment("DMG", "D8", f"{birth:%Y%m%d}", sex if sex in ("F", "M") else "")
    w.segment("DTP", "291", "D8", f"{q.service_date:%Y%m%d}")
    w.segment("EQ", q.service_type)
