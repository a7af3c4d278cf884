"""PLB provider adjustments linked to the claims they name and posted to the claims' net."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi.responses import parse_835
from edi.responses.events import claim_events
from edi.responses.plb import link_plb, plb_events, resolve_links
from flows.ledger import ClaimState, EventKind, Ledger
from mappings.code_texts import bundled_code_texts
from tests.ledger.helpers import claim, submit
from tests.support.x12files import Claim, Line, Plb, remit

TEXTS = bundled_code_texts()


def _paid(clm01: str, icn: str, amount: str) -> Claim:
    return Claim(clm01, "1", amount, amount, "0", icn, lines=[Line("99213", amount, amount)])


def _links(text: str, resolve=None):
    t = parse_835(text, texts=TEXTS)
    return t, resolve_links(link_plb(t.provider_adjustments, t.claims, t.payments), resolve)


def test_a_plb_is_linked_by_payer_claim_number_or_clm01_in_the_same_835():
    text = remit([_paid("ENC-1", "ICN1", "100.00"), _paid("ENC-2", "ICN2", "50.00")],
                 payment="137.00",
                 plb=[Plb("WO", "ICN1", "20.00"), Plb("L6", "ENC-2", "-7.00"),
                      Plb("CS", "NOSUCH", "0")])  # fmt: skip
    _, links = _links(text)
    got = links[["reason_code", "clm01", "linked_by", "amount_cents"]].values.tolist()
    assert got == [["WO", "ENC-1", "payer_claim_number", 2000], ["L6", "ENC-2", "clm01", -700],
                   ["CS", "", "", 0]]  # fmt: skip


def test_a_recoupment_of_an_earlier_claim_is_posted_to_its_net(ledger: Ledger):
    submit(ledger, [claim("ENC-1"), claim("ENC-2")])
    first = parse_835(remit([_paid("ENC-1", "ICN1", "175.00")], trace="T1",
                            pay_date=date(2026, 12, 1)), texts=TEXTS)  # fmt: skip
    ledger.apply_events(list(claim_events(first, lambda **_: None)))
    # A later 835 pays ENC-2, takes 25.00 back from ENC-1 and pays 3.10 interest on ENC-2.
    later = remit([_paid("ENC-2", "ICN2", "175.00")], payment="153.10", trace="T2",
                  plb=[Plb("WO", "ICN1 1EG4TE5MK72", "25.00"), Plb("L6", "ICN2", "-3.10")],
                  pay_date=date(2026, 12, 20))  # fmt: skip
    tables, links = _links(later, ledger.claims_by_reference)
    assert list(links["linked_by"]) == ["ledger", "payer_claim_number"]
    events = list(claim_events(tables, lambda **_: None)) + list(plb_events(links))
    outcome = ledger.apply_events(events)
    assert outcome.unknown == ()
    views = {v.clm01: v for v in ledger.find_claims(["ENC-1", "ENC-2"])}
    assert views["ENC-1"].paid == Decimal("150.00")  # 175.00 paid, 25.00 taken back
    assert views["ENC-1"].state == ClaimState.PAID  # money only, not a new adjudication
    assert views["ENC-2"].paid == Decimal("178.10")  # 175.00 + 3.10 interest
    kinds = [e.kind for e in ledger.timeline("ENC-1")]
    assert kinds[-1] == EventKind.PROVIDER_ADJUSTMENT
    assert ledger.apply_events(events).recorded == 0  # the same 835 twice posts nothing
