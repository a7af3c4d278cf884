"""How the pipeline talks to any clearinghouse: the interface and its errors.

Four verbs cover what real clearinghouses offer over SFTP (837s into an inbound folder,
TA1/999/277CA/835 out of an outbound folder), plus :meth:`Clearinghouse.delivery`, the
question the pipeline's reconcile step asks after a crash: did interchange X reach them?

Errors say which kind of failure happened, because the right reaction differs: a
:class:`TransientError` was already retried with backoff and may succeed later;
:class:`AuthenticationFailed` and :class:`HostKeyMismatch` need a person (a key to
install, a host key to verify out of band) and are never retried.  Messages carry host,
port, user, folder and file names only, never key material or file contents.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Protocol

from mappings.profiles import ClearinghouseProfile


class ClearinghouseError(Exception):
    """A clearinghouse operation failed in a way retrying will not fix."""


class AuthenticationFailed(ClearinghouseError):
    """The server refused our key (or the key could not be loaded): fix the credentials."""


class HostKeyMismatch(ClearinghouseError):
    """The server's host key is not the pinned one (or none is pinned): never connect."""


class RemoteConflict(ClearinghouseError):
    """A different file already has this name on the clearinghouse side."""


class IncompleteResponse(ClearinghouseError):
    """A response file stayed short or without its X12 trailer over every retry: it is left
    at the clearinghouse for a later run (it may still be being written) or for ops."""


class ResponseTooLarge(ClearinghouseError):
    """A response file is larger than the fetch allows (``CLAIMS_RESPONSE_MAX_BYTES``): it is
    not read and stays at the clearinghouse for ops."""


class TransientError(ClearinghouseError):
    """Connection or transfer failures that outlasted every retry."""


class Delivery(StrEnum):
    """Where an uploaded file stands, as far as the clearinghouse lets us see."""

    PENDING = "pending"
    """Complete, under its final name in the inbound folder, not yet taken."""
    TAKEN = "taken"
    """Listed by the clearinghouse as received (its ``received_dir``)."""
    ABSENT = "absent"
    """Neither waiting nor listed as received: it never arrived."""
    UNKNOWN = "unknown"
    """Not waiting, and this clearinghouse lists nothing it took: ask the acknowledgments."""


class Clearinghouse(Protocol):
    """A clearinghouse connection; use as a context manager, close() when done."""

    def submit(self, name: str, data: bytes) -> str:
        """Deliver ``data`` as ``name`` in the inbound folder; returns the remote name.

        Idempotent: when the same file (same name, same size) is already waiting or was
        already taken, nothing is uploaded again.  The other side never sees a partial
        file under ``name``.
        """
        ...

    def delivery(self, name: str) -> Delivery:
        """Whether ``name`` reached the clearinghouse (see :class:`Delivery`)."""
        ...

    def list_responses(self) -> list[str]:
        """Names of complete response files waiting in the outbound folder, oldest first."""
        ...

    def fetch(self, name: str) -> bytes:
        """The verified bytes of response ``name`` (size checked, X12 trailer present)."""
        ...

    def mark_done(self, name: str) -> None:
        """Archive (or delete, per profile) a response already fetched and stored."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Clearinghouse: ...

    def __exit__(self, *exc: object) -> None: ...


def upload_name(profile: ClearinghouseProfile, isa13: int, day: date) -> str:
    """The file name the profile asks for (``{isa13}`` is the 9-digit control number)."""
    return profile.transport.file_name.format(
        isa13=f"{isa13:09d}", date=day.strftime("%Y%m%d"), profile=profile.name
    )
