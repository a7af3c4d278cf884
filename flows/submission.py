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
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# 837P and 837I, one form per interchange (the name tests and hooks know it by)
from edi.claims.build_837i import build_interchanges_by_form as build_interchanges
from edi.claims.build_837p import Interchange
from edi.claims.intake import Accepted, Refused, admit
from edi.claims.models import Encounter
from edi.claims.records import Record
from edi.rules.record import FILE_UNREADABLE
from edi.rules.registry import CheckContext
from flows.clearinghouse.base import Clearinghouse, upload_name
from flows.faults import checkpoint
from flows.ledger import (
    ClaimException,
    ClaimRecord,
    ClaimsAlreadyRecorded,
    InterchangeClaim,
    InterchangeRecord,
    Ledger,
)
from flows.ledger.records import DUPLICATE_RULE_ID
from flows.s3 import Area, S3Object, S3Store
from flows.sources import DEFAULT_LIMITS, ReadLimits, is_encounter_file, records_from_stream
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
    warnings: dict[str, int] = field(default_factory=dict)
    """Warnings per rule ID on claims that went out (a payer without a profile, text
    changed for X12); the claims themselves are unaffected."""
    unreadable: list[str] = field(default_factory=list)
    """Keys of files that could not be read to their end (each is also an exception)."""

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
        self.unreadable += other.unreadable
        _count(self.rules, other.rules)
        _count(self.warnings, other.warnings)


def _count(into: dict[str, int], counts: dict[str, int]) -> None:
    for key, count in counts.items():
        into[key] = into.get(key, 0) + count


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
    limits: ReadLimits = DEFAULT_LIMITS,
) -> BuildSummary:
    """Read, scrub, admit, build and record every file; each file finished when done.

    A file that cannot be read to its end is finished too: what it held before the
    damage is built, and the rest is one exception naming the file.  A replaced file
    (a new ETag) is read again; what was built from the old one is not built twice.
    """
    summary = BuildSummary()
    for obj in files:
        with store.open(obj.key, etag=obj.etag) as stream:
            part = _build_file(
                records_from_stream(stream, obj.key.rsplit("/", 1)[-1], limits),
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
    records: Iterable[Record],
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
    for chunk in _chunks(admit(records, context), per_interchange):
        refused = [o for o in chunk if isinstance(o, Refused)]
        accepted = [o for o in chunk if isinstance(o, Accepted)]
        _record_refusals(ledger, refused, key, business_date, summary)
        for item in accepted:
            _count(summary.warnings, Counter(f.rule_id for f in item.findings))
        summary.encounters += len(chunk) - sum(_unreadable(o) for o in refused)
        pending = [o.encounter for o in accepted]
        while pending:
            pending = _admit_and_record(
                pending, key, ledger, profile, business_date, created, summary
            )
    return summary


def _admit_and_record(
    encounters: list[Encounter],
    key: str,
    ledger: Ledger,
    profile: ClearinghouseProfile,
    business_date: date,
    created: datetime,
    summary: BuildSummary,
) -> list[Encounter]:
    """Admit, build and record; the encounters to admit again when another run (a file of
    the same night in a parallel batch, or a run that took this file over) recorded
    some of the claims first.  Admitted again, those are duplicates or already handled;
    the rest are built again under new control numbers (unused ones are allowed)."""
    admission = ledger.admit_claims([_claim_record(e, key, business_date) for e in encounters])
    summary.duplicates += len(admission.duplicates)
    summary.exceptions += len(admission.duplicates)
    summary.skipped += len(admission.handled)
    if admission.duplicates:
        _count(summary.rules, {DUPLICATE_RULE_ID: len(admission.duplicates)})
    generations = {a.clm01: a.generation for a in admission.admitted}
    to_build = [e for e in encounters if e.claim_id in generations]
    recorded: set[str] = set()
    for ic in build_interchanges(to_build, profile, ledger, created):
        checkpoint("after_build")
        try:
            ledger.record_interchange(_interchange_record(ic, profile, generations, business_date))
        except ClaimsAlreadyRecorded:
            return [e for e in to_build if e.claim_id not in recorded]
        checkpoint("after_record")
        recorded.update(c.clm01 for c in ic.claims)
        summary.interchanges.append(ic.isa13)
        summary.claims += len(ic.claims)
        summary.charge += sum((c.charge for c in ic.claims), Decimal("0.00"))
    return []


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


def _unreadable(item: Refused) -> bool:
    """The rest of the file, not an encounter."""
    return item.findings[0].rule_id == FILE_UNREADABLE.id


def _record_refusals(
    ledger: Ledger, refused: list[Refused], key: str, business_date: date, summary: BuildSummary
) -> None:
    if not refused:
        return
    exceptions = []
    for item in refused:
        rule = next(f.rule_id for f in item.findings if f.rejects)
        summary.rules[rule] = summary.rules.get(rule, 0) + 1
        if _unreadable(item):
            summary.unreadable.append(key)
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
