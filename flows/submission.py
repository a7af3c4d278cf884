"""The submission steps of a night, as plain functions over the ledger, S3 and the
clearinghouse; :mod:`flows.nightly` wraps them in Prefect tasks.

Exactly once rests on the ledger, never on Prefect's cache:

1. an encounter file is *taken* (key + ETag) before it is read, *finished* after;
2. encounters pass the rules, then the ledger *admits* them as claims (a claim already
   sent is a duplicate exception; one this same file already built is skipped); an
   encounter a rule *holds* (:mod:`flows.scrub`) is kept in the ledger instead, keyed by
   CLM01 + file like an admission, and once its coding queries are answered it is
   admitted under that same file by a later night (:func:`build_released`), so a rerun of
   either night finds it held, or built;
3. each interchange is built and *recorded* with its exact bytes before any upload;
4. uploads take recorded interchanges from the ledger and send the stored bytes under
   the stored name; the adapter does not send a file the other side already has.

A crash between any two steps leaves the ledger in a state the next run continues from.
Every value these functions return or raise is an ID, a count or money: no PHI.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

# 837P and 837I, one form per interchange (the name tests and hooks know it by)
from edi.claims.build_837i import build_interchanges_by_form as build_interchanges
from edi.claims.build_837p import Interchange
from edi.claims.cob_loops import billed_payer
from edi.claims.intake import Accepted, Refused
from edi.claims.models import Encounter
from edi.claims.records import Record
from edi.findings import Finding
from edi.rules.duplicates import DUPLICATE_SERVICE, service_keys
from edi.rules.record import FILE_UNREADABLE
from edi.rules.registry import CheckContext
from flows.clearinghouse.base import Clearinghouse, upload_name
from flows.faults import checkpoint
from flows.holds import record_holds, refuse_released, take_released, warning_dicts
from flows.ledger import (
    ClaimException,
    ClaimRecord,
    ClaimsAlreadyRecorded,
    InterchangeClaim,
    InterchangeRecord,
    Ledger,
)
from flows.ledger.files import FILE_LEASE, UPLOAD_LEASE
from flows.ledger.held import ClaimCheck, HoldState
from flows.ledger.interchanges import MAX_FINDINGS, InterchangeFinding
from flows.ledger.records import DUPLICATE_RULE_ID
from flows.s3 import Area, S3Object, S3Store
from flows.scrub import Held, NightChecks, releases_of, triage
from flows.sources import DEFAULT_LIMITS, ReadLimits, is_encounter_file, records_from_stream
from mappings.profiles import ClearinghouseProfile

log = logging.getLogger(__name__)


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
    held: int = 0
    """Encounters held tonight for coding review (not built)."""
    held_for_eligibility: int = 0
    """Issue 16: encounters held tonight until their 271 (not coding review)."""
    held_for_front_desk: int = 0
    """Issue 16: encounters held tonight on a recent 271 the front desk must act on."""
    already_held: int = 0
    """Encounters held earlier (a rerun of the same file, or an open hold from another)."""
    holds: dict[str, int] = field(default_factory=dict)
    """Held encounters per rule ID that held them."""
    released: int = 0
    """Claims built tonight from holds released by answered queries."""

    def add(self, other: BuildSummary) -> None:
        for name in (
            "files",
            "encounters",
            "claims",
            "charge",
            "exceptions",
            "duplicates",
            "skipped",
            "held",
            "held_for_eligibility",
            "held_for_front_desk",
            "already_held",
            "released",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.interchanges += other.interchanges
        self.unreadable += other.unreadable
        _count(self.rules, other.rules)
        _count(self.warnings, other.warnings)
        _count(self.holds, other.holds)


def _count(into: dict[str, int], counts: dict[str, int]) -> None:
    for key, count in counts.items():
        into[key] = into.get(key, 0) + count


def new_encounter_files(
    store: S3Store,
    ledger: Ledger,
    business_date: date,
    worker: str,
    lease: timedelta = FILE_LEASE,
) -> list[S3Object]:
    """The day's encounter files this run takes (not done, not held by a live run, or held
    by a run whose ``lease`` ran out)."""
    bucket = store.config.bucket
    taken = [
        obj
        for obj in store.list_area(Area.ENCOUNTERS, business_date)
        if is_encounter_file(obj.key)
        and ledger.take_file(bucket, obj.key, obj.etag, business_date, worker, lease=lease)
    ]
    checkpoint("after_read")
    return taken


def build_files(
    files: Iterable[S3Object],
    *,
    store: S3Store,
    ledger: Ledger,
    profile: ClearinghouseProfile,
    context: CheckContext | NightChecks,
    business_date: date,
    created: datetime,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> BuildSummary:
    """Read, scrub, admit, build and record every file; each file finished when done.

    A file that cannot be read to its end is finished too: what it held before the
    damage is built, and the rest is one exception naming the file.  A replaced file
    (a new ETag) is read again; what was built from the old one is not built twice.
    """
    checks = context if isinstance(context, NightChecks) else NightChecks(context)
    summary = BuildSummary()
    for obj in files:
        with store.open(obj.key, etag=obj.etag) as stream:
            part = _build_file(
                records_from_stream(stream, obj.key.rsplit("/", 1)[-1], limits),
                obj.key,
                ledger=ledger,
                profile=profile,
                checks=checks,
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
    checks: NightChecks,
    business_date: date,
    created: datetime,
) -> BuildSummary:
    summary = BuildSummary(files=1)
    per_interchange = profile.claims_per_transaction * profile.transactions_per_interchange
    batch = _Batch(key, ledger, profile, checks, business_date, created, summary)
    for chunk in _chunks(triage(records, checks, ledger.billed_services), per_interchange):
        refused = [o for o in chunk if isinstance(o, Refused)]
        accepted = [o for o in chunk if isinstance(o, Accepted)]
        accepted = _eligibility_gate(accepted, batch)  # issue 16: held for their 271
        _record_refusals(ledger, refused, key, business_date, summary)
        _record_held([o for o in chunk if isinstance(o, Held)], batch)
        for item in accepted:
            _count(summary.warnings, Counter(f.rule_id for f in item.findings))
        summary.encounters += len(chunk) - sum(_unreadable(o) for o in refused)
        batch.warnings = {o.encounter.claim_id: o.findings for o in accepted}
        pending = [o.encounter for o in accepted]
        while pending:
            pending = _admit_and_record(pending, batch)
    return summary


@dataclass
class _Batch:
    """What admitting and recording one file's (or one night's released) claims needs."""

    key: str
    ledger: Ledger
    profile: ClearinghouseProfile
    checks: NightChecks
    business_date: date
    created: datetime
    summary: BuildSummary
    warnings: dict[str, list[Finding]] = field(default_factory=dict)
    """Each claim's warnings, kept in the ledger once it is admitted."""
    outcomes: dict[str, HoldState] = field(default_factory=dict)
    """For released holds: what admission did with each CLM01."""


def _eligibility_gate(accepted: list[Accepted], batch: _Batch) -> list[Accepted]:
    """Issue 16: clean encounters of payers checked by 270/271 whose member nobody checked
    lately are held for their 271 (:func:`flows.eligibility.hold_unverified`)."""
    from flows.eligibility import checked_payers, hold_unverified
    from flows.settings import Settings

    payers = batch.checks.context.payers
    checked = checked_payers(payers, Settings().eligibility_payers)
    if not checked or not accepted:
        return accepted
    gate = hold_unverified(batch.ledger, accepted, batch.key, batch.business_date, checked, payers)
    batch.summary.already_held += len(gate.already)
    batch.summary.held_for_front_desk += len(gate.front_desk)
    batch.summary.held_for_eligibility += len(gate.held) - len(gate.front_desk)
    return gate.go


def _record_held(held: list[Held], batch: _Batch) -> None:
    if not held:
        return
    outcome = record_holds(batch.ledger, held, batch.key, batch.business_date, batch.checks)
    batch.summary.held += len(outcome.held)
    batch.summary.already_held += len(outcome.already) + len(outcome.open_elsewhere)
    for item in held:
        _count(batch.summary.holds, Counter({f.rule_id for f in item.holding}))


def _admit_and_record(encounters: list[Encounter], batch: _Batch) -> list[Encounter]:
    """Admit, build and record; the encounters to admit again when another run (a file of
    the same night in a parallel batch, or a run that took this file over) recorded
    some of the claims first.  Admitted again, those are duplicates or already handled;
    the rest are built again under new control numbers (unused ones are allowed)."""
    ledger, summary = batch.ledger, batch.summary
    records = [_claim_record(e, batch.key, batch.business_date) for e in encounters]
    admission = ledger.admit_claims(records)
    summary.duplicates += len(admission.duplicates)
    summary.exceptions += len(admission.duplicates)
    summary.skipped += len(admission.handled)
    if admission.duplicates:
        _count(summary.rules, {DUPLICATE_RULE_ID: len(admission.duplicates)})
    batch.outcomes.update({d.clm01: HoldState.DUPLICATE for d in admission.duplicates})
    batch.outcomes.update({clm01: HoldState.SENT for clm01 in admission.handled})
    generations = {a.clm01: a.generation for a in admission.admitted}
    to_build = [e for e in encounters if e.claim_id in generations]
    _keep_checks(to_build, batch)
    services = {e.claim_id: tuple(service_keys(e)) for e in to_build}
    recorded: set[str] = set()
    for ic in build_interchanges(to_build, batch.profile, ledger, batch.created):
        checkpoint("after_build")
        try:
            ledger.record_interchange(
                _interchange_record(ic, batch.profile, generations, batch.business_date, services)
            )
        except ClaimsAlreadyRecorded:
            return [e for e in to_build if e.claim_id not in recorded]
        checkpoint("after_record")
        recorded.update(c.clm01 for c in ic.claims)
        batch.outcomes.update({c.clm01: HoldState.SENT for c in ic.claims})
        summary.interchanges.append(ic.isa13)
        summary.claims += len(ic.claims)
        summary.charge += sum((c.charge for c in ic.claims), Decimal("0.00"))
    return []


def _keep_checks(encounters: list[Encounter], batch: _Batch) -> None:
    """Each admitted claim's warnings and reference releases, in the ledger (a rerun's
    second copy is ignored there)."""
    if not encounters:
        return
    batch.ledger.record_checks(
        [
            ClaimCheck(
                e.claim_id,
                batch.key,
                batch.business_date,
                "sent",
                warning_dicts(batch.warnings.get(e.claim_id, ())),
                releases_of(e, batch.checks),
            )
            for e in encounters
        ]
    )


def build_released(
    *,
    ledger: Ledger,
    profile: ClearinghouseProfile,
    checks: NightChecks,
    business_date: date,
    created: datetime,
) -> BuildSummary:
    """Build the claims coding review released, each under the file it was held from
    (see :mod:`flows.holds`); close each hold with what admission did.  A released claim
    repeating a service billed since it was held is held again (``summary.held``)."""
    summary = BuildSummary()
    released = take_released(ledger, checks)
    summary.held += len(released.held_again)
    _count(summary.holds, Counter(DUPLICATE_SERVICE.id for _ in released.held_again))
    refused = refuse_released(ledger, released.refused, business_date)
    summary.exceptions += sum(refused.values())
    _count(summary.rules, refused)
    for key, items in released.by_file.items():
        batch = _Batch(key, ledger, profile, checks, business_date, created, summary)
        batch.warnings = {e.claim_id: w for _, e, w in items}
        for _, _, warnings in items:
            _count(summary.warnings, Counter(f.rule_id for f in warnings))
        pending = [e for _, e, _ in items]
        while pending:
            pending = _admit_and_record(pending, batch)
        closing = {h.id: batch.outcomes[h.clm01] for h, _, _ in items if h.clm01 in batch.outcomes}
        ledger.close_holds(closing, business_date)
        summary.released += sum(1 for state in closing.values() if state == HoldState.SENT)
    return summary


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _claim_record(encounter: Encounter, key: str, business_date: date) -> ClaimRecord:
    return ClaimRecord(
        encounter_id=encounter.encounter_id,
        payer_id=billed_payer(encounter).payer_id,  # COB: the payer this claim goes to
        charge=encounter.total_charge,
        business_date=business_date,
        source_file=key,
        frequency_code=encounter.frequency_code,
        payer_sequence=encounter.billed_payer_sequence,
        later_payers=max(
            0, len(encounter.other_coverage) - "PST".index(encounter.billed_payer_sequence)
        ),
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
    ic: Interchange,
    profile: ClearinghouseProfile,
    generations: dict[str, int],
    business_date: date,
    services: dict[str, tuple[str, ...]],
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
        claims=[
            InterchangeClaim(c.clm01, generations[c.clm01], int(c.st02), services[c.clm01])
            for c in ic.claims
        ],
    )


@dataclass
class UploadSummary:
    uploaded: list[str] = field(default_factory=list)
    """Remote names of interchanges confirmed in this run."""
    already_confirmed: int = 0
    held: dict[str, str] = field(default_factory=dict)
    """File name → why it was held: SNIP 1-2 errors the guide engine found (999 codes and
    places, no values); a held interchange is never sent."""


def upload_pending(
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    store: S3Store,
    worker: str,
    business_date: date,
    lease: timedelta = UPLOAD_LEASE,
    profile: str | None = None,
) -> UploadSummary:
    """Send every recorded, unconfirmed interchange: archive to S3, upload, confirm.

    The bytes come from the ledger, never from a new build, so a rerun sends exactly what
    was recorded; the adapter does not send what the clearinghouse already has.  With
    ``profile``, only that clearinghouse profile's interchanges (the one ``clearinghouse``
    connects to).
    """
    summary = UploadSummary()
    while pending := ledger.claim_pending_interchanges(worker, lease=lease, profile=profile):
        for item in pending:
            # -- issue 18: the guide engine judges every interchange before it leaves ----
            held = guide_errors(item.content)
            if held is not None:
                why, findings = held
                ledger.hold_interchange(item.id, worker, findings)
                summary.held[item.file_name] = why
                log.error("interchange %s held, not sent: %s", item.file_name, why)
                continue
            # -- end issue 18 ------------------------------------------------------------
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


def guide_errors(content: bytes) -> tuple[str, tuple[InterchangeFinding, ...]] | None:
    """Why an interchange must not be sent (its SNIP 1-2 errors, in words and as the
    ledger keeps them), or None when it may."""
    from edi.validate import EngineUnavailable, describe, validate

    try:
        report = validate(content)
    except EngineUnavailable as exc:
        why = f"the guide engine could not read it: {exc}"
        return why, (InterchangeFinding("file", "", why),)
    if not report.errors:
        return None
    return describe(report.errors), tuple(map(InterchangeFinding.of, report.errors[:MAX_FINDINGS]))
