"""The same 835 delivered twice: detected by fingerprint, never counted twice.

A fingerprint is a digest of a payment's identifying segments (BPR, TRN, N1, every CLP
and PLB, elements joined canonically) taken as a set, not a sequence, so a redelivery
matches whatever its envelope control numbers, delimiters, line breaks or the order of
its claims.  The pipeline keeps the fingerprints it has
read (the ledger) and passes them to :func:`edi.responses.parse.parse_any` as ``seen``;
these helpers work on tables already parsed.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import pandas as pd

from edi.responses.tables import ResponseTables

_DETAIL = ("claims", "lines", "adjustments", "remarks", "provider_adjustments")
_KEY = ["source", "isa13", "gs06", "st02", "remit_trace"]


def fingerprints(tables: ResponseTables) -> set[str]:
    """Fingerprints of the payments in ``tables`` that were counted (not duplicates)."""
    payments = tables.payments
    counted = payments[~payments["duplicate"].fillna(False).astype(bool)]
    return set(counted["fingerprint"].dropna())


def is_duplicate(fingerprint: str, seen: AbstractSet[str]) -> bool:
    """Whether a payment with ``fingerprint`` was already read."""
    return fingerprint in seen


def drop_duplicates(tables: ResponseTables, seen: AbstractSet[str]) -> ResponseTables:
    """``tables`` with payments already in ``seen`` (or earlier in ``tables``) flagged
    ``duplicate`` and their detail rows removed; other tables unchanged.

    Use it on tables concatenated from several files; a single parse already does this.
    """
    payments = tables.payments.copy()
    known = set(seen)
    duplicate = []
    for fingerprint, flagged in zip(payments["fingerprint"], payments["duplicate"], strict=True):
        repeated = bool(flagged) or (isinstance(fingerprint, str) and fingerprint in known)
        duplicate.append(repeated)
        if isinstance(fingerprint, str):
            known.add(fingerprint)
    payments["duplicate"] = pd.array(duplicate, dtype="boolean")
    gone = payments.loc[payments["duplicate"].to_numpy(dtype=bool), _KEY]
    if gone.empty:
        return tables.replace(payments=payments)
    drop_keys = set(map(tuple, gone.astype(object).where(gone.notna(), None).to_numpy()))
    kept = {}
    for name in _DETAIL:
        table = getattr(tables, name)
        keys = table[_KEY].astype(object).where(table[_KEY].notna(), None).to_numpy()
        kept[name] = table[[tuple(k) not in drop_keys for k in keys]].reset_index(drop=True)
    return tables.replace(payments=payments, **kept)
