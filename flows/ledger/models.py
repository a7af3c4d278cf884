"""The ledger's tables as SQLAlchemy 2 models; the schema itself is made by the migrations.

Money is integer cents (``*_cents``), timestamps are UTC and come back timezone-aware on
SQLite and PostgreSQL alike, and every uniqueness the exactly-once rules rely on is a
named constraint, so the database, not the code path, has the last word under concurrency.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import BYTEA, JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp; SQLite stores no zone, so it is added back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("ledger timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")
Bytes = LargeBinary().with_variant(BYTEA(), "postgresql")

S3_KEY = 1024
FILE_NAME = 255


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ControlSequence(Base):
    """The last control number handed out per key (``ISA:sender:receiver`` and so on)."""

    __tablename__ = "control_sequences"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)


class IngestedFile(Base):
    __tablename__ = "ingested_files"
    __table_args__ = (UniqueConstraint("bucket", "key", "etag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(S3_KEY))
    etag: Mapped[str] = mapped_column(String(100))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20))
    taken_by: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    encounter_count: Mapped[int | None] = mapped_column(Integer)
    exception_count: Mapped[int | None] = mapped_column(Integer)


class Interchange(Base):
    """One 837 interchange with its exact bytes, so a rerun re-uploads the same file."""

    __tablename__ = "interchanges"
    __table_args__ = (
        UniqueConstraint("sender", "receiver", "isa13"),
        UniqueConstraint("profile", "file_name"),
        Index("ix_interchanges_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile: Mapped[str] = mapped_column(String(50))
    sender: Mapped[str] = mapped_column(String(15))
    receiver: Mapped[str] = mapped_column(String(15))
    isa13: Mapped[int] = mapped_column(BigInteger)
    gs06: Mapped[int] = mapped_column(BigInteger)
    file_name: Mapped[str] = mapped_column(String(FILE_NAME))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(Bytes, deferred=True)
    claim_count: Mapped[int] = mapped_column(Integer)
    business_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    remote_name: Mapped[str | None] = mapped_column(String(FILE_NAME))
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Claim(Base):
    """One generation of a claim: CLM01 plus a generation number per submission attempt.

    A generation enters at most one interchange (``interchange_id``, set once while the
    claim is ``admitted``); a correction (frequency 7/8) or a fix after a rejection is a new
    generation, never a second interchange for the same one.
    """

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("clm01", "generation"),
        Index("ix_claims_state", "state"),
        Index("ix_claims_interchange_id", "interchange_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clm01: Mapped[str] = mapped_column(String(38))
    generation: Mapped[int] = mapped_column(Integer)
    frequency_code: Mapped[str] = mapped_column(String(1))
    payer_id: Mapped[str] = mapped_column(String(80))
    charge_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(20))
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))
    business_date: Mapped[date] = mapped_column(Date)
    source_file: Mapped[str] = mapped_column(String(S3_KEY))
    interchange_id: Mapped[int | None] = mapped_column(ForeignKey("interchanges.id"))
    st02: Mapped[int | None] = mapped_column(Integer)
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # -- COB (issue 13): which payer this generation was billed to (SBR01 P/S/T) --
    payer_sequence: Mapped[str] = mapped_column(String(1), default="P", server_default="P")
    later_payers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many payers the encounter lists after this one: 0 means no 835 of this
    generation can lead to a next-payer claim (its encounter file is not read again)."""


class ClaimExceptionRow(Base):
    """An encounter that did not become a claim; IDs and rule findings only, no PHI."""

    __tablename__ = "claim_exceptions"
    __table_args__ = (UniqueConstraint("subject", "source_file", "rule_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(S3_KEY + 20))
    source_file: Mapped[str] = mapped_column(String(S3_KEY))
    rule_id: Mapped[str] = mapped_column(String(50))
    reasons: Mapped[Any] = mapped_column(Json)
    business_date: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ResponseFile(Base):
    __tablename__ = "response_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(FILE_NAME))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    s3_key: Mapped[str] = mapped_column(String(S3_KEY))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    parsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClaimEventRow(Base):
    """The timeline: every event stays, whether or not it moved the claim's state."""

    __tablename__ = "claim_events"
    __table_args__ = (UniqueConstraint("claim_id", "kind", "source_file", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_file: Mapped[str] = mapped_column(String(S3_KEY))
    ref: Mapped[str] = mapped_column(String(100))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[Any] = mapped_column(Json)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorklistItemRow(Base):
    __tablename__ = "worklist_items"
    __table_args__ = (
        Index("ix_worklist_items_queue_status", "queue", "status"),
        Index("ix_worklist_items_clm01", "clm01"),
    )

    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    queue: Mapped[str] = mapped_column(String(20))
    clm01: Mapped[str] = mapped_column(String(38))
    line_ref: Mapped[str | None] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    times_seen: Mapped[int] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[Any] = mapped_column(Json)


# -- scrub-night: warnings, holds, coding queries ------------------------------------------


class CheckText(Base):
    """Each distinct warning (rule ID, level, message, fix, field) and reference release
    name a night's checks found, kept once: ``claim_checks`` points at them by ID.  A night
    repeats a few hundred distinct warnings over a million claims (a stale ICD-10-CM
    release on every claim), and keeping each claim's sentences in full was the largest
    table of the ledger (bench/bench_million.py).  ``digest`` is the SHA-256 of the
    canonical JSON of ``body`` (:func:`flows.ledger.texts.text_digest`)."""

    __tablename__ = "check_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[Any] = mapped_column(Json)


class ClaimCheckRow(Base):
    """What the night's scrub said of one encounter of one file: the warnings it went out
    with (or was held for) and the reference releases that checked it.  A held claim has
    two rows: ``held`` when it was held, ``sent`` when its release was built.  Rule IDs, levels,
    messages and fixes only: findings carry codes and IDs, never PHI.  ``warnings`` and
    ``releases`` are lists of :class:`CheckText` IDs, in order (the ledger gives them
    back as the warnings and release names)."""

    __tablename__ = "claim_checks"
    __table_args__ = (UniqueConstraint("clm01", "source_file", "disposition"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clm01: Mapped[str] = mapped_column(String(38))
    source_file: Mapped[str] = mapped_column(String(S3_KEY))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    disposition: Mapped[str] = mapped_column(String(10))
    warnings: Mapped[Any] = mapped_column(Json)
    releases: Mapped[Any] = mapped_column(Json)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HeldClaimRow(Base):
    """An encounter held before billing for coding review: never built while held.

    ``(clm01, source_file)`` is its exactly-once key, the same as a claim's admission: a
    rerun of the file finds the hold already there, and a released hold is admitted with
    its original file so a rerun of the release night finds it handled.  ``encounter`` is
    the input as it was; ``answered`` the encounter the answers made (the input is never
    edited).  Both hold PHI and stay in the ledger, like an interchange's bytes."""

    __tablename__ = "held_claims"
    __table_args__ = (
        UniqueConstraint("clm01", "source_file"),
        Index("ix_held_claims_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clm01: Mapped[str] = mapped_column(String(38))
    source_file: Mapped[str] = mapped_column(String(S3_KEY))
    business_date: Mapped[date] = mapped_column(Date)
    payer_id: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(20))
    rule_ids: Mapped[Any] = mapped_column(Json)
    encounter: Mapped[Any] = mapped_column(Json)
    answered: Mapped[Any | None] = mapped_column(Json)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_on: Mapped[date | None] = mapped_column(Date)


class CodingQueryRow(Base):
    """One question to a provider about a held claim, and its answer once imported."""

    __tablename__ = "coding_queries"
    __table_args__ = (Index("ix_coding_queries_status", "status"),)

    query_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    held_id: Mapped[int] = mapped_column(ForeignKey("held_claims.id"))
    clm01: Mapped[str] = mapped_column(String(38))
    rule_id: Mapped[str] = mapped_column(String(50))
    field: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    payload: Mapped[Any] = mapped_column(Json)
    answer: Mapped[str | None] = mapped_column(String(100))
    answer_note: Mapped[str | None] = mapped_column(Text)
    asked_on: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# -- claim status inquiries (276), issue 15 ------------------------------------------------


class StatusInquiryFile(Base):
    """One 276 interchange with its exact bytes, so a rerun re-sends the same file."""

    __tablename__ = "status_inquiry_files"
    __table_args__ = (UniqueConstraint("file_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(FILE_NAME))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    isa13: Mapped[int] = mapped_column(BigInteger)
    claim_count: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(Bytes, deferred=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StatusInquiryRow(Base):
    """One claim asked about on one business date: the unique key makes it once a day."""

    __tablename__ = "status_inquiries"
    __table_args__ = (UniqueConstraint("clm01", "business_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clm01: Mapped[str] = mapped_column(String(38))
    business_date: Mapped[date] = mapped_column(Date)
    trace: Mapped[str] = mapped_column(String(50))
    file_id: Mapped[int] = mapped_column(ForeignKey("status_inquiry_files.id"))


# -- COB (issue 13): the next payer of each claim, once per CLM01 and payer sequence ------


class NextPayerClaim(Base):
    """What an earlier payer's 835 decided for the next payer of a claim.

    One row per CLM01 and payer sequence (``S``/``T``): the database refuses a second, so
    a rerun, the same 835 twice or a reversal and its correction can only update it.
    ``encounter`` is the claim to send (PHI, like an interchange's bytes); ``written_key``
    the encounter file the next night submits it from."""

    __tablename__ = "next_payer_claims"
    __table_args__ = (
        UniqueConstraint("clm01", "payer_sequence"),
        Index("ix_next_payer_claims_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clm01: Mapped[str] = mapped_column(String(38))
    payer_sequence: Mapped[str] = mapped_column(String(1))
    payer_id: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200))
    prior_paid_cents: Mapped[int] = mapped_column(BigInteger)
    prior_claim_number: Mapped[str] = mapped_column(String(50))
    frequency_code: Mapped[str] = mapped_column(String(1), default="1")
    encounter: Mapped[Any] = mapped_column(Json, nullable=True)
    source_file: Mapped[str] = mapped_column(String(S3_KEY))
    decided_on: Mapped[date] = mapped_column(Date)
    written_key: Mapped[str | None] = mapped_column(String(S3_KEY))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InterchangeFindingRow(Base):
    """Why the guide engine held an interchange before upload (issue 18): one SNIP 1-2
    error per row, as a 999/TA1 names it (level, code, segment, element, position) and in
    words; never a value from the file, so no PHI."""

    __tablename__ = "interchange_findings"
    __table_args__ = (UniqueConstraint("interchange_id", "ordinal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchanges.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(8))
    segment_id: Mapped[str | None] = mapped_column(String(3))
    position: Mapped[int | None] = mapped_column(Integer)
    element: Mapped[int | None] = mapped_column(Integer)
    component: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- eligibility (issue 16): 270 files and the inquiries of held claims ---------------------


class EligibilityFile(Base):
    """One 270 interchange with its exact bytes (PHI, like an 837's), so a rerun re-sends
    the same file and never asks again."""

    __tablename__ = "eligibility_files"
    __table_args__ = (UniqueConstraint("file_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(FILE_NAME))
    payer_id: Mapped[str] = mapped_column(String(80))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    isa13: Mapped[int] = mapped_column(BigInteger)
    inquiry_count: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(Bytes, deferred=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EligibilityInquiryRow(Base):
    """The eligibility check of one held claim: one per hold (the database refuses a
    second), asked in a 270 under ``trace`` unless the same member was already being asked
    (``asked_trace`` then names that inquiry, whose answer decides both).  ``answer`` is
    what the 271 decided (the payer's words, the fix, cost sharing, other payers: PHI)."""

    __tablename__ = "eligibility_inquiries"
    __table_args__ = (
        UniqueConstraint("trace"),
        UniqueConstraint("held_id"),
        Index("ix_eligibility_inquiries_member_key", "member_key"),
        Index("ix_eligibility_inquiries_asked_trace", "asked_trace"),
        Index("ix_eligibility_inquiries_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trace: Mapped[str] = mapped_column(String(50))
    asked_trace: Mapped[str] = mapped_column(String(50))
    held_id: Mapped[int] = mapped_column(ForeignKey("held_claims.id"))
    clm01: Mapped[str] = mapped_column(String(38))
    payer_id: Mapped[str] = mapped_column(String(80))
    member_key: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)
    business_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("eligibility_files.id"))
    answer: Mapped[Any | None] = mapped_column(Json)
    answered_on: Mapped[date | None] = mapped_column(Date)


# -- duplicates across nights (issue 14): the services each billed claim carries ------------


class BilledService(Base):
    """A service line of a built claim, by its digest (:func:`edi.rules.duplicates.
    service_key` of payer, member, date of service, procedure and provider: no PHI), so a
    later night tells the same service billed again under another encounter ID.  Written
    in the transaction that records the claim's interchange; a replacement (frequency 7)
    swaps its claim's rows, a void (8) removes them."""

    __tablename__ = "billed_services"
    __table_args__ = (Index("ix_billed_services_clm01", "clm01"),)

    service_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    clm01: Mapped[str] = mapped_column(String(38), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
