"""The response side of the pipeline: fetch, archive, parse, and apply the claim events.

Order matters for proof and for safety: the raw bytes are archived to S3 (immutable;
they prove timely filing) before anything else, the file is noted in the ledger by its
SHA-256 (the same bytes delivered twice are parsed once), the claim events it means
(:mod:`edi.responses.events`) are applied (idempotent per claim, kind, source and
reference), and only then is the file marked done at the clearinghouse.  A crash anywhere
repeats harmless work, and the worklists are rebuilt from what the ledger holds
(:func:`day_responses`), never from what one run happened to read.

One file never stops the others: a name that is not safe, a file too large, unreadable
or delivered again under a used name becomes a finding in the summary and the run goes on.
Only trouble that concerns every file (the clearinghouse, S3 or the ledger down) fails
the run, to be retried.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date

from edi.events import ResponseKind
from edi.findings import Finding
from edi.responses import ResponseTables, parse_any
from edi.responses.events import Lookup, SentInterchange, claim_events, response_kind, verdicts
from edi.responses.plb import link_plb, plb_events, resolve_links
from edi.x12.reader import X12ParseError
from flows.clearinghouse.base import (
    AuthenticationFailed,
    Clearinghouse,
    ClearinghouseError,
    HostKeyMismatch,
    ResponseTooLarge,
    TransientError,
)
from flows.eligibility import is_271, on_response
from flows.faults import checkpoint
from flows.inbound_files import file_finding, refused_name, safe_name
from flows.ledger import InterchangeState, Ledger
from flows.s3 import Area, S3ObjectExists, S3ObjectMissing, S3Store
from flows.s3.store import Written
from flows.secondary import on_remittance
from mappings.code_texts import CodeTexts, bundled_code_texts
from mappings.profiles import ClearinghouseProfile

log = logging.getLogger(__name__)

_WHOLE_RUN = (TransientError, AuthenticationFailed, HostKeyMismatch)
"""Clearinghouse errors about the connection, not about one file: the run fails."""


@dataclass
class IngestSummary:
    files: list[str] = field(default_factory=list)
    """Response files parsed in this run (as stored: safe names)."""
    repeated: list[str] = field(default_factory=list)
    """Files whose exact bytes were parsed before (delivered again)."""
    findings: list[Finding] = field(default_factory=list)
    """One per file problem: not fetched, not read, or stored under another name."""
    events: int = 0
    moved: int = 0
    unknown_claims: int = 0
    eligibility_answers: int = 0
    """271 files read (issue 16): each decides the claims held for it."""

    @property
    def unreadable(self) -> dict[str, str]:
        """File → reason, for the files not read (left at the clearinghouse for ops)."""
        return {f.source or "": f.message for f in self.findings if f.rejects}


@dataclass(frozen=True)
class Limits:
    """What one response file may be; a file over a limit is a finding, left for ops."""

    max_bytes: int | None = None


def ingest(
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    store: S3Store,
    profile: ClearinghouseProfile,
    today: date,
    *,
    limits: Limits = Limits(),
    texts: CodeTexts | None = None,
) -> IngestSummary:
    """Fetch, archive, parse and apply every response waiting at the clearinghouse."""
    summary = IngestSummary()
    lookup = _lookup(ledger, profile)
    texts = texts or bundled_code_texts()
    for name in clearinghouse.list_responses():
        refused = refused_name(name)
        if refused is not None:
            _found(summary, refused)
            continue
        _ingest_one(name, ledger, clearinghouse, store, today, limits, texts, lookup, summary)
    return summary


def _ingest_one(
    name: str,
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    store: S3Store,
    today: date,
    limits: Limits,
    texts: CodeTexts,
    lookup: Lookup,
    summary: IngestSummary,
) -> None:
    stored = safe_name(name)
    try:
        data = clearinghouse.fetch(name)
    except _WHOLE_RUN:
        raise
    except ResponseTooLarge as error:
        _found(summary, _unread(stored, str(error), "INGEST.FILE.TOO_LARGE"))
        return
    except ClearinghouseError as error:
        _found(summary, _unread(stored, str(error)))
        return
    answer = is_271(data)  # issue 16: an eligibility answer, with crash points of its own
    checkpoint("ingest_fetched")
    if answer:
        checkpoint("ingest_271_fetched")
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        message = (
            f"{stored} is {len(data)} bytes, over the {limits.max_bytes}-byte cap "
            "(CLAIMS_RESPONSE_MAX_BYTES); not read, left at the clearinghouse"
        )
        _found(summary, _unread(stored, message, "INGEST.FILE.TOO_LARGE"))
        return
    if stored != name:
        _found(summary, _renamed(name, stored))
    digest = hashlib.sha256(data).hexdigest()
    # Archived first, readable or not: the raw bytes are the proof of timely filing.
    archived = _archive(store, today, stored, digest, data, summary)
    checkpoint("ingest_archived")
    try:
        tables = parse_any(data, stored, texts=texts)
    except X12ParseError as error:
        _found(summary, _unread(stored, f"{stored} is not readable X12: {error}"))
        return
    except Exception as error:  # a reader bug on hostile bytes must not stop the night
        log.error("reading %s failed with %s", stored, type(error).__name__)
        message = f"{stored} could not be read ({type(error).__name__}); archived as {archived.key}"
        _found(summary, _unread(stored, message))
        return
    _check_guide(data, stored, summary)  # issue 18: SNIP 1-2 of what comes back
    kind = ResponseKind.ELIGIBILITY_271 if answer else response_kind(tables)
    if ledger.record_response_file(stored, digest, kind, archived.key):
        checkpoint("ingest_recorded")
        if answer:
            checkpoint("ingest_271_recorded")
        _apply(ledger, tables, lookup, summary)
        on_remittance(ledger, store, today, tables, data, stored)  # COB: next payers, once
        if on_response(ledger, data, stored, today) is not None:  # issue 16: held claims
            summary.eligibility_answers += 1
        checkpoint("ingest_applied")
        ledger.mark_response_parsed(digest)
        summary.files.append(stored)
    else:
        summary.repeated.append(stored)
    clearinghouse.mark_done(name)
    checkpoint("ingest_done")


# -- issue 18: every inbound response file judged against its guide ---------------------


def _check_guide(data: bytes, stored: str, summary: IngestSummary) -> None:
    """A warning on the run summary when a response breaks its guide (SNIP 1-2): it is
    still read and applied, since what it says about our claims is what the payer did."""
    from edi.validate import EngineUnavailable, describe, validate

    try:
        errors = validate(data, stored).errors
    except EngineUnavailable as exc:  # no guide to judge by: say so, assert nothing
        finding = file_finding(
            "INGEST.FILE.GUIDE_UNCHECKED",
            stored,
            f"{stored} was read and applied without a guide check: {exc}",
            "Nothing to do unless the file's contents look wrong in the worklists",
            severity="warn",
        )
    else:
        if not errors:
            return
        finding = file_finding(
            "INGEST.FILE.GUIDE",
            stored,
            f"{stored} breaks its implementation guide: {describe(errors)}; it was read "
            "and applied",
            "Tell the clearinghouse: the file should be regenerated to the guide",
            severity="warn",
        )
    _found(summary, finding)


# -- end issue 18 -------------------------------------------------------------------------


def _apply(ledger: Ledger, tables: ResponseTables, lookup: Lookup, summary: IngestSummary) -> None:
    events = list(claim_events(tables, lookup))
    links = link_plb(tables.provider_adjustments, tables.claims, tables.payments)
    events += plb_events(resolve_links(links, ledger.claims_by_reference))  # PLB to claim nets
    outcome = ledger.apply_events(events)
    for verdict in verdicts(tables, lookup):
        state = InterchangeState.ACKNOWLEDGED if verdict.accepted else InterchangeState.REJECTED
        ledger.mark_answered(verdict.interchange_id, state)
    summary.events += outcome.recorded
    summary.moved += outcome.moved
    summary.unknown_claims += len(outcome.unknown)


def _archive(
    store: S3Store, today: date, stored: str, digest: str, data: bytes, summary: IngestSummary
) -> Written:
    """Put the raw bytes under ``inbound/DATE/name``; when that key already holds other
    bytes (the same name delivered twice in a day), under a distinct key beside it."""
    key = store.key(Area.INBOUND, today, stored)
    try:
        return store.put(key, data, content_type="application/edi-x12")
    except S3ObjectExists:
        beside = store.key(Area.INBOUND, today, f"{stored}.{digest[:16]}")
        written = store.put(beside, data, content_type="application/edi-x12")
        _found(
            summary,
            file_finding(
                "INGEST.NAME.REUSED",
                stored,
                f"{stored} was delivered earlier today with other content; this delivery "
                f"is archived as {written.key} and read",
                "Nothing to do unless the payer says one of the two was sent in error",
                severity="warn",
            ),
        )
        return written


def day_responses(
    ledger: Ledger, store: S3Store, today: date, texts: CodeTexts | None = None
) -> ResponseTables | None:
    """Every response file the ledger holds as parsed for ``today``, read again from its
    S3 archive: the worklists' input, the same whether the run crashed or not."""
    texts = texts or bundled_code_texts()
    prefix = store.prefix(Area.INBOUND, today)
    tables = []
    for response in ledger.parsed_responses(prefix):
        if response.kind == ResponseKind.ELIGIBILITY_271:
            continue  # issue 16: no worklist rows; the front-desk sheet is its own
        try:
            with store.open(response.s3_key) as body:
                data = body.read()
        except S3ObjectMissing:
            # Its events are in the ledger; only its worklist rows cannot be rebuilt.
            log.error(
                "the archive of response file %s is missing from S3 (%s); its events are "
                "applied, its worklist rows are left out: restore the object and rerun",
                response.name,
                response.s3_key,
            )
            continue
        tables.append(parse_any(data, response.name, texts=texts))
    return ResponseTables.concat(tables) if tables else None


def _lookup(ledger: Ledger, profile: ClearinghouseProfile) -> Lookup:
    cache: dict[tuple, SentInterchange | None] = {}

    def find(**key: int | None) -> SentInterchange | None:
        if any(value is None for value in key.values()):
            return None  # a control number that is not a number names none of ours
        marker = tuple(sorted(key.items()))
        if marker not in cache:
            cache[marker] = ledger.find_interchange(profile.sender.id, profile.receiver.id, **key)
        return cache[marker]

    return find


def _found(summary: IngestSummary, finding: Finding) -> None:
    summary.findings.append(finding)
    log.warning("%s: %s", finding.rule_id, finding.message)


def _unread(stored: str, message: str, rule_id: str = "INGEST.FILE.UNREADABLE") -> Finding:
    return file_finding(
        rule_id,
        stored,
        message,
        "Look at the file in the clearinghouse's outbound folder: it is left there and "
        "read again by the next run; ask the clearinghouse to resend it if it stays so",
    )


def _renamed(name: str, stored: str) -> Finding:
    return file_finding(
        "INGEST.NAME.RENAMED",
        stored,
        f"response file name {name!a} has characters not allowed in keys; "
        f"stored and read as {stored}",
        "Nothing to do; ask the clearinghouse to use plain file names",
        severity="warn",
    )
