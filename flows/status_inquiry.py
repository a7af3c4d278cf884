"""Nightly claim status inquiries: a 276 for every claim gone quiet, sent exactly once.

For claims past their payer's follow-up days (``no_response_days`` of the payer profile)
with no 835, accepted or not, a 276 (005010X212) batch is built from what the 837 said
(names and IDs are read back from the interchange bytes the ledger keeps, never stored a
second time), recorded in the ledger with its claims under a once-per-claim-and-day key,
then uploaded like an 837.  A rerun sends the recorded-but-unconfirmed files again (the
same bytes) and asks nothing twice; the payer's 277 answers come back through the normal
ingestion (``claims parse`` reads them too) into the status tables and the timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from edi.claims.models import Encounter
from edi.events import ClaimEvent, EventKind
from edi.rules.common import first_service_date, last_service_date
from edi.status.build_276 import StatusInquiry, build_276, trace_of
from edi.x12.control import control_key
from flows.clearinghouse import Clearinghouse
from flows.ledger import Ledger
from flows.ledger.status_inquiries import InquiryCandidate
from flows.worklists.context import interchange_encounters
from mappings.profiles import ClearinghouseProfile, PayerProfile

log = logging.getLogger(__name__)
DEFAULT_FOLLOW_UP_DAYS = 30
CLAIMS_PER_FILE = 1000


@dataclass
class InquirySummary:
    """IDs and counts only."""

    files: list[str] = field(default_factory=list)
    claims: int = 0
    resent: list[str] = field(default_factory=list)
    skipped_unreadable: int = 0
    """Claims whose 837 could not be read back (named in the log by CLM01)."""


def send_status_inquiries(
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    profile: ClearinghouseProfile,
    payers: Mapping[str, PayerProfile],
    business_date: date,
    created: datetime | None = None,
) -> InquirySummary:
    """Send tonight's 276s (see the module docstring); returns what was sent."""
    created = created or datetime.now(UTC)
    summary = InquirySummary()
    for pending in ledger.unsent_status_inquiries(business_date):
        clearinghouse.submit(pending.file_name, pending.content)
        ledger.mark_status_inquiry_sent(pending.id)
        summary.resent.append(pending.file_name)

    def follow_up_days(payer_id: str) -> int:
        payer = payers.get(payer_id)
        return payer.no_response_days if payer else DEFAULT_FOLLOW_UP_DAYS

    candidates = ledger.status_inquiry_candidates(business_date, follow_up_days)
    inquiries = _inquiries(ledger, candidates, summary)
    for start in range(0, len(inquiries), CLAIMS_PER_FILE):
        batch = inquiries[start : start + CLAIMS_PER_FILE]
        sent = _send(ledger, clearinghouse, profile, batch, business_date, created)
        if sent:
            summary.files.append(sent)
            summary.claims += len(batch)
    return summary


def _send(
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    profile: ClearinghouseProfile,
    batch: list[StatusInquiry],
    business_date: date,
    created: datetime,
) -> str | None:
    sender, receiver = profile.sender.party(), profile.receiver.party()
    isa13 = ledger.allocate(control_key("ISA", sender.id, receiver.id))[0]
    gs06 = ledger.allocate(control_key("GS", sender.id, receiver.id))[0]
    local = created.replace(tzinfo=None)
    text = build_276(batch, sender, receiver, profile.submitter.name, isa13, gs06, local,
                     profile.usage)  # fmt: skip
    name = f"{isa13:09d}.276"
    traces = {q.clm01: trace_of(q.clm01, local.date()) for q in batch}
    content = text.encode("ascii")
    file_id = ledger.record_status_inquiry(name, isa13, content, traces, business_date)
    if file_id is None:
        return None  # another run asked about these claims tonight
    clearinghouse.submit(name, content)
    ledger.mark_status_inquiry_sent(file_id)
    at = created if created.tzinfo else created.replace(tzinfo=UTC)
    ledger.apply_events(
        [ClaimEvent(c, EventKind.STATUS_INQUIRED, at, name, ref=t) for c, t in traces.items()]
    )
    log.info("sent 276 %s asking about %d claim(s)", name, len(batch))
    return name


def _inquiries(
    ledger: Ledger, candidates: list[InquiryCandidate], summary: InquirySummary
) -> list[StatusInquiry]:
    by_clm01 = {c.clm01: c for c in candidates}
    encounters = interchange_encounters(ledger, by_clm01)
    found = []
    for clm01, candidate in sorted(by_clm01.items()):
        encounter = encounters.get(clm01)
        if encounter is None:
            summary.skipped_unreadable += 1
            log.warning("claim %s: its 837 could not be read back; no 276 for it", clm01)
            continue
        found.append(inquiry(encounter, clm01, candidate.payer_claim_number))
    return found


def inquiry(encounter: Encounter, clm01: str, payer_claim_number: str | None) -> StatusInquiry:
    """What a 276 asks about one claim, from the encounter its 837 carried."""
    start, end = first_service_date(encounter), last_service_date(encounter)
    bp, sub, patient = encounter.billing_provider, encounter.subscriber, encounter.patient
    billing_name = bp.organization_name or " ".join(filter(None, (bp.first_name, bp.last_name)))
    return StatusInquiry(
        clm01=clm01,
        payer_id=encounter.payer.payer_id,
        payer_name=encounter.payer.name,
        billing_npi=bp.npi,
        billing_name=billing_name,
        member_id=sub.member_id,
        subscriber_last=sub.last_name,
        subscriber_first=sub.first_name,
        subscriber_birth_date=sub.birth_date,
        subscriber_sex=sub.sex,
        charge=encounter.total_charge,
        service_from=start,
        service_to=end,
        payer_claim_number=payer_claim_number,
        patient_last=patient.last_name if patient else None,
        patient_first=patient.first_name if patient else None,
        patient_birth_date=patient.birth_date if patient else None,
        patient_sex=patient.sex if patient else None,
    )
