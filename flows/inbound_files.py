"""What a response file from the clearinghouse must be before it is fetched, kept or read.

A name comes from someone else's server, so it is never trusted as a path or an S3 key:
a name that could leave the outbound folder (empty, ``.``/``..``, a ``/``, ``\\`` or NUL)
or a hidden file is not fetched at all and stays where it is for ops; any other name is
stored under a safe spelling (:func:`safe_name`).  Each problem is one
:class:`~edi.findings.Finding` about that file; the other files go on.
"""

from __future__ import annotations

import re

from edi.findings import Finding

MAX_NAME = 200
"""Longest name kept as it is (the ledger's column holds 255; a suffix may follow)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_NEVER = ("/", "\\", "\x00")


def refused_name(name: str) -> Finding | None:
    """Why a listed name is not fetched at all (left at the clearinghouse), if it is not."""
    shown = ascii(name)
    if not name or name in (".", "..") or any(c in name for c in _NEVER):
        return file_finding(
            "INGEST.NAME.UNSAFE",
            shown,
            f"response file name {shown} is empty or a path; not fetched",
            "Ask the clearinghouse to deliver responses as plain file names in the "
            "outbound folder; move this file out of it once looked at",
        )
    if name.startswith("."):
        return file_finding(
            "INGEST.NAME.HIDDEN",
            shown,
            f"response file {shown} is a hidden file; not fetched",
            "Look at the file in the clearinghouse's outbound folder: rename it without "
            "the leading dot if it is a response, or remove it",
        )
    return None


def safe_name(name: str) -> str:
    """``name`` spelled with letters, digits, ``.``, ``_`` and ``-`` only, and bounded:
    what becomes the S3 key's last part and the ledger's file name."""
    cleaned = _UNSAFE.sub("_", name).lstrip(".") or "_"
    return cleaned[:MAX_NAME]


def file_finding(
    rule_id: str, source: str, message: str, fix: str, *, severity: str = "reject"
) -> Finding:
    """A finding about one response file as a whole (level 1: the file itself)."""
    return Finding(
        rule_id=rule_id,
        level=1,
        severity="warn" if severity == "warn" else "reject",
        owner="ops",
        message=message,
        fix=fix,
        source=source,
    )
