"""Adapters to clearinghouses: the interface in :mod:`.base`, SFTP in :mod:`.sftp`."""

from flows.clearinghouse.base import (
    AuthenticationFailed,
    Clearinghouse,
    ClearinghouseError,
    Delivery,
    HostKeyMismatch,
    IncompleteResponse,
    RemoteConflict,
    ResponseTooLarge,
    TransientError,
    upload_name,
)

__all__ = [
    "AuthenticationFailed",
    "Clearinghouse",
    "ClearinghouseError",
    "Delivery",
    "HostKeyMismatch",
    "IncompleteResponse",
    "RemoteConflict",
    "ResponseTooLarge",
    "TransientError",
    "upload_name",
]
