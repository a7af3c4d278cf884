"""The services of each built claim, kept in the transaction that records its interchange;
a replacement swaps them, a void removes them; a rejected claim's do not count until it is
built again.  On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from edi.events import EventKind
from flows.ledger import ClaimEvent, ClaimRecord, Ledger
from tests.ledger.helpers import FILE_B, NOON, claim, interchange


def _build(ledger: Ledger, records: list[ClaimRecord], services: dict[str, tuple]) -> None:
    admission = ledger.admit_claims(records, now=NOON)
    built = interchange(ledger, admission.admitted)
    claims = [replace(c, services=services[c.clm01]) for c in built.claims]
    ledger.record_interchange(replace(built, claims=claims), now=NOON)


def test_built_claims_keep_their_services_until_replaced_or_voided(ledger: Ledger) -> None:
    ledger.admit_claims([claim("ENC-C")], now=NOON)  # admitted, never built: not billed
    _build(ledger, [claim("ENC-A"), claim("ENC-B")], {"ENC-A": ("k1", "k2"), "ENC-B": ("k2",)})
    assert ledger.billed_services(["k1", "k2", "k3"]) == {"k1": ("ENC-A",),
                                                          "k2": ("ENC-A", "ENC-B")}  # fmt: skip

    _build(ledger, [claim("ENC-A", FILE_B, "7")], {"ENC-A": ("k3",)})
    assert ledger.billed_services(["k1", "k2", "k3"]) == {"k2": ("ENC-B",), "k3": ("ENC-A",)}

    _build(ledger, [claim("ENC-B", FILE_B, "8")], {"ENC-B": ("k2",)})
    assert ledger.billed_services(["k1", "k2", "k3"]) == {"k3": ("ENC-A",)}
    assert ledger.billed_services([]) == {}


def test_a_rejected_claim_bills_nothing_until_resubmitted_and_a_denied_one_still_does(
    ledger: Ledger,
) -> None:
    _build(ledger, [claim(c) for c in ("ENC-A", "ENC-B", "ENC-C")],
           {"ENC-A": ("k1",), "ENC-B": ("k1",), "ENC-C": ("k1",)})  # fmt: skip
    ledger.apply_events([ClaimEvent("ENC-A", EventKind.ACK_REJECTED, NOON, "a.999"),
                         ClaimEvent("ENC-B", EventKind.STATUS_REJECTED, NOON, "b.277"),
                         ClaimEvent("ENC-C", EventKind.DENIED, NOON, "c.835")])  # fmt: skip
    assert ledger.billed_services(["k1"]) == {"k1": ("ENC-C",)}

    _build(ledger, [claim("ENC-A", FILE_B)], {"ENC-A": ("k1",)})  # its next generation
    assert ledger.billed_services(["k1"]) == {"k1": ("ENC-A", "ENC-C")}
