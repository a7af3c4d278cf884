"""The ledger and the worklists agree with a plain reading of hand-written 277CA and 835s."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from edi.responses import parse_835
from edi.responses.events import claim_events
from edi.responses.plb import link_plb, plb_events, resolve_links
from flows.ledger import Ledger
from flows.worklists import build_worklists
from mappings.code_texts import bundled_code_texts
from tests.ledger.helpers import claim, submit
from tests.support.plain_reading import claim_money, plb_by_reference, status_answers
from tests.support.x12files import Claim, Line, Plb, Status, claim_ack, remit
from tests.worklists.conftest import context
from tests.worklists.tables import parse

TEXTS = bundled_code_texts()


def test_claim_nets_in_the_ledger_are_clp_paid_minus_what_plbs_take(ledger: Ledger) -> None:
    submit(ledger, [claim("ENC-1"), claim("ENC-2")])
    first = remit([Claim("ENC-1", "1", "175", "175", "0", "ICN1",
                         lines=[Line("99213", "175", "175")])], trace="T1")  # fmt: skip
    second = remit([Claim("ENC-2", "1", "175", "160", "15", "ICN2",
                          lines=[Line("99213", "175", "160")])],
                   payment="140.50", trace="T2",
                   plb=[Plb("WO", "ICN1", "25.00"), Plb("L6", "ENC-2", "-5.50")])  # fmt: skip
    for text in (first, second):
        t = parse_835(text, texts=TEXTS)
        links = resolve_links(link_plb(t.provider_adjustments, t.claims, t.payments),
                              ledger.claims_by_reference)  # fmt: skip
        ledger.apply_events(list(claim_events(t, lambda **_: None)) + list(plb_events(links)))
    money = claim_money(first + second)
    taken = plb_by_reference(first + second)
    icn = {"ENC-1": "ICN1", "ENC-2": "ICN2"}
    for view in ledger.find_claims(["ENC-1", "ENC-2"]):
        plain = money[view.clm01]["paid"] - taken.get(icn[view.clm01], 0) - taken.get(view.clm01, 0)
        assert view.paid == Decimal(plain).scaleb(-2), view.clm01


def test_every_rejection_and_request_in_a_277ca_is_a_row(sqlite_url, tmp_path) -> None:
    ack = claim_ack(
        [Status("ENC-1", "A7", "562", "82"), Status("ENC-2", "R4", "252", "41", action="WQ"),
         Status("ENC-3", "A2", "20", lines=[("ENC-3-1", "99213", "A7", "454")]),
         Status("ENC-4", "P1", "20", action="WQ")],
        payer=True, created=datetime(2026, 10, 20, 12),
    )  # fmt: skip
    plain = status_answers(ack)
    rejected = Counter(t for lvl, t, cat, _ in plain
                       if lvl in ("PT", "line") and cat in ("A3", "A6", "A7", "A8"))  # fmt: skip
    asked = Counter(t for lvl, t, cat, _ in plain if lvl == "PT" and cat[:1] in ("R", "P"))
    with Ledger.open(sqlite_url) as ledger:
        submit(ledger, [claim("ENC-9")], at=datetime(2026, 9, 1, 12, tzinfo=UTC))
        build_worklists(ledger, parse(("s.277", ack)), context(), date(2026, 10, 21),
                        tmp_path / "out", now=datetime(2026, 10, 21, 6, tzinfo=UTC))  # fmt: skip
        items = ledger.worklist_items().values()
    assert Counter(i.clm01 for i in items if i.queue == "rejections") == rejected
    assert Counter(i.clm01 for i in items if i.queue == "info_requested") == asked
