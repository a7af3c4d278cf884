"""A recoupment (835 PLB) taking money from a closed claim creates or reopens its row."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd

from flows.ledger import ClaimEvent, EventKind, Ledger
from flows.worklists import build_worklists
from tests.ledger.helpers import NOON, claim, submit
from tests.support.x12files import Claim, Line, Plb, remit
from tests.worklists.conftest import context
from tests.worklists.tables import parse

DAY = date(2026, 12, 20)


def _paid_elsewhere(clm01: str, icn: str) -> str:
    paid = Claim(clm01, "1", "50", "50", "0", icn, lines=[Line("99211", "50", "50")])
    return remit([paid], payment="30.00", trace="T2", pay_date=DAY, isa13=902,
                 plb=[Plb("WO", "ICN-77", "20.00")])  # fmt: skip


def test_a_recoupment_of_a_paid_claim_creates_then_reopens_its_row(sqlite_url, tmp_path):
    with Ledger.open(sqlite_url) as ledger:
        submit(ledger, [claim("ENC-1"), claim("ENC-2")])
        ledger.apply_events([ClaimEvent("ENC-1", EventKind.PAID, NOON + timedelta(days=9),
                                        "era.835", ref="CLP1", amount=Decimal("175.00"),
                                        payer_claim_number="ICN-77")])  # fmt: skip
        ctx = context()
        now = datetime(2026, 12, 20, 6, tzinfo=UTC)
        out = tmp_path / "out"
        build_worklists(ledger, parse(("t2.835", _paid_elsewhere("ENC-2", "ICN-2"))), ctx, DAY,
                        out, now=now)  # fmt: skip
        (item,) = [i for i in ledger.worklist_items().values() if i.category == "recoupment"]
        assert (item.clm01, item.queue, item.payload["denied_cents"]) == ("ENC-1", "denials", 2000)
        assert item.payload["payer_claim_number"] == "ICN-77"
        rows = pd.read_csv(out / DAY.isoformat() / f"denials-{DAY.isoformat()}.csv")
        assert "recoupment" in set(rows["category"])

        item.status, item.resolved_at = "resolved", now
        ledger.save_worklist_items([item])
        again = _paid_elsewhere("ENC-2", "ICN-2").replace("T2", "T3")
        later = DAY + timedelta(days=30)
        build_worklists(ledger, parse(("t3.835", again.replace("20261220", "20270119"))), ctx,
                        later, out, now=now + timedelta(days=30))  # fmt: skip
        reopened = ledger.worklist_items(item_ids=[item.item_id])[item.item_id]
        assert reopened.status == "new" and reopened.times_seen == 2
