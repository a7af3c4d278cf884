"""Deadlines of a worklist row: appeal, timely filing, and the one the action is due by.

Each payer's terms come from its profile (``mappings/payers/*.yaml``: timely_filing_days,
appeal_days, no_response_days); a payer without a profile gets the Medicare defaults when
its claim filing indicator says Medicare (MA/MB: 120-day redetermination, 12 months to
file) and the configurable commercial default otherwise.

* Timely filing: date of service + timely_filing_days.  Applies to every queue: a rejected
  or unanswered claim must still reach the payer by then, and so must a corrected claim.
* Appeal: remittance date + appeal_days.  Applies to denials only.
* Due: an appeal is due by the appeal deadline; any other denial work (correct, resubmit,
  send records, rebill) by the earlier of the two, so nothing is missed; rejections and
  claims without an answer by the filing deadline.  Posting and patient billing have none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

import pandas as pd

from edi.worklists.settings import DeadlineDefaults, PayerTerms

NO_DEADLINE_ACTIONS = frozenset({"post", "bill_patient", "write_off"})


class HasTerms(Protocol):
    """A payer profile as :class:`mappings.profiles.PayerProfile` is one."""

    timely_filing_days: int
    appeal_days: int
    no_response_days: int


TermsLookup = Callable[[Mapping[str, Any]], PayerTerms]
"""Terms for a claims-context row (reads ``payer_id`` and ``claim_filing_indicator``)."""


def terms_lookup(profiles: Mapping[str, HasTerms], defaults: DeadlineDefaults) -> TermsLookup:
    """Payer terms by payer ID from ``profiles``, else by filing indicator from ``defaults``."""
    known = {
        payer_id: PayerTerms(
            timely_filing_days=p.timely_filing_days,
            appeal_days=p.appeal_days,
            no_response_days=p.no_response_days,
        )
        for payer_id, p in profiles.items()
    }

    def lookup(row: Mapping[str, Any]) -> PayerTerms:
        payer_id = _text(row.get("payer_id"))
        if payer_id in known:
            return known[payer_id]
        if _text(row.get("claim_filing_indicator")).upper() in defaults.medicare_filing_indicators:
            return defaults.medicare
        return defaults.commercial

    return lookup


@dataclass(frozen=True, slots=True)
class Deadlines:
    filing: date | None
    appeal: date | None
    due: date | None

    def days_left(self, today: date) -> int | None:
        return None if self.due is None else (self.due - today).days


def deadlines(
    queue: str,
    terms: PayerTerms,
    dos: date | None,
    remit_date: date | None,
    action_kind: str,
) -> Deadlines:
    """The row's deadlines (see the module docstring for which one is due)."""
    filing = dos + timedelta(days=terms.timely_filing_days) if dos else None
    appeal = None
    if queue == "denials" and remit_date is not None:
        appeal = remit_date + timedelta(days=terms.appeal_days)
    if action_kind in NO_DEADLINE_ACTIONS:
        due = None
    elif action_kind == "appeal":
        due = appeal or filing
    else:
        due = min((d for d in (filing, appeal) if d is not None), default=None)
    return Deadlines(filing=filing, appeal=appeal, due=due)


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()
