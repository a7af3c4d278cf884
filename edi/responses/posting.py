"""The posting export: one row per claim and per line of each remittance, as a
practice-management system posts it (see ``docs/posting-export.md``).

Money is :class:`~decimal.Decimal` dollars with two places (exact; CSV shows ``30.00``,
Parquet stores ``decimal128``).  Claim rows carry the claim-level CAS and the PLBs linked
to the claim; line rows carry the line's CAS; ``provider`` rows carry the PLBs that name no
claim.  For every remittance::

    payment (BPR02) = sum(paid of claim rows) + sum(plb_applied of claim and provider rows)

so the file reconciles to the deposit.  Pure: parsed tables in, a table out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pandas as pd

from edi.responses.plb import CLAIM_REASONS, INTEREST_REASONS
from edi.responses.tables import ResponseTables

GROUPS = ("CO", "PR", "OA", "PI")
POSTING_COLUMNS = (
    "remit_trace",
    "payment_date",
    "payer_id",
    "payer_name",
    "row_type",  # 'claim', 'line' or 'provider' (a PLB naming no claim)
    "clm01",
    "payer_claim_number",
    "claim_status",
    "line_no",
    "line_ref",
    "procedure_code",
    "modifiers",
    "service_date",
    "charge",
    "allowed",
    "paid",
    "patient_responsibility",
    *(f"{g.lower()}_adjustments" for g in GROUPS),
    "adjustments",  # "CO-45 30.00; PR-2 20.00"
    "plb_applied",  # PLB money to (+) or from (-) the claim: minus the PLB amount
    "plb_reasons",  # "WO ICN1 -25.00; L6 ICN1 3.10"
    "interest",  # AMT*I (already inside paid) + L6 PLB interest
    "source",
)


def posting_rows(tables: ResponseTables, links: pd.DataFrame) -> pd.DataFrame:
    """The export of every remittance in ``tables``; ``links`` from
    :func:`edi.responses.plb.link_plb` (resolved or not)."""
    claims = tables.claims
    if "duplicate" in claims:
        claims = claims[~claims["duplicate"].fillna(False).astype(bool)]
    cas = _cas_by(tables.adjustments)
    plb_by_claim: dict[tuple, list[dict]] = defaultdict(list)
    unlinked: list[dict] = []
    for link in links.to_dict("records") if len(links) else []:
        if link["clm01"]:
            plb_by_claim[(link["source"], link["remit_trace"], link["clm01"])].append(link)
        else:
            unlinked.append(link)
    payments = {(p["source"], p["remit_trace"]): p for p in _records(tables.payments)}
    rows = list(_claim_and_line_rows(claims, tables.lines, cas, plb_by_claim, payments))
    rows += [_provider_row(link, payments) for link in unlinked]
    rows += _other_plbs(tables.provider_adjustments, payments)
    return pd.DataFrame(rows, columns=list(POSTING_COLUMNS))


def _claim_and_line_rows(claims, lines, cas, plb_by_claim, payments) -> Iterator[dict]:
    lines_of: dict[tuple, list[dict]] = defaultdict(list)
    for line in _records(lines):
        lines_of[(line["source"], line["claim_seq"])].append(line)
    for c in _records(claims):
        key = (c["source"], c["claim_seq"])
        head = _head(c, payments)
        plbs = plb_by_claim.get((c["source"], c["remit_trace"], c["clm01"]), [])
        plb_cents = -sum(int(p["amount_cents"] or 0) for p in plbs)
        l6 = -sum(int(p["amount_cents"] or 0) for p in plbs if p["reason_code"] in INTEREST_REASONS)
        yield (
            head
            | _money_of(cas.get((*key, None), []))
            | {
                "row_type": "claim",
                "claim_status": c["claim_status"],
                "charge": _dollars(c["charge_cents"]),
                "paid": _dollars(c["paid_cents"]),
                "patient_responsibility": _dollars(c["patient_responsibility_cents"]),
                "plb_applied": _dollars(plb_cents) if plbs else None,
                "plb_reasons": "; ".join(
                    f"{p['reason_code']} {p['reference']} {_dollars(-int(p['amount_cents'] or 0))}"
                    for p in plbs
                ),
                "interest": _dollars(_cents(c["interest_cents"]) + l6)
                if (plbs and l6) or not pd.isna(c["interest_cents"])
                else None,
            }
        )
        for line in sorted(lines_of.get(key, []), key=lambda r: r["line_no"]):
            adjustments = cas.get((*key, line["line_no"]), [])
            pr = sum(a[2] for a in adjustments if a[0] == "PR")
            yield (
                head
                | _money_of(adjustments)
                | {
                    "row_type": "line",
                    "claim_status": c["claim_status"],
                    "line_no": line["line_no"],
                    "line_ref": line["line_ref"],
                    "procedure_code": line["procedure_code"],
                    "modifiers": line["modifiers"],
                    "service_date": line["service_date_start"],
                    "charge": _dollars(line["charge_cents"]),
                    "allowed": _dollars(line["allowed_cents"]),
                    "paid": _dollars(line["paid_cents"]),
                    "patient_responsibility": _dollars(pr),
                }
            )


def _head(c: dict, payments: dict) -> dict[str, Any]:
    payment = payments.get((c["source"], c["remit_trace"]), {})
    return {
        "remit_trace": c["remit_trace"],
        "payment_date": c["payment_date"],
        "payer_id": c["payer_id"],
        "payer_name": payment.get("payer_name"),
        "clm01": c["clm01"],
        "payer_claim_number": c["payer_claim_number"],
        "source": c["source"],
    }


def _provider_row(link: dict, payments: dict) -> dict[str, Any]:
    payment = payments.get((link["source"], link["remit_trace"]), {})
    cents = -int(link["amount_cents"] or 0)
    interest = link["reason_code"] in INTEREST_REASONS
    return {
        "remit_trace": link["remit_trace"],
        "payment_date": link["payment_date"],
        "payer_id": payment.get("payer_id"),
        "payer_name": payment.get("payer_name"),
        "row_type": "provider",
        "plb_applied": _dollars(cents),
        "plb_reasons": f"{link['reason_code']} {link['reference']} {_dollars(cents)}",
        "interest": _dollars(cents) if interest else None,
        "source": link["source"],
    }


def _other_plbs(plb: pd.DataFrame, payments: dict) -> list[dict]:
    """PLBs whose reason names no claim (``CS`` without reference, IRS withholding...)."""
    if plb.empty:
        return []
    others = plb[~plb["reason_code"].isin(CLAIM_REASONS)]
    return [
        _provider_row(
            {
                "source": r["source"],
                "remit_trace": r["remit_trace"],
                "payment_date": r["payment_date"],
                "reason_code": r["reason_code"],
                "reference": r["reference"] or "",
                "amount_cents": r["amount_cents"],
            },
            payments,
        )
        for r in _records(others)
    ]


def _cas_by(adjustments: pd.DataFrame) -> dict[tuple, list[tuple[str, str, int]]]:
    found: dict[tuple, list[tuple[str, str, int]]] = defaultdict(list)
    for a in _records(adjustments):
        line_no = None if pd.isna(a["line_no"]) else a["line_no"]
        found[(a["source"], a["claim_seq"], line_no)].append(
            (str(a["group_code"] or ""), str(a["carc"] or ""), _cents(a["amount_cents"]))
        )
    return found


def _money_of(adjustments: list[tuple[str, str, int]]) -> dict[str, Any]:
    sums = {g: 0 for g in GROUPS}
    for group, _, cents in adjustments:
        if group in sums:
            sums[group] += cents
    out: dict[str, Any] = {f"{g.lower()}_adjustments": _dollars(v) for g, v in sums.items()}
    out["adjustments"] = "; ".join(f"{g}-{r} {_dollars(c)}" for g, r, c in adjustments)
    return out


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return df.to_dict("records") if len(df) else []


def _cents(value: Any) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _dollars(cents: Any) -> Decimal | None:
    if cents is None or pd.isna(cents):
        return None
    return Decimal(int(cents)).scaleb(-2).quantize(Decimal("0.01"))
