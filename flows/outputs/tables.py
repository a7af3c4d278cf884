"""CSV and Parquet copies of the worklists, for tools other than Excel.

Parquet keeps the rows table as the core builds it: money in integer ``*_cents``, dates as
dates.  CSV is for people and spreadsheets: money as decimal text (``"25.00"``) under the
column name without ``_cents``, status as the workbook shows it.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flows.outputs.columns import STATUS_LABELS


def parquet_bytes(df: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(_objects_as_text(df), preserve_index=False)
    buffer = BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    out = df.copy()
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
