"""Build a 276 claim status inquiry batch (005010X212) from the claims we sent.

One interchange, one transaction set; inside it the X212 hierarchy: payer (HL 20), us as
information receiver (21), the billing provider (19), the subscriber (22) and, when the
patient is not the subscriber, the dependent (23), each claim's 2200D/E under the last.
The claim is named as the payer knows it: our CLM01 in REF*EJ (patient control number),
the payer claim number in REF*1K when we have one, the total charge (AMT*T3) and the
service dates (DTP*472).  TRN02, the trace the 277 echoes, is CLM01 + ``-`` + the day,
so each answer lands on its claim and one day's inquiry on one claim has one trace.

Pure: inquiries in, X12 text out; PHI goes only into the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

from edi.x12.writer import Party, X12Writer

VERSION = "005010X212"


@dataclass(frozen=True)
class StatusInquiry:
    """One claim to ask about; names and IDs exactly as the 837 sent them."""

    clm01: str
    payer_id: str
    payer_name: str
    billing_npi: str
    billing_name: str
    member_id: str = field(repr=False)
    subscriber_last: str = field(repr=False)
    subscriber_first: str = field(repr=False)
    subscriber_birth_date: date = field(repr=False)
    subscriber_sex: str = field(repr=False)
    charge: Decimal
    service_from: date
    service_to: date
    payer_claim_number: str | None = None
    patient_last: str | None = field(default=None, repr=False)
    """Set when the patient is not the subscriber (a dependent, HL 23)."""
    patient_first: str | None = field(default=None, repr=False)
    patient_birth_date: date | None = field(default=None, repr=False)
    patient_sex: str | None = field(default=None, repr=False)


def trace_of(clm01: str, day: date) -> str:
    """The 2200D TRN02 of one day's inquiry on one claim (at most 50 characters)."""
    return f"{clm01}-{day:%Y%m%d}"


def clm01_of_trace(trace: str) -> str:
    """The CLM01 inside a trace made by :func:`trace_of` (the trace itself otherwise)."""
    head, _, tail = trace.rpartition("-")
    return head if head and len(tail) == 8 and tail.isdigit() else trace


def build_276(
    inquiries: Sequence[StatusInquiry],
    sender: Party,
    receiver: Party,
    receiver_name: str,
    isa13: int,
    gs06: int,
    created: datetime,
    usage: str = "T",
) -> str:
    """The 276 interchange asking about ``inquiries`` (at least one)."""
    if not inquiries:
        raise ValueError("a 276 needs at least one claim to ask about")
    w = X12Writer()
    w.open_interchange(sender, receiver, isa13, created, usage, ack_requested=False)
    w.open_group("HR", sender, receiver, gs06, created, VERSION)
    w.open_transaction("276", 1, VERSION)
    w.segment("BHT", "0010", "13", f"{isa13:09d}", f"{created:%Y%m%d}", f"{created:%H%M}")
    hl = 0
    day = created.date()
    ordered = sorted(inquiries, key=lambda q: (q.payer_id, q.billing_npi, q.clm01))
    for (payer_id, payer_name), by_payer in groupby(ordered, lambda q: (q.payer_id, q.payer_name)):
        hl += 1
        payer_hl = hl
        w.segment("HL", str(hl), "", "20", "1")
        w.segment("NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id)
        hl += 1
        receiver_hl = hl
        w.segment("HL", str(hl), str(payer_hl), "21", "1")
        w.segment("NM1", "41", "2", receiver_name, "", "", "", "", "46", sender.id)
        for (npi, name), by_provider in groupby(
            by_payer, lambda q: (q.billing_npi, q.billing_name)
        ):
            hl += 1
            provider_hl = hl
            w.segment("HL", str(hl), str(receiver_hl), "19", "1")
            w.segment("NM1", "1P", "2", name, "", "", "", "", "XX", npi)
            for q in by_provider:
                hl = _claim(w, q, hl, provider_hl, day)
    w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.getvalue()


def _claim(w: X12Writer, q: StatusInquiry, hl: int, parent: int, day: date) -> int:
    dependent = q.patient_last is not None
    hl += 1
    w.segment("HL", str(hl), str(parent), "22", "1" if dependent else "0")
    if not dependent:
        w.segment("DMG", "D8", f"{q.subscriber_birth_date:%Y%m%d}", q.subscriber_sex)
    w.segment("NM1", "IL", "1", q.subscriber_last, q.subscriber_first, "", "", "", "MI",
              q.member_id)  # fmt: skip
    if dependent:
        hl += 1
        w.segment("HL", str(hl), str(hl - 1), "23")
        birth = q.patient_birth_date or q.subscriber_birth_date
        w.segment("DMG", "D8", f"{birth:%Y%m%d}", q.patient_sex or "U")
        w.segment("NM1", "QC", "1", q.patient_last, q.patient_first or "")
    w.segment("TRN", "1", trace_of(q.clm01, day))
    if q.payer_claim_number:
        w.segment("REF", "1K", q.payer_claim_number)
    w.segment("REF", "EJ", q.clm01)
    w.segment("AMT", "T3", f"{q.charge:.2f}")
    w.segment("DTP", "472", "RD8", f"{q.service_from:%Y%m%d}-{q.service_to:%Y%m%d}")
    return hl
