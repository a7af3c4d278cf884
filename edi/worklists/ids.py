"""Stable worklist item IDs: the same problem seen again is the same row.

An ID hashes what makes a problem the same problem: its queue, the claim (CLM01), the line
(our REF*6R line control number, echoed as REF*6R) and the reason (CAS group + CARC, or the
rejection's source and code).  Amounts, dates and files are left out on purpose: a denial
repeated by tomorrow's 835, or after a corrected claim, keeps its row, its status and its
notes.  IDs carry no PHI, so they may appear in logs and Prefect artifacts.
"""

from __future__ import annotations

import hashlib

PREFIXES = {"rejections": "REJ", "denials": "DEN", "no_response": "NRS", "info_requested": "INF"}


def item_id(queue: str, clm01: str, line_ref: str | None, *reason: str) -> str:
    """``DEN-`` + 16 hex digits of SHA-256 over queue, CLM01, line and reason."""
    key = "|".join([queue, clm01.strip().upper(), (line_ref or "").strip().upper(), *reason])
    return f"{PREFIXES[queue]}-{hashlib.sha256(key.encode()).hexdigest()[:16].upper()}"


def fallback_line_ref(procedure_code: str, modifiers: str, service_date: str) -> str:
    """A line reference for an 835 line without REF*6R: code, modifiers and date of service."""
    mods = f":{modifiers.replace('|', ':')}" if modifiers else ""
    return f"{procedure_code}{mods}@{service_date}"


def payer_sequence(claim_status: str) -> str:
    """COB: an 835's CLP02 as the payer's place: 2/20 secondary, 3/21 tertiary, else P."""
    return {"2": "S", "20": "S", "3": "T", "21": "T"}.get(claim_status, "P")
