"""835 provider-level adjustments (PLB) linked to the claims they name.

A PLB is money the payer adds to or takes from the whole payment, but most of them concern
one claim: a recoupment of an earlier overpayment (``WO``), an authorized return (``72``),
a forward balance (``FB``), or interest on a late claim (``L6``).  Their PLB03-2 reference
names the claim, usually by the payer's claim control number (CLP07, the ICN) and
sometimes by our CLM01.  Linking them lets the ledger post them to that claim's net, so a
claim the payer took money back from no longer shows as paid.

Sign: a PLB amount is positive when it *reduces* the payment, so the claim's net moves by
minus the PLB amount (a recoupment of 25.00 takes 25.00 from the claim; interest of -3.10
adds 3.10).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pandas as pd

from edi.events import ClaimEvent, EventKind

CLAIM_REASONS = frozenset({"WO", "72", "FB", "L6", "CS", "J1", "50", "51", "90", "WU"})
"""PLB reasons whose reference names one claim (recoupments, returns, interest...)."""
INTEREST_REASONS = frozenset({"L6"})
RECOUPMENT_REASONS = frozenset({"WO", "72", "FB", "J1", "WU", "CS", "50", "51", "90"})

LINK_COLUMNS = (
    "source",
    "remit_trace",
    "payment_date",
    "payer_id",
    "reason_code",
    "reference",
    "amount_cents",
    "clm01",
    "payer_claim_number",
    "linked_by",
)
"""One row per claim-level PLB: ``linked_by`` is 'clm01', 'payer_claim_number' or ''."""

Resolve = Callable[[list[str]], Mapping[str, tuple[str, str | None]]]
"""References -> (CLM01, payer claim number) for claims not in the same 835 (the ledger)."""


def reference_key(reference: object) -> str:
    """The part of a PLB reference that names a claim: upper-cased, first word only
    (Medicare appends the HIC number after a space)."""
    text = reference if isinstance(reference, str) else ""
    parts = text.strip().upper().split()
    return parts[0] if parts else ""


def link_plb(plb: pd.DataFrame, claims: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
    """Claim-level PLBs (see :data:`CLAIM_REASONS`) with the claim of the same 835 they name."""
    if plb.empty:
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    wanted = plb[plb["reason_code"].isin(CLAIM_REASONS)]
    by_clm01: dict[tuple[str, str], tuple[str, str | None]] = {}
    by_icn: dict[tuple[str, str], tuple[str, str | None]] = {}
    for row in claims.itertuples():
        icn = _text(row.payer_claim_number) or None
        by_clm01[(row.source, _text(row.clm01).upper())] = (_text(row.clm01), icn)
        if icn:
            by_icn[(row.source, icn.upper())] = (_text(row.clm01), icn)
    payer_of = {(r.source, r.remit_trace): _text(r.payer_id) for r in payments.itertuples()}
    rows = []
    for row in wanted.itertuples():
        key = reference_key(row.reference)
        found, how = by_icn.get((row.source, key)), "payer_claim_number"
        if found is None:
            found, how = by_clm01.get((row.source, key)), "clm01"
        clm01, icn = found if found else ("", None)
        rows.append(
            {
                "source": row.source,
                "remit_trace": row.remit_trace,
                "payment_date": row.payment_date,
                "payer_id": payer_of.get((row.source, row.remit_trace), ""),
                "reason_code": row.reason_code,
                "reference": _text(row.reference),
                "amount_cents": row.amount_cents,
                "clm01": clm01,
                "payer_claim_number": icn,
                "linked_by": how if found else "",
            }
        )
    return pd.DataFrame(rows, columns=list(LINK_COLUMNS))


def resolve_links(links: pd.DataFrame, resolve: Resolve | None) -> pd.DataFrame:
    """Fill the links the 835 itself could not make from ``resolve`` (earlier claims)."""
    if resolve is None or links.empty:
        return links
    missing = links["linked_by"] == ""
    refs = sorted({reference_key(r) for r in links.loc[missing, "reference"]} - {""})
    if not refs:
        return links
    known = resolve(refs)
    links = links.copy()
    for index in links.index[missing]:
        found = known.get(reference_key(links.at[index, "reference"]))
        if found:
            links.at[index, "clm01"], links.at[index, "payer_claim_number"] = found
            links.at[index, "linked_by"] = "ledger"
    return links


def plb_events(links: pd.DataFrame) -> Iterator[ClaimEvent]:
    """One money event per linked PLB, posted to the claim's net (never its state)."""
    for row in links.itertuples():
        if not row.clm01 or pd.isna(row.amount_cents):
            continue
        cents = int(row.amount_cents)
        interest = row.reason_code in INTEREST_REASONS
        yield ClaimEvent(
            row.clm01,
            EventKind.INTEREST if interest else EventKind.PROVIDER_ADJUSTMENT,
            _at(row.payment_date),
            f"835:{row.payer_id}:{row.remit_trace}",
            ref=f"PLB:{row.reason_code}:{reference_key(row.reference)}:{cents}",
            amount=Decimal(-cents).scaleb(-2),
            payer_claim_number=row.payer_claim_number or None,
            details={
                "plb_reason": row.reason_code,
                "reference": reference_key(row.reference),
                "file": row.source,
            },
        )


def _at(day: object) -> datetime:
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    if isinstance(day, date):
        return datetime.combine(day, time(), tzinfo=UTC)
    return datetime.now(UTC)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
