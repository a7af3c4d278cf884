"""The posting export's files: one CSV and one Parquet per remittance (TRN02).

The rows come from :func:`edi.responses.posting.posting_rows`; see
``docs/posting-export.md`` for the columns and how they reconcile to the deposit.
"""

from __future__ import annotations

import re

import pandas as pd

from flows.outputs.tables import csv_bytes, parquet_bytes

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def posting_files(rows: pd.DataFrame) -> dict[str, bytes]:
    """``posting-PAYER-TRN02.csv`` and ``.parquet`` for each remittance in ``rows``."""
    files: dict[str, bytes] = {}
    if rows.empty:
        return files
    keys = rows[["payer_id", "remit_trace"]].fillna("").astype(str)
    for (payer, trace), part in rows.groupby([keys["payer_id"], keys["remit_trace"]], sort=True):
        stem = f"posting-{_safe(payer) or 'payer'}-{_safe(trace) or 'trace'}"
        part = part.reset_index(drop=True)
        files[f"{stem}.csv"] = csv_bytes(part)
        files[f"{stem}.parquet"] = parquet_bytes(part)
    return files


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_")[:60]
