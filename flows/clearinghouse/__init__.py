"""Adapters to clearinghouses: the interface in :mod:`.base`, SFTP in :mod:`.sftp`.

The profile's ``transport.kind`` chooses the adapter (:func:`connect`); a new transport is a
module here implementing :class:`Clearinghouse`, one entry in :data:`ADAPTERS` and its kind
in ``mappings.profiles.Transport``.
"""

from collections.abc import Callable
from importlib import import_module
from typing import Any

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

ADAPTERS: dict[str, str] = {"sftp": "flows.clearinghouse.sftp:SftpClearinghouse"}
"""Transport kind → ``module:class`` of its adapter, imported only when a run uses it."""


def connect(transport: Any, **options: Any) -> Clearinghouse:
    """The adapter for ``transport.kind``, made with the profile's transport settings and
    ``options`` (retry policy, fetch cap); close it when done."""
    where = ADAPTERS.get(transport.kind)
    if where is None:
        known = ", ".join(sorted(ADAPTERS))
        raise ValueError(f"transport kind {transport.kind!r} has no adapter (known: {known})")
    module, _, name = where.partition(":")
    adapter: Callable[..., Clearinghouse] = getattr(import_module(module), name)
    return adapter(transport, **options)


__all__ = [
    "ADAPTERS",
    "AuthenticationFailed",
    "Clearinghouse",
    "ClearinghouseError",
    "Delivery",
    "HostKeyMismatch",
    "IncompleteResponse",
    "RemoteConflict",
    "ResponseTooLarge",
    "TransientError",
    "connect",
    "upload_name",
]
