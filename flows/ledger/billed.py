"""The services each built claim billed, for the duplicates across nights.

:func:`record_billed` runs inside the transaction that records an interchange (a claim's
services are billed exactly when it is built), and :meth:`BilledLedger.billed_services`
answers a night's batch of service keys with one query.  Keys are digests
(:func:`edi.rules.duplicates.service_key`); rows hold them, CLM01s and dates: no PHI.

A claim whose latest generation was rejected (TA1, 999 or 277CA) was never adjudicated:
its services are not billed, so the clinic's corrected claim under a new encounter ID is
not a duplicate.  A denied claim was adjudicated, and billing it again is the CARC 18 the
check exists to prevent.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, aliased

from edi.rules.duplicates import REPLACING
from flows.ledger.models import BilledService, Claim
from flows.ledger.states import ClaimState
from flows.ledger.store import Store, chunks, insert_new_rows, one_of


class BilledLedger(Store):
    """Part of :class:`~flows.ledger.Ledger`: services billed, by their digests."""

    def billed_services(self, keys: Collection[str]) -> dict[str, tuple[str, ...]]:
        """Each of ``keys`` already billed, with the CLM01s billing it, earliest first:
        one query per 5,000 keys (a night's batch is one).  CLM01s whose latest
        generation is rejected are left out (the module's docstring says why)."""
        found: dict[str, tuple[str, ...]] = {}
        with self._read() as session:
            for chunk in chunks(sorted(set(keys))):
                rows = session.execute(
                    select(BilledService.service_key, BilledService.clm01)
                    .where(one_of(session, BilledService.service_key, chunk))
                    .where(~_rejected(BilledService.clm01))
                    .order_by(BilledService.business_date, BilledService.clm01)
                )
                for key, clm01 in rows:
                    found[key] = (*found.get(key, ()), clm01)
        return found


def _rejected(clm01: Any) -> Any:
    """``clm01``'s latest generation is rejected: a rejected generation with none after it
    (a resubmission is a new generation, billed again once built)."""
    later = aliased(Claim)
    return exists().where(
        Claim.clm01 == clm01,
        Claim.state == ClaimState.REJECTED,
        ~exists().where(later.clm01 == Claim.clm01, later.generation > Claim.generation),
    )


def record_billed(
    session: Session,
    claims: Iterable[tuple[str, str, Collection[str]]],
    business_date: date,
    now: datetime,
) -> None:
    """Keep ``(clm01, frequency, service keys)`` of claims being recorded as built; a
    replacement's services take the place of its claim's earlier ones, a void's none.

    The rows go in through :func:`~flows.ledger.store.insert_new_rows` (``COPY`` and one
    ``INSERT … SELECT`` on PostgreSQL): as 500-row ``INSERT … VALUES`` statements,
    compiled again for each, they were three quarters of recording an interchange under
    cProfile (bench/bench_million.py)."""
    claims = list(claims)
    replaced = [clm01 for clm01, frequency, _ in claims if frequency in REPLACING]
    for chunk in chunks(replaced):
        session.execute(delete(BilledService).where(one_of(session, BilledService.clm01, chunk)))
    rows = [
        {"service_key": key, "clm01": clm01, "business_date": business_date, "recorded_at": now}
        for clm01, frequency, keys in claims
        if frequency != "8"
        for key in sorted(set(keys))
    ]
    insert_new_rows(session, BilledService.__table__, rows, ("service_key", "clm01"))
