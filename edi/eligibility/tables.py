"""271 answers as tables (``claims parse`` reads 271 files): one row per answer, per benefit
and per other payer, joined by ``trace`` (TRN02) and ``source`` (the file).

Money is integer cents (``*_cents``, ``Int64``), like the response tables; codes stay codes
and multi-valued cells are ``|``-joined.  Pure: answers in, DataFrames out.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pandas as pd

from edi.eligibility.read_271 import EligibilityAnswer, cost_sharing

TABLES = ("eligibility", "eligibility_benefits", "eligibility_other_payers")
COLUMNS = {
    "eligibility": ("source", "trace", "level", "coverage", "last_name", "first_name",
                    "member_id", "birth_date", "plan_begin", "plan_end", "eligibility_begin",
                    "eligibility_end", "coverage_levels", "copay_cents", "coinsurance",
                    "deductible_remaining_cents", "out_of_pocket_remaining_cents", "rejections",
                    "other_payers", "messages"),
    "eligibility_benefits": ("source", "trace", "benefit", "code", "coverage_level",
                             "service_types", "time_period", "amount_cents", "percent"),
    "eligibility_other_payers": ("source", "trace", "role", "name", "payer_id", "member_id"),
}  # fmt: skip
_COVERED = {True: "active", False: "inactive", None: "unknown"}


def eligibility_tables(answers: Iterable[tuple[str, EligibilityAnswer]]) -> dict[str, pd.DataFrame]:
    """The three tables of ``(source, answer)`` pairs."""
    rows, benefits, others = [], [], []
    for source, a in answers:
        money = cost_sharing(a)
        rows.append({
            "source": source, "trace": a.inquiry_id, "level": a.level,
            "coverage": _COVERED[a.covered()],
            "last_name": a.last_name, "first_name": a.first_name, "member_id": a.member_id,
            "birth_date": a.birth_date,
            "plan_begin": a.dates.get("plan_begin", ""), "plan_end": a.dates.get("plan_end", ""),
            "eligibility_begin": a.dates.get("eligibility_begin", ""),
            "eligibility_end": a.dates.get("eligibility_end", ""),
            "coverage_levels": "|".join(dict.fromkeys(b.coverage_level for b in a.benefits
                                                      if b.coverage_level)),
            "copay_cents": _cents(money.get("copay")),
            "coinsurance": money.get("coinsurance", ""),
            "deductible_remaining_cents": _cents(money.get("deductible")),
            "out_of_pocket_remaining_cents": _cents(money.get("out_of_pocket")),
            "rejections": "|".join(a.rejections),
            "other_payers": "|".join(p.name for p in a.other_payers),
            "messages": "|".join(a.messages),
        })  # fmt: skip
        for n, b in enumerate(a.benefits, start=1):
            benefits.append({
                "source": source, "trace": a.inquiry_id, "benefit": n, "code": b.code,
                "coverage_level": b.coverage_level, "service_types": "|".join(b.service_types),
                "time_period": b.time_period,
                "amount_cents": _cents(b.amount), "percent": None if b.percent is None
                else str(b.percent),
            })  # fmt: skip
        for p in a.other_payers:
            others.append(
                {
                    "source": source,
                    "trace": a.inquiry_id,
                    "role": p.role,
                    "name": p.name,
                    "payer_id": p.payer_id,
                    "member_id": p.member_id,
                }
            )
    frames = {
        name: pd.DataFrame(data, columns=list(COLUMNS[name]))
        for name, data in zip(TABLES, (rows, benefits, others), strict=True)
    }
    for frame in frames.values():
        for column in [c for c in frame.columns if c.endswith("_cents")]:
            frame[column] = frame[column].astype("Int64")
    return frames


def _cents(value: Decimal | str | None) -> int | None:
    """Exact integer cents of a payer's amount (never through a float)."""
    if value is None or value == "":
        return None
    return int(Decimal(str(value)).scaleb(2))
