"""277CA (005010X214): the claim-by-claim acknowledgment after a 999 accepted the file.

One 277 transaction set answers one 837 transaction set (2200B TRN02 echoes its BHT03).
Claims are grouped as the guide nests them: payer (2000A, the information source) →
submitter (2000B) → billing provider (2000C) → patient (2000D), whose TRN02 echoes CLM01
and whose REF*1K carries the payer claim number of an accepted claim, the number the 835
will repeat in CLP07.  Batch and provider levels carry accepted/rejected counts and totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import groupby

from edi.claims.read_837 import Envelope837, Transaction837
from edi.x12.control import ControlNumberSource
from edi.x12.reply import Route, close_reply, open_reply, open_reply_group
from edi.x12.writer import X12Writer
from sandbox.front_end import Screening

VERSION = "005010X214"
RECEIVED = ("A1", "19", "PR")
"""Batch/provider level: the payer acknowledges receipt."""


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _date_period(first: date, last: date) -> tuple[str, str]:
    if first == last:
        return "D8", first.strftime("%Y%m%d")
    return "RD8", f"{first:%Y%m%d}-{last:%Y%m%d}"


def _totals(w: X12Writer, screenings: Sequence[Screening], qty: tuple[str, str]) -> None:
    accepted = [s for s in screenings if s.accepted]
    rejected = [s for s in screenings if not s.accepted]
    if accepted:
        w.segment("QTY", qty[0], len(accepted))
    if rejected:
        w.segment("QTY", qty[1], len(rejected))
    if accepted:
        w.segment("AMT", "YU", _money(sum((s.claim.charge for s in accepted), Decimal(0))))
    if rejected:
        w.segment("AMT", "YY", _money(sum((s.claim.charge for s in rejected), Decimal(0))))


def _patient(w: X12Writer, hl: int, parent: int, screening: Screening, today: str) -> None:
    claim = screening.claim
    w.segment("HL", hl, parent, "PT")
    w.segment("NM1", "QC", "1", claim.patient_last, claim.patient_first, None, None, None,
              "MI", claim.member_id)  # fmt: skip
    w.segment("TRN", "2", claim.clm01)
    action = "WQ" if screening.accepted else "U"
    w.segment("STC", screening.status, today, action, _money(claim.charge))
    if screening.payer_claim_number:
        w.segment("REF", "1K", screening.payer_claim_number)
    w.segment("DTP", "472", *_date_period(claim.service_date, claim.service_date_end))


def build_277ca(
    route: Route,
    controls: ControlNumberSource,
    envelope: Envelope837,
    answered: Sequence[tuple[Transaction837, Sequence[Screening]]],
    received: date,
) -> bytes:
    """The 277CA for the accepted 837 transaction sets and the screening of their claims."""
    w = X12Writer(line_breaks=True)
    open_reply(w, route, controls)
    open_reply_group(w, route, controls, "HN", VERSION)
    today = route.created.strftime("%Y%m%d")
    for number, (tx, screenings) in enumerate(answered, start=1):
        w.open_transaction("277", number, VERSION)
        w.segment("BHT", "0085", "08", f"{envelope.isa13}{tx.st02}", today,
                  route.created.strftime("%H%M%S"), "TH")  # fmt: skip
        hl = 0
        by_payer = groupby(
            sorted(screenings, key=lambda s: (s.claim.payer_id, s.claim.billing.npi)),
            key=lambda s: s.claim.payer_id,
        )
        for payer_id, payer_group in by_payer:
            payer_screenings = list(payer_group)
            hl += 1
            source = hl
            w.segment("HL", source, None, "20", "1")
            w.segment("NM1", "PR", "2", payer_screenings[0].claim.payer_name or payer_id,
                      None, None, None, None, "PI", payer_id)  # fmt: skip
            w.segment("TRN", "1", f"{envelope.isa13}{tx.st02}{payer_id}")
            w.segment("DTP", "050", "D8", received.strftime("%Y%m%d"))
            w.segment("DTP", "009", "D8", today)
            hl += 1
            receiver = hl
            w.segment("HL", receiver, source, "21", "1")
            submitter_id = envelope.submitter_id or envelope.sender_id
            w.segment("NM1", "41", "2", envelope.submitter_name or envelope.sender_id,
                      None, None, None, None, "46", submitter_id)  # fmt: skip
            w.segment("TRN", "2", tx.bht03 or tx.st02)
            total = sum((s.claim.charge for s in payer_screenings), Decimal(0))
            w.segment("STC", RECEIVED, today, "WQ", _money(total))
            _totals(w, payer_screenings, ("90", "AA"))
            for npi, provider_group in groupby(payer_screenings, key=lambda s: s.claim.billing.npi):
                provider_screenings = list(provider_group)
                billing = provider_screenings[0].claim.billing
                hl += 1
                provider = hl
                w.segment("HL", provider, receiver, "19", "1")
                w.segment("NM1", "85", "1" if billing.is_person else "2", billing.last_or_org,
                          billing.first_name or None, None, None, None, "XX", npi)  # fmt: skip
                w.segment("TRN", "1", "0")
                provider_total = sum((s.claim.charge for s in provider_screenings), Decimal(0))
                w.segment("STC", RECEIVED, None, "WQ", _money(provider_total))
                _totals(w, provider_screenings, ("QA", "QC"))
                for screening in provider_screenings:
                    hl += 1
                    _patient(w, hl, provider, screening, today)
        w.close_transaction()
    return close_reply(w).encode("ascii")
