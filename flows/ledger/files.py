"""Encounter files: which run reads which file, so a file is read once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.ledger.errors import LedgerError
from flows.ledger.models import IngestedFile
from flows.ledger.records import IngestedFileView
from flows.ledger.states import FileStatus
from flows.ledger.store import Store, utcnow


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
        lease: timedelta = timedelta(hours=1),
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
