"""CSV and Parquet copies of the worklists, for tools other than Excel.

Parquet keeps the rows table as the core builds it: money in integer ``*_cents``, dates as
dates.  CSV is for people and spreadsheets: money as decimal text (``"25.00"``) under the
column name without ``_cents``, status as the workbook shows it.  Text from outside (payer
names, claim numbers, billers' notes) that a spreadsheet would run as a formula is
neutralised as OWASP advises ("CSV injection"): a leading ``'`` makes it plain text.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flows.outputs.columns import STATUS_LABELS

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Sheets read a CSV cell as a formula."""
QUOTE = "'"
_QUOTED = (*FORMULA_TRIGGERS, QUOTE)


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it but never evaluates it (OWASP CSV injection).

    Text that already starts with the quote gets one more, so :func:`restore` gives back
    exactly what it was given.
    """
    return QUOTE + text if text.startswith(_QUOTED) else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given: a CSV cell we wrote, as a biller sends it back."""
    return text[1:] if text.startswith(QUOTE) and text[1:].startswith(_QUOTED) else text


def parquet_bytes(df: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(_objects_as_text(df), preserve_index=False)
    buffer = BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def neutralise_text(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` ready for CSV: every text cell through :func:`neutralise`."""
    out = df.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = [neutralise(v) if isinstance(v, str) else v for v in out[column]]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    out = neutralise_text(df)
    for column in [c for c in out.columns if c.endswith("_cents")]:
        out[column.removesuffix("_cents")] = [
            "" if pd.isna(v) else str(Decimal(int(v)).scaleb(-2)) for v in out.pop(column)
        ]
    if "status" in out.columns:
        out["status"] = out["status"].map(lambda s: STATUS_LABELS.get(s, s))
    return out.to_csv(index=False).encode("utf-8")


def _objects_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns with mixed None/str as pandas strings so Arrow types them as strings."""
    out = df.copy()
    for column in out.columns:
        values = out[column].dropna()
        if out[column].dtype == object and len(values) and all(isinstance(v, str) for v in values):
            out[column] = out[column].astype("string")
    return out
