"""What was finally paid per claim, over every remittance that mentions it.

A claim may be paid in parts, reversed (CLP02 22, negative amounts) and corrected, across
several 835s.  Summing the CLP rows per CLM01 gives the net: a reversal cancels what it
reverses, the correction adds the new amounts.  Duplicated deliveries never reach the
claims table (see :mod:`edi.responses.parse`), so nothing is counted twice.
"""

from __future__ import annotations

import pandas as pd

TOTAL_COLUMNS = (
    "clm01",
    "remit_count",
    "first_payment_date",
    "last_payment_date",
    "charge_cents",
    "paid_cents",
    "patient_responsibility_cents",
    "adjustments_cents",
    "last_status",
    "payer_claim_numbers",
    "reversed",
)


def claim_totals(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per CLM01 of an 835 ``claims`` table (columns :data:`TOTAL_COLUMNS`).

    ``charge_cents`` is the charge of the latest row that is not a reversal; the money
    columns are sums (``Int64``, null when an amount of the claim was unreadable);
    ``last_status`` is CLP02 of the latest row, by payment date, file and order.
    """
    if claims.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in TOTAL_COLUMNS})
    ordered = claims.sort_values(
        ["payment_date", "source", "claim_seq"], na_position="first", kind="stable"
    )
    groups = ordered.groupby("clm01", sort=True, dropna=False)
    money = ["paid_cents", "patient_responsibility_cents", "adjustments_cents"]
    sums = groups[money].sum(min_count=1)
    unreadable = groups[money].agg(lambda s: s.isna().any())
    for column in money:
        sums[column] = sums[column].astype("Int64").mask(unreadable[column])
    reversal = ordered["adjustment_kind"] == "reversal"
    originals = ordered[~reversal.fillna(False)].groupby("clm01", dropna=False)
    out = pd.DataFrame(
        {
            "remit_count": groups["remit_trace"].nunique(dropna=False).astype("Int64"),
            "first_payment_date": groups["payment_date"].min(),
            "last_payment_date": groups["payment_date"].max(),
            "charge_cents": originals["charge_cents"].last().astype("Int64"),
            **{c: sums[c] for c in money},
            "last_status": groups["claim_status"].last(),
            "payer_claim_numbers": groups["payer_claim_number"].agg(_joined_unique),
            "reversed": reversal.fillna(False).groupby(ordered["clm01"], dropna=False).any(),
        }
    )
    return out.reset_index()[list(TOTAL_COLUMNS)]


def _joined_unique(values: pd.Series) -> str:
    return ",".join(dict.fromkeys(v for v in values.dropna() if v))
