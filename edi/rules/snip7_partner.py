"""SNIP level 7: the trading partner's own rules.

Payer profiles (``mappings/payers/*.yaml``, passed in the context) say which filing
indicator, member-ID shape, ZIP+4 and prior-authorization rules and timely-filing limit
a payer applies.  NCCI PTP edits and MUE limits come from the CMS quarterly files the
user supplies; without them those edits are not run (nothing is guessed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from edi.codesets.procedures import is_evaluation_management
from edi.rules.common import code_sets, line_field, service_start
from edi.rules.modifiers import ptp_bypass
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register

TIMELY_WARNING_DAYS = 14
"""Claims this close to the payer's filing limit are flagged so they go out first."""
DEFAULT_TIMELY_FILING_DAYS = {"MB": 365, "MA": 365, "MC": 365, "CH": 365, "VA": 180}
"""Filing limits by claim filing indicator when a payer has no profile: Medicare's 12
months (42 CFR 424.44), TRICARE's one year, the VA's 180 days, Medicaid's common 365
(states vary); every other payer the commercial default below."""
DEFAULT_COMMERCIAL_DAYS = 90
"""Many commercial contracts allow 90 days; the shortest common limit, so nothing lapses
unseen when the real one is longer."""

PAYER_UNKNOWN = _R(
    Rule(
        "SNIP7.PAYER.UNKNOWN",
        7,
        "warn",
        "billing",
        "payer {payer_id} has no profile in mappings/payers; its own rules were not checked",
        "Add mappings/payers/<payer>.yaml with the payer's rules",
        "2010BB",
        "NM1",
        "NM109",
        "payer.payer_id",
    )
)
FILING_INDICATOR = _R(
    Rule(
        "SNIP7.PAYER.FILING_INDICATOR",
        7,
        "reject",
        "billing",
        "payer {payer_id} expects claim filing indicator {expected}, the claim has {actual}",
        "Set payer.claim_filing_indicator to {expected}",
        "2000B",
        "SBR",
        "SBR09",
        "payer.claim_filing_indicator",
    )
)
MEMBER_ID = _R(
    Rule(
        "SNIP7.MEMBER_ID.PATTERN",
        7,
        "reject",
        "front_desk",
        "the member ID does not have the shape payer {payer_id} issues",
        "Copy the member ID exactly from the front of the insurance card",
        "2010BA",
        "NM1",
        "NM109",
        "subscriber.member_id",
    )
)
ZIP4 = _R(
    Rule(
        "SNIP7.ZIP4.REQUIRED",
        7,
        "reject",
        "billing",
        "payer {payer_id} requires a 9-digit ZIP code for {label}",
        "Enter the ZIP+4 (USPS lookup)",
        None,
        "N4",
        "N403",
    )
)
PRIOR_AUTH = _R(
    Rule(
        "SNIP7.PRIOR_AUTH.MISSING",
        7,
        "reject",
        "front_desk",
        "line {line}: payer {payer_id} requires prior authorization for {code}",
        "Enter the authorization number in prior_authorization (REF*G1)",
        "2300",
        "REF",
        "REF02",
        "prior_authorization",
    )
)
TIMELY_EXPIRED = _R(
    Rule(
        "SNIP7.TIMELY_FILING.EXPIRED",
        7,
        "reject",
        "billing",
        "service on {dos} is past {whose} {days}-day filing limit ({deadline})",
        "Send only with proof of timely filing, or write off per policy",
        "2400",
        "DTP",
        "DTP03",
    )
)
TIMELY_NEAR = _R(
    Rule(
        "SNIP7.TIMELY_FILING.NEAR",
        7,
        "warn",
        "billing",
        "service on {dos} reaches {whose} {days}-day filing limit on {deadline}",
        "Submit this claim today",
        "2400",
        "DTP",
        "DTP03",
    )
)
PTP_NOT_ALLOWED = _R(
    Rule(
        "SNIP7.NCCI.PTP_NOT_ALLOWED",
        7,
        "reject",
        "coder",
        "lines {line1} and {line2}: {column2} is bundled into {column1} on {dos} "
        "(NCCI, modifier indicator 0: no modifier allows both)",
        "Remove the column-2 code {column2}; it is paid as part of {column1}",
        "2400",
        "SV1",
        "SV101-2",
    )
)
PTP_MODIFIER = _R(
    Rule(
        "SNIP7.NCCI.PTP_MODIFIER",
        7,
        "warn",
        "coder",
        "lines {line1} and {line2}: {column2} is bundled into {column1} on {dos} (NCCI, "
        "modifier indicator 1) and no modifier on {column2} bypasses the edit",
        "{advice}",
        "2400",
        "SV1",
        "SV101-3",
        disposition="hold",
    )
)
PTP_BYPASS_INVALID = _R(
    Rule(
        "SNIP7.NCCI.BYPASS_INVALID",
        7,
        "warn",
        "coder",
        "lines {line1} and {line2}: {column2} is bundled into {column1} on {dos} (NCCI); "
        "the modifiers given do not bypass the edit: {reason}",
        "{advice}",
        "2400",
        "SV1",
        "SV101-3",
        disposition="hold",
    )
)
MUE_EXCEEDED = _R(
    Rule(
        "SNIP7.MUE.EXCEEDED",
        7,
        "reject",
        "coder",
        "{code}: {units} units {scope} exceed the MUE of {limit} (MAI {mai})",
        "Bill at most {limit} units; {advice}",
        "2400",
        "SV1",
        "SV104",
    )
)

_MAI_ADVICE = {
    "1": "bill the rest on another line with an anatomic or 59/X modifier if documented",
    "2": "the limit is policy: units above it are not payable",
    "3": "appeal with medical records if the units were truly necessary",
}


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


@check
def payer_rules(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    payer = enc.payer
    payer_id = payer.payer_id
    profile = ctx.payers.get(payer_id)
    if profile is None:
        yield fire(PAYER_UNKNOWN, payer_id=payer_id)
        indicator = payer.claim_filing_indicator
        days = DEFAULT_TIMELY_FILING_DAYS.get(indicator, DEFAULT_COMMERCIAL_DAYS)
        whose = f"the default (payer {payer_id} has no profile; filing indicator {indicator})"
        if (late := _timely(enc, ctx, payer_id, days, whose)) is not None:
            yield late
        return
    actual = payer.claim_filing_indicator
    if profile.claim_filing_indicator and actual != profile.claim_filing_indicator:
        yield fire(
            FILING_INDICATOR,
            payer_id=payer_id,
            expected=profile.claim_filing_indicator,
            actual=actual,
        )
    if profile.member_id_pattern and not _pattern(profile.member_id_pattern).fullmatch(
        enc.subscriber.member_id
    ):
        yield fire(MEMBER_ID, payer_id=payer_id)
    if profile.requires_zip4:
        yield from _zip4(enc, payer_id)
    if profile.prior_auth_codes and not enc.prior_authorization:
        for i, line in enumerate(enc.service_lines):
            if line.procedure_code in profile.prior_auth_codes:
                yield fire(PRIOR_AUTH, line=i + 1, payer_id=payer_id, code=line.procedure_code)
    whose = f"payer {payer_id}'s"
    if (late := _timely(enc, ctx, payer_id, profile.timely_filing_days, whose)) is not None:
        yield late


def _zip4(enc: Any, payer_id: str) -> Iterator[Finding]:
    places = (
        (
            enc.service_facility and enc.service_facility.address,
            "service_facility.address",
            "2310C",
            "the service facility",
        ),
        (enc.pay_to_address, "pay_to_address", "2010AB", "the pay-to address"),
    )
    for address, field, loop, label in places:
        if address is not None and len(address.postal_code) != 9:
            yield fire(
                ZIP4,
                field=f"{field}.postal_code",
                location=(loop, "N4", "N403"),
                payer_id=payer_id,
                label=label,
            )


def _timely(enc: Any, ctx: CheckContext, payer_id: str, days: int, whose: str) -> Finding | None:
    """The claim filed late, or nearly (``days`` after its first date of service); a
    function, not a generator: most claims are on time, and it is asked of every one."""
    first = service_start(enc, ctx)
    # Days elapsed, not ``first + days``: a service date near date.max (9999-12-31) would
    # overflow; such a date is in the future, which SNIP 4 reports.
    elapsed = (ctx.today - first).days
    if elapsed <= days - TIMELY_WARNING_DAYS:
        return None
    deadline = first + timedelta(days=days)
    rule = TIMELY_EXPIRED if elapsed > days else TIMELY_NEAR
    return fire(
        rule,
        field="service_lines[0].service_date",
        dos=first.isoformat(),
        payer_id=payer_id,
        whose=whose,
        days=days,
        deadline=deadline.isoformat(),
    )


@check
def ncci_ptp(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    """A function, not a generator: most claims have one line, or no PTP file is loaded."""
    ptp = code_sets(ctx).ptp
    lines = enc.service_lines
    if ptp is None or len(lines) < 2:
        return ()
    return _ptp(ptp, lines)


def _ptp(ptp: Any, lines: Any) -> Iterator[Finding]:
    for a in range(len(lines)):
        for b in range(a + 1, len(lines)):
            first, second = lines[a], lines[b]
            if first.service_date != second.service_date:
                continue
            code_a, code_b = first.procedure_code, second.procedure_code
            edit = ptp.edit_for(code_a, code_b, first.service_date)
            if edit is None:
                continue
            col2 = b if edit.column2 == code_b else a
            facts = {"line1": a + 1, "line2": b + 1, "column1": edit.column1,
                     "column2": edit.column2, "dos": first.service_date.isoformat()}  # fmt: skip
            if edit.modifier_indicator == "0":
                yield fire(PTP_NOT_ALLOWED, field=line_field(col2, "procedure_code"), **facts)
                continue
            column1 = lines[a if col2 == b else b]
            reason = ptp_bypass(column1, lines[col2])
            if reason is None:
                continue
            rule = PTP_BYPASS_INVALID if reason else PTP_MODIFIER
            advice = _bypass_advice(edit.column2)
            yield fire(rule, field=line_field(col2, "modifiers"), reason=reason, advice=advice,
                       **facts)  # fmt: skip


def _bypass_advice(column2: str) -> str:
    if is_evaluation_management(column2):
        return (
            f"Add modifier 25 to the E/M {column2} when the visit was significant and "
            f"separately identifiable from the procedure; otherwise remove {column2}"
        )
    return (
        f"Add 59 or XE/XS/XP/XU to {column2} (or anatomic modifiers naming different sites "
        f"on both lines) when documentation shows a distinct service; otherwise remove {column2}"
    )


@check
def mue(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    limits = code_sets(ctx).mue
    if limits is None:
        return ()  # a function, not a generator, as ncci_ptp
    return _mue_exceeded(enc, limits)


def _mue_exceeded(enc: Any, limits: Any) -> Iterator[Finding]:
    per_day: defaultdict[tuple[str, Any], Decimal] = defaultdict(Decimal)
    first_line: dict[tuple[str, Any], int] = {}
    for i, line in enumerate(enc.service_lines):
        limit = limits.get(line.procedure_code)
        if limit is None:
            continue
        if limit.indicator == "1":
            if line.units > limit.units:
                yield _mue(limit, line.units, f"on line {i + 1}", i)
            continue
        key = (line.procedure_code, line.service_date)
        per_day[key] += line.units
        first_line.setdefault(key, i)
    for (code, day), total in per_day.items():
        limit = limits.get(code)
        if limit is not None and total > limit.units:
            yield _mue(limit, total, f"on {day.isoformat()}", first_line[(code, day)])


def _mue(limit: Any, units: Decimal, scope: str, index: int) -> Finding:
    return fire(
        MUE_EXCEEDED,
        field=line_field(index, "units"),
        code=limit.code,
        units=units,
        scope=scope,
        limit=limit.units,
        mai=limit.indicator,
        advice=_MAI_ADVICE[limit.indicator],
    )
