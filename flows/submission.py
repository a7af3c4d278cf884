"""The submission steps of a night, as plain functions over the ledger, S3 and the
clearinghouse; :mod:`flows.nightly` wraps them in Prefect tasks.

Exactly once rests on the ledger, never on Prefect's cache:

1. an encounter file is *taken* (key + ETag) before it is read, *finished* after;
2. encounters pass the rules, then the ledger *admits* them as claims (a claim already
   sent is a duplicate exception; one this same file already built is skipped);
3. each interchange is built and *recorded* with its exact bytes before any upload;
4. uploads take recorded interchanges from the ledger and send the stored bytes under
   the stored name; the adapter does not send a file the other side already has.

A crash between any two steps leaves the ledger in a state the next run continues from.
Every value these functions return or raise is an ID, a count or money: no PHI.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from edi.claims.build_837p import Interchange, build_interchanges
from edi.claims.intake import Accepted, Refused, admit
from edi.claims.models import Encounter
from edi.rules.registry import CheckContext
from flows.clearinghouse.base import Clearinghouse, upload_name
from flows.faults import checkpoint
from flows.ledger import (
    ClaimException,
    ClaimRecord,
    InterchangeClaim,
    InterchangeRecord,
    Ledger,
)
from flows.ledger.records import DUPLICATE_RULE_ID
from flows.s3 import Area, S3Object, S3Store
from flows.sources import is_encounter_file, records_from_stream
from mappings.profiles import ClearinghouseProfile


@dataclass
class BuildSummary:
    """What reading and building did; IDs, counts and money only."""

    files: int = 0
    encounters: int = 0
    claims: int = 0
    charge: Decimal = Decimal("0.00")
    exceptions: int = 0
    duplicates: int = 0
    skipped: int = 0
    """Encounters this same file had already put into an interchange (a rerun)."""
    interchanges: list[int] = field(default_factory=list)
    """ISA13 of every interchange recorded."""
    rules: dict[str, int] = field(default_factory=dict)
    """Exceptions per rule ID (the first rejecting rule of each encounter)."""

    def add(self, other: BuildSummary) -> None:
        for name in (
            "files",
            "encounters",
            "claims",
            "charge",
            "exceptions",
            "duplicates",
            "skipped",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.interchanges += other.interchanges
        for rule, count in other.rules.items():
            self.rules[rule] = self.rules.get(rule, 0) + count


def new_encounter_files(
    store: S3Store, ledger: Ledger, business_date: date, worker: str
) -> list[S3Object]:
    """The day's encounter files this run takes (not done, not held by a live run)."""
    taken = [
        obj
        for obj in store.list_area(Area.ENCOUNTERS, business_date)
        if is_encounter_file(obj.key)
        and ledger.take_file(store.config.bucket, obj.key, obj.etag, business_date, worker)
    ]
    checkpoint("after_read")
    return taken


def build_files(
    files: Iterable[S3Object],
    *,
    store: S3Store,
    ledger: Ledger,
    profile: ClearinghouseProfile,
    context: CheckContext,
    business_date: date,
    created: datetime,
) -> BuildSummary:
    """Read, scrub, admit, build and record every file; each file finished when done."""
    summary = BuildSummary()
    for obj in files:
        with store.open(obj.key, etag=obj.etag) as stream:
            part = _build_file(
                stream,
                obj.key.rsplit("/", 1)[-1],
                obj.key,
                ledger=ledger,
                profile=profile,
                context=context,
                business_date=business_date,
                created=created,
            )
        ledger.finish_file(
            store.config.bucket,
            obj.key,
            obj.etag,
            encounters=part.encounters,
            exceptions=part.exceptions,
        )
        summary.add(part)
    return summary


def _build_file(
    stream: BinaryIO,
    name: str,
    key: str,
    *,
    ledger: Ledger,
    profile: ClearinghouseProfile,
    context: CheckContext,
    business_date: date,
    created: datetime,
) -> BuildSummary:
    summary = BuildSummary(files=1)
    per_interchange = profile.claims_per_transaction * profile.transactions_per_interchange
    outcomes = admit(records_from_stream(stream, name), context)
    for chunk in _chunks(outcomes, per_interchange):
        summary.encounters += len(chunk)
        refused = [o for o in chunk if isinstance(o, Refused)]
        accepted = [o.encounter for o in chunk if isinstance(o, Accepted)]
        _record_refusals(ledger, refused, key, business_date, summary)
        if not accepted:
            continue
        admission = ledger.admit_claims([_claim_record(e, key, business_date) for e in accepted])
        summary.duplicates += len(admission.duplicates)
        summary.exceptions += len(admission.duplicates)
        summary.skipped += len(admission.handled)
        if admission.duplicates:
            count = summary.rules.get(DUPLICATE_RULE_ID, 0) + len(admission.duplicates)
            summary.rules[DUPLICATE_RULE_ID] = count
        generations = {a.clm01: a.generation for a in admission.admitted}
        to_build = [e for e in accepted if e.claim_id in generations]
        for ic in build_interchanges(to_build, profile, ledger, created):
            checkpoint("after_build")
            ledger.record_interchange(_interchange_record(ic, profile, generations, business_date))
            checkpoint("after_record")
            summary.interchanges.append(ic.isa13)
            summary.claims += len(ic.claims)
            summary.charge += sum((c.charge for c in ic.claims), Decimal("0.00"))
    return summary


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _claim_record(encounter: Encounter, key: str, business_date: date) -> ClaimRecord:
    return ClaimRecord(
        encounter_id=encounter.encounter_id,
        payer_id=encounter.payer.payer_id,
        charge=encounter.total_charge,
        business_date=business_date,
        source_file=key,
        frequency_code=encounter.frequency_code,
    )


def _record_refusals(
    ledger: Ledger, refused: list[Refused], key: str, business_date: date, summary: BuildSummary
) -> None:
    if not refused:
        return
    exceptions = []
    for item in refused:
        rule = next(f.rule_id for f in item.findings if f.rejects)
        summary.rules[rule] = summary.rules.get(rule, 0) + 1
        exceptions.append(
            ClaimException(
                subject=item.key,
                source_file=key,
                rule_id=rule,
                business_date=business_date,
                reasons=[f.as_dict() for f in item.findings],
            )
        )
    summary.exceptions += len(refused)
    ledger.record_exceptions(exceptions)


def _interchange_record(
    ic: Interchange, profile: ClearinghouseProfile, generations: dict[str, int], business_date: date
) -> InterchangeRecord:
    return InterchangeRecord(
        profile=profile.name,
        sender=profile.sender.id,
        receiver=profile.receiver.id,
        isa13=ic.isa13,
        gs06=ic.gs06,
        file_name=upload_name(profile, ic.isa13, business_date),
        content=ic.data,
        business_date=business_date,
        claims=[InterchangeClaim(c.clm01, generations[c.clm01], int(c.st02)) for c in ic.claims],
    )


@dataclass
class UploadSummary:
    uploaded: list[str] = field(default_factory=list)
    """Remote names of interchanges confirmed in this run."""
    already_confirmed: int = 0


def upload_pending(
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    store: S3Store,
    worker: str,
    business_date: date,
) -> UploadSummary:
    """Send every recorded, unconfirmed interchange: archive to S3, upload, confirm.

    The bytes come from the ledger, never from a new build, so a rerun sends exactly what
    was recorded; the adapter does not send what the clearinghouse already has.
    """
    summary = UploadSummary()
    while pending := ledger.claim_pending_interchanges(worker):
        for item in pending:
            try:
                store.put(
                    store.key(Area.OUTBOUND, business_date, item.file_name),
                    item.content,
                    content_type="application/edi-x12",
                )
                remote = clearinghouse.submit(item.file_name, item.content)
                checkpoint("after_upload")
            except BaseException:
                ledger.release_interchange(item.id, worker)
                raise
            if ledger.mark_uploaded(item.id, remote):
                summary.uploaded.append(remote)
            else:
                summary.already_confirmed += 1
            checkpoint("after_mark")
    return summary
