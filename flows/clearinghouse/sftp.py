"""The clearinghouse adapter over SFTP (paramiko).

* Key authentication only (no agent, no ~/.ssh lookups); the server's host key must equal
  the one pinned in the profile: an unknown or changed key refuses the connection and is
  never added anywhere.
* Uploads go to ``.NAME.part`` in the inbound folder, are checked for size, then renamed
  to ``NAME``: the other side never sees half a file under a name it would take.  A
  dropped connection leaves at most the ``.part`` file, which the next attempt replaces.
* Responses are read, checked (size as listed; X12 files must end with their IEA) and
  only later archived or deleted, by :meth:`SftpClearinghouse.mark_done`, once the
  caller has stored them.
* Connection trouble is retried with backoff (:mod:`flows.clearinghouse.retry`) on a new
  connection; authentication failures and host-key mismatches fail at once.
"""

from __future__ import annotations

import contextlib
import io
import logging
import posixpath
import socket
import stat
from collections.abc import Callable
from typing import TypeVar

import paramiko

from flows.clearinghouse.base import (
    AuthenticationFailed,
    ClearinghouseError,
    Delivery,
    HostKeyMismatch,
    IncompleteResponse,
    RemoteConflict,
    ResponseTooLarge,
    TransientError,
)
from flows.clearinghouse.credentials import load_private_key, pinned_host_key
from flows.clearinghouse.retry import RetryPolicy, retrying
from flows.faults import checkpoint
from mappings.profiles import Transport

T = TypeVar("T")
log = logging.getLogger(__name__)

PREFETCH_FROM = 256 * 1024
"""Responses larger than this are read with paramiko's pipelined prefetch."""
TEMP_PREFIX = "."
TEMP_SUFFIX = ".part"


class IncompleteFile(Exception):
    """A fetched response is shorter than listed or lacks its trailer (still being written?)."""


def temporary_name(name: str) -> str:
    return f"{TEMP_PREFIX}{name}{TEMP_SUFFIX}"


def _is_temporary(name: str) -> bool:
    """A file still being written: ``.NAME.part`` or ``NAME.tmp``.  Other dot-files are
    listed, so that ingest can say they are there."""
    return (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)) or name.endswith(".tmp")


def x12_complete(data: bytes) -> bool:
    """True unless ``data`` starts like X12 and does not end with an IEA segment."""
    text = data.lstrip()
    if not text.startswith(b"ISA") or len(text) < 106:
        return True
    terminator = text[105:106]
    segments = [s.strip() for s in text.rstrip().split(terminator) if s.strip()]
    return bool(segments) and segments[-1][:3].upper() == b"IEA"


def _in_flight(sent: int, total: int) -> None:
    """paramiko's progress callback of an upload: the ``mid_upload`` crash point."""
    if sent < total:
        checkpoint("mid_upload")


class SftpClearinghouse:
    """:class:`~flows.clearinghouse.base.Clearinghouse` over SFTP for one profile's transport."""

    def __init__(
        self,
        transport: Transport,
        *,
        private_key: paramiko.PKey | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 15.0,
        max_response_bytes: int | None = None,
    ) -> None:
        self.transport = transport
        self.max_response_bytes = max_response_bytes
        """Responses larger than this are not read (they stay for ops); ``None``: no cap."""
        self._host_key = pinned_host_key(transport)
        self._private_key = private_key
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self.where = f"{transport.username}@{transport.host}:{transport.port}"

    # -- connection ------------------------------------------------------------------
    def _connect(self) -> paramiko.SFTPClient:
        if self._sftp is not None:
            return self._sftp
        t = self.transport
        if self._private_key is None:
            self._private_key = load_private_key(t)
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        entry = t.host if t.port == 22 else f"[{t.host}]:{t.port}"
        client.get_host_keys().add(entry, self._host_key.get_name(), self._host_key)
        try:
            client.connect(
                t.host,
                t.port,
                username=t.username,
                pkey=self._private_key,
                look_for_keys=False,
                allow_agent=False,
                timeout=self.timeout,
                banner_timeout=self.timeout,
                auth_timeout=self.timeout,
                channel_timeout=self.timeout,
            )
            sftp = client.open_sftp()
            sftp.get_channel().settimeout(self.timeout)
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise HostKeyMismatch(
                f"host key of {t.host}:{t.port} does not match the pinned key "
                f"(server offered {exc.key.get_name()} {exc.key.fingerprint}, pinned "
                f"{exc.expected_key.get_name()} {exc.expected_key.fingerprint}); "
                "refusing to connect"
            ) from None
        except paramiko.AuthenticationException:
            client.close()
            raise AuthenticationFailed(
                f"{self.where} refused our key for user {t.username!r}; "
                "check the key the clearinghouse has on file"
            ) from None
        except BaseException:
            client.close()
            raise
        self._client, self._sftp = client, sftp
        log.info("connected to %s", self.where)
        return sftp

    def close(self) -> None:
        """Drop the connection (the next operation reconnects); a dead link is fine."""
        with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
            if self._sftp is not None:
                self._sftp.close()
        if self._client is not None:
            self._client.close()
        self._client = self._sftp = None

    def __enter__(self) -> SftpClearinghouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection_alive(self) -> bool:
        transport = self._client.get_transport() if self._client else None
        return bool(transport and transport.is_active())

    def _is_transient(self, exc: BaseException) -> bool:
        if isinstance(exc, ClearinghouseError):
            return False
        if isinstance(exc, IncompleteFile | EOFError | socket.timeout | ConnectionError):
            return True
        if isinstance(exc, paramiko.SSHException):
            return True
        if isinstance(exc, OSError):
            # An SFTP status error arrives as OSError on a live connection; a broken
            # connection also shows as OSError ("Socket is closed"), with the link down.
            return not self._connection_alive()
        return False

    def _run(self, describe: str, operation: Callable[[paramiko.SFTPClient], T]) -> T:
        def attempt() -> T:
            return operation(self._connect())

        try:
            return retrying(attempt, self.retry, self._is_transient, describe, self.close)
        except ClearinghouseError:
            raise
        except Exception as exc:
            if self._is_transient(exc):
                self.close()
                raise TransientError(
                    f"{describe} on {self.where} failed after {self.retry.attempts} attempts: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            raise ClearinghouseError(
                f"{describe} on {self.where} failed: {type(exc).__name__}: {exc}"
            ) from exc

    # -- paths -----------------------------------------------------------------------
    def _inbound(self, name: str) -> str:
        return posixpath.join(self.transport.inbound_dir, name)

    def _outbound(self, name: str) -> str:
        return posixpath.join(self.transport.outbound_dir, name)

    @staticmethod
    def _size(sftp: paramiko.SFTPClient, path: str) -> int | None:
        try:
            return sftp.stat(path).st_size
        except FileNotFoundError:
            return None

    # -- delivery --------------------------------------------------------------------
    def _delivery(self, sftp: paramiko.SFTPClient, name: str) -> tuple[Delivery, int | None]:
        size = self._size(sftp, self._inbound(name))
        if size is not None:
            return Delivery.PENDING, size
        received = self.transport.received_dir
        if received is None:
            return Delivery.UNKNOWN, None
        size = self._size(sftp, posixpath.join(received, name))
        return (Delivery.TAKEN, size) if size is not None else (Delivery.ABSENT, None)

    def delivery(self, name: str) -> Delivery:
        return self._run(f"checking {name}", lambda sftp: self._delivery(sftp, name)[0])

    def submit(self, name: str, data: bytes) -> str:
        if not name or "/" in name or name.startswith(TEMP_PREFIX) or _is_temporary(name):
            raise ValueError(f"not a valid upload name: {name!r}")

        def upload(sftp: paramiko.SFTPClient) -> str:
            state, size = self._delivery(sftp, name)
            if state in (Delivery.PENDING, Delivery.TAKEN):
                if size != len(data):
                    raise RemoteConflict(
                        f"{name} is already {state.value} on {self.where} with {size} bytes, "
                        f"not {len(data)}: a different file has this name"
                    )
                log.info("%s already %s on %s; not uploading again", name, state.value, self.where)
                return name
            temporary = self._inbound(temporary_name(name))
            sftp.putfo(
                io.BytesIO(data), temporary, file_size=len(data), callback=_in_flight, confirm=True
            )
            checkpoint("during_upload")  # crash tests: the bytes are there, not yet renamed
            try:
                sftp.rename(temporary, self._inbound(name))
            except OSError:
                # The rename may have happened with its reply lost, or the server may
                # have taken the file the instant it appeared: look before retrying.
                if self._delivery(sftp, name)[0] not in (Delivery.PENDING, Delivery.TAKEN):
                    raise
            log.info("uploaded %s (%d bytes) to %s", name, len(data), self.where)
            return name

        return self._run(f"uploading {name}", upload)

    # -- responses -------------------------------------------------------------------
    def list_responses(self) -> list[str]:
        def listing(sftp: paramiko.SFTPClient) -> list[str]:
            entries = [
                e
                for e in sftp.listdir_attr(self.transport.outbound_dir)
                if stat.S_ISREG(e.st_mode or 0) and not _is_temporary(e.filename)
            ]
            entries.sort(key=lambda e: (e.st_mtime or 0, e.filename))
            return [e.filename for e in entries]

        return self._run("listing responses", listing)

    def fetch(self, name: str) -> bytes:
        def read(sftp: paramiko.SFTPClient) -> bytes:
            with sftp.open(self._outbound(name), "rb") as f:
                size = f.stat().st_size or 0
                limit = self.max_response_bytes
                if limit is not None and size > limit:
                    raise ResponseTooLarge(
                        f"{name} in {self.transport.outbound_dir} is {size} bytes, over the "
                        f"{limit}-byte cap (CLAIMS_RESPONSE_MAX_BYTES); not read, left there"
                    )
                if size > PREFETCH_FROM:
                    f.prefetch(size)
                data = f.read(size)
            if len(data) != size or not x12_complete(data):
                raise IncompleteFile(f"{name}: {len(data)} of {size} bytes, or no IEA trailer")
            return data

        try:
            return self._run(f"fetching {name}", read)
        except TransientError as error:
            if isinstance(error.__cause__, IncompleteFile):
                raise IncompleteResponse(
                    f"{name} in {self.transport.outbound_dir} is incomplete or not X12 "
                    "(no IEA trailer); left there"
                ) from error
            raise

    def mark_done(self, name: str) -> None:
        archive = self.transport.archive_dir

        def delete(sftp: paramiko.SFTPClient) -> None:
            with contextlib.suppress(FileNotFoundError):  # deleted by an earlier attempt
                sftp.remove(self._outbound(name))

        def archive_it(sftp: paramiko.SFTPClient) -> None:
            assert archive is not None
            source, target = self._outbound(name), posixpath.join(archive, name)
            try:
                sftp.rename(source, target)
                return
            except OSError:
                if not self._connection_alive():
                    raise
            # The rename failed: archived by an earlier attempt, or the name is taken.
            size, archived = self._size(sftp, source), self._size(sftp, target)
            if size is None and archived is not None:
                return
            if size is None:
                raise ClearinghouseError(f"{name} is neither in outbound nor in {archive}")
            if archived == size:
                sftp.remove(source)
                return
            n = 1
            while self._size(sftp, f"{target}.{n}") is not None:
                n += 1
            sftp.rename(source, f"{target}.{n}")

        if archive is None:
            self._run(f"deleting {name}", delete)
        else:
            self._run(f"archiving {name}", archive_it)
