"""Encounter files: which run reads which file, so a file is read once; and what of a
night is still unsent, held by which run until when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.ledger.errors import LedgerError
from flows.ledger.models import Claim, IngestedFile, Interchange
from flows.ledger.records import IngestedFileView
from flows.ledger.states import PENDING_UPLOAD, ClaimState, FileStatus
from flows.ledger.store import Store, utcnow

FILE_LEASE = timedelta(hours=1)
"""How long a run holds an encounter file before another run may take it over."""
UPLOAD_LEASE = timedelta(minutes=15)
"""How long a worker holds an interchange's upload (see ``claim_pending_interchanges``)."""


@dataclass(frozen=True, slots=True)
class Held:
    """One piece of a night's work not done yet: a file or an interchange upload."""

    name: str
    """The file's S3 key, or the interchange's upload file name."""
    holder: str | None
    """The run that holds it (``None``: nobody, the next run takes it at once)."""
    until: datetime | None
    """When the holder's lease ends and another run may take it over."""


@dataclass(frozen=True, slots=True)
class Unsent:
    """What of a night has not reached the clearinghouse; IDs and names only."""

    files: list[Held] = field(default_factory=list)
    """Encounter files taken and not finished."""
    uploads: list[Held] = field(default_factory=list)
    """Interchanges recorded and not confirmed uploaded."""
    claims_not_built: int = 0
    """Claims admitted and in no interchange yet."""

    def __bool__(self) -> bool:
        return bool(self.files or self.uploads or self.claims_not_built)

    def describe(self) -> str:
        """One line for ops: what is held, by whom, until when (UTC)."""
        parts = [f"{len(self.files)} file(s) {_list(self.files)}"] if self.files else []
        if self.uploads:
            parts.append(f"{len(self.uploads)} upload(s) {_list(self.uploads)}")
        if self.claims_not_built:
            parts.append(f"{self.claims_not_built} claim(s) admitted and not built")
        return "; ".join(parts) or "nothing"

    def as_dict(self) -> dict[str, object]:
        return {
            "files": [_held_dict(h) for h in self.files],
            "uploads": [_held_dict(h) for h in self.uploads],
            "claims_not_built": self.claims_not_built,
        }


def _list(items: list[Held]) -> str:
    shown = [
        f"{h.name} (held by {h.holder} until {h.until:%Y-%m-%d %H:%M} UTC)"
        if h.holder and h.until
        else f"{h.name} (free)"
        for h in items[:5]
    ]
    return ", ".join(shown) + (" …" if len(items) > 5 else "")


def _held_dict(held: Held) -> dict[str, object]:
    until = held.until.isoformat() if held.until else None
    return {"name": held.name, "holder": held.holder, "until": until}


class FileLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: the encounter files taken in."""

    def take_file(
        self,
        bucket: str,
        key: str,
        etag: str,
        business_date: date,
        worker: str,
        *,
        lease: timedelta = FILE_LEASE,
        now: datetime | None = None,
    ) -> bool:
        """Take an encounter file for reading; ``False`` when it is done or a live run has it.

        ``worker`` identifies the run (the Prefect flow-run ID survives retries, so a retry
        takes its file back at once).  Another run takes a file over only once ``lease`` has
        passed, which is how a crashed run's file is read again.  Reading a file twice is
        harmless anyway, because admission is idempotent; the lease only saves the work.
        """
        now = now or utcnow()
        etag = etag.strip('"')
        where = (IngestedFile.bucket == bucket, IngestedFile.key == key, IngestedFile.etag == etag)

        def work(session: Session) -> bool:
            inserted = session.execute(
                self._insert(IngestedFile)
                .values(
                    bucket=bucket,
                    key=key,
                    etag=etag,
                    business_date=business_date,
                    status=FileStatus.TAKEN,
                    taken_by=worker,
                    taken_at=now,
                )
                .on_conflict_do_nothing(index_elements=["bucket", "key", "etag"])
                .returning(IngestedFile.id)
            ).first()
            if inserted is not None:
                return True
            row = session.scalars(select(IngestedFile).where(*where).with_for_update()).one()
            if row.status == FileStatus.DONE:
                return False
            live = row.taken_at > now - lease
            if row.status == FileStatus.TAKEN and row.taken_by != worker and live:
                return False
            row.status, row.taken_by, row.taken_at, row.finished_at = (
                FileStatus.TAKEN,
                worker,
                now,
                None,
            )
            return True

        return self._transact(work)

    def finish_file(
        self,
        bucket: str,
        key: str,
        etag: str,
        *,
        encounters: int,
        exceptions: int,
        failed: bool = False,
        now: datetime | None = None,
    ) -> None:
        """Mark a taken file done (or failed, so the next run takes it again) with its counts."""
        with self._write() as session:
            row = session.scalars(
                select(IngestedFile).where(
                    IngestedFile.bucket == bucket,
                    IngestedFile.key == key,
                    IngestedFile.etag == etag.strip('"'),
                )
            ).one_or_none()
            if row is None:
                raise LedgerError(f"s3://{bucket}/{key} was never taken; call take_file first")
            row.status = FileStatus.FAILED if failed else FileStatus.DONE
            row.finished_at = now or utcnow()
            row.encounter_count, row.exception_count = encounters, exceptions

    def ingested_files(self, business_date: date | None = None) -> list[IngestedFileView]:
        query = select(IngestedFile).order_by(IngestedFile.id)
        if business_date is not None:
            query = query.where(IngestedFile.business_date == business_date)
        with self._read() as session:
            return [
                IngestedFileView(
                    bucket=r.bucket,
                    key=r.key,
                    etag=r.etag,
                    business_date=r.business_date,
                    status=FileStatus(r.status),
                    taken_by=r.taken_by,
                    taken_at=r.taken_at,
                    finished_at=r.finished_at,
                    encounter_count=r.encounter_count,
                    exception_count=r.exception_count,
                )
                for r in session.scalars(query)
            ]

    def unsent(
        self,
        business_date: date,
        *,
        file_lease: timedelta = FILE_LEASE,
        upload_lease: timedelta = UPLOAD_LEASE,
        key_prefix: str = "",
        profile: str | None = None,
    ) -> Unsent:
        """What of ``business_date`` has not reached the clearinghouse, and who holds it.

        A run reports this at its end, so a run that could not do everything (another
        run, live or crashed, holds a file or an upload) never looks like a clean night.
        ``key_prefix`` (files and the claims read from them) and ``profile`` (uploads)
        narrow it to one clinic's night when one ledger serves many clinics.
        """
        with self._read() as session:
            files = [
                Held(r.key, r.taken_by, r.taken_at + file_lease)
                if r.status == FileStatus.TAKEN
                else Held(r.key, None, None)
                for r in session.scalars(
                    select(IngestedFile)
                    .where(
                        IngestedFile.business_date == business_date,
                        IngestedFile.status != FileStatus.DONE,
                        IngestedFile.key.startswith(key_prefix, autoescape=True),
                    )
                    .order_by(IngestedFile.id)
                )
            ]
            uploads = [
                Held(
                    r.file_name,
                    r.claimed_by,
                    r.claimed_at + upload_lease if r.claimed_at else None,
                )
                for r in session.execute(
                    select(Interchange.file_name, Interchange.claimed_by, Interchange.claimed_at)
                    .where(
                        Interchange.business_date == business_date,
                        Interchange.state.in_(list(PENDING_UPLOAD)),
                        *([Interchange.profile == profile] if profile is not None else []),
                    )
                    .order_by(Interchange.id)
                )
            ]
            not_built = session.scalar(
                select(func.count())
                .select_from(Claim)
                .where(
                    Claim.business_date == business_date,
                    Claim.state == ClaimState.ADMITTED,
                    Claim.source_file.startswith(key_prefix, autoescape=True),
                )
            )
        return Unsent(files, uploads, int(not_built or 0))
