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
from edi.responses.tables import table_section

TEXT, CENTS, NUMBER = "str", "Int64", "int64"
SCHEMAS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "eligibility": (
        ("source", TEXT, "file name the row was read from"),
        ("trace", TEXT, "TRN02 of the inquiry answered (our check ID)"),
        ("level", TEXT, "'subscriber' or 'dependent': the loop (2100C/D) that answered"),
        ("coverage", TEXT, "'active' (EB01 1), 'inactive' (EB01 6) or 'unknown' for health "
         "benefit plan coverage (service type 30)"),
        ("last_name", TEXT, "NM103: the member's last name as the payer has it"),
        ("first_name", TEXT, "NM104: first name as the payer has it"),
        ("member_id", TEXT, "NM109: the member ID as the payer has it"),
        ("birth_date", TEXT, "DMG02 (CCYYMMDD) as the payer has it"),
        ("plan_begin", TEXT, "DTP03 of DTP*346 plan begin: CCYYMMDD, or CCYYMMDD-CCYYMMDD"),
        ("plan_end", TEXT, "DTP03 of DTP*347 plan end"),
        ("eligibility_begin", TEXT, "DTP03 of DTP*356 eligibility begin"),
        ("eligibility_end", TEXT, "DTP03 of DTP*357 eligibility end"),
        ("coverage_levels", TEXT, "EB02 codes of the benefits, bar-joined (IND, FAM...)"),
        ("copay_cents", CENTS, "EB01 B: the copay for service type 30"),
        ("coinsurance", TEXT, "EB01 A: the coinsurance as a percent of EB08, e.g. 20%"),
        ("deductible_remaining_cents", CENTS, "EB01 C: the deductible left"),
        ("out_of_pocket_remaining_cents", CENTS, "EB01 G: the out-of-pocket left"),
        ("rejections", TEXT, "AAA03 reject reason codes, bar-joined (72 invalid member ID, "
         "75 subscriber not found...)"),
        ("other_payers", TEXT, "names of the payers the 2120C/D loops name, bar-joined"),
        ("messages", TEXT, "MSG01: the payer's own words, bar-joined"),
    ),
    "eligibility_benefits": (
        ("source", TEXT, "file name the row was read from"),
        ("trace", TEXT, "TRN02 of the inquiry answered"),
        ("benefit", NUMBER, "1-based number of the EB segment within its answer"),
        ("code", TEXT, "EB01: 1 active, 6 inactive, A coinsurance, B copay, C deductible, "
         "G out of pocket, R other or additional payer..."),
        ("coverage_level", TEXT, "EB02: IND, FAM, EMP..."),
        ("service_types", TEXT, "EB03 service type codes, bar-joined (30 health benefit plan)"),
        ("time_period", TEXT, "EB06: 29 remaining, 23 calendar year..."),
        ("amount_cents", CENTS, "EB07 monetary amount"),
        ("percent", TEXT, "EB08 percent as the payer sent it, a decimal share, e.g. 0.2"),
    ),
    "eligibility_other_payers": (
        ("source", TEXT, "file name the row was read from"),
        ("trace", TEXT, "TRN02 of the inquiry answered"),
        ("role", TEXT, "2120C/D NM101: PRP primary, SEP secondary, TTP tertiary payer"),
        ("name", TEXT, "NM103: the other payer's name"),
        ("payer_id", TEXT, "NM109: the other payer's ID"),
        ("member_id", TEXT, "the member's ID with that payer (EB*R REF, 2120 loop)"),
    ),
}  # fmt: skip
"""Every 271 table's columns: (column, dtype, meaning); ``docs/tables.md`` lists them."""
TABLES = tuple(SCHEMAS)
COLUMNS = {name: tuple(c for c, _, _ in schema) for name, schema in SCHEMAS.items()}


def markdown() -> list[str]:
    """The 271 tables' part of ``docs/tables.md`` (:func:`edi.responses.tables.markdown`)."""
    lines = [
        "# 271 eligibility tables",
        "",
        "`claims parse` reads 271 files (005010X279A1) into these three tables, joined by",
        "`trace` and `source`; cells with several values are joined with a bar (`|`).",
        "",
    ]
    for name, schema in SCHEMAS.items():
        lines += table_section(name, schema)
    return lines


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
