"""Where the worklist files go: a local folder per day, and S3 ``worklists/DATE/`` when set.

S3 objects are written once (see :mod:`flows.s3`).  A second build on the same business
day whose files differ (billers imported edits in between) writes into
``worklists/DATE/rerun-HHMMSS/`` instead, so no export is ever overwritten.  The inbox for
edited workbooks is ``PREFIX/worklists/inbox/``; the ledger's file registry
(``take_file``/``finish_file``) makes each object version imported once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flows.s3 import Area, S3ObjectExists, S3Store

CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".html": "text/html; charset=utf-8",
}


def write_local(folder: Path, name: str, data: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return str(path)


@dataclass
class S3Outputs:
    """Write-once uploads of one build's files."""

    store: S3Store
    business_date: date
    run_at: datetime
    rerun: bool = False

    def put(self, name: str, data: bytes) -> str:
        content_type = CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
        if not self.rerun:
            try:
                written = self.store.put(self._key(name), data, content_type=content_type)
                return self._url(written.key)
            except S3ObjectExists:
                self.rerun = True
        written = self.store.put(self._key(name), data, content_type=content_type)
        return self._url(written.key)

    def _key(self, name: str) -> str:
        if self.rerun:
            name = f"rerun-{self.run_at.strftime('%H%M%S')}/{name}"
        return self.store.key(Area.WORKLISTS, self.business_date, name)

    def _url(self, key: str) -> str:
        return f"s3://{self.store.config.bucket}/{key}"


def inbox_prefix(store: S3Store) -> str:
    parts = [p for p in store.config.prefix.strip("/").split("/") if p]
    return "/".join([*parts, str(Area.WORKLISTS), "inbox"]) + "/"


@dataclass(frozen=True)
class InboxFile:
    key: str
    etag: str

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


def inbox_files(store: S3Store) -> Iterator[InboxFile]:
    """Workbooks and CSV files waiting in the inbox."""
    for obj in store.list(inbox_prefix(store)):
        if obj.key.lower().endswith((".xlsx", ".csv")):
            yield InboxFile(obj.key, obj.etag)


def read_inbox_file(store: S3Store, file: InboxFile) -> bytes:
    with store.open(file.key, etag=file.etag) as body:
        return body.read()
