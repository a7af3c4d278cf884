"""What a response file means per claim, computed in the core from its tables."""

from __future__ import annotations

import ast
import random
from dataclasses import dataclass
from pathlib import Path

import flows.ingestion
from edi.events import EventKind
from edi.responses import claim_events, fingerprints, parse_any, verdicts
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import Cas, Claim, SetAck, ack_999, remit, ta1

TEXTS = bundled_code_texts()


@dataclass(frozen=True)
class Sent:
    clm01: str
    generation: int
    st02: int


@dataclass(frozen=True)
class Interchange:
    id: int
    claims: tuple[Sent, ...]


OURS = Interchange(7, (Sent("ENC-1", 1, 1), Sent("ENC-2", 1, 1), Sent("ENC-3", 2, 2)))


def lookup(**key: int | None) -> Interchange | None:
    return OURS if key in ({"gs06": 55}, {"isa13": 1001}) else None


def _identity(events) -> set[tuple]:
    return {(e.clm01, e.kind, e.source_file, e.ref, e.amount) for e in events}


def test_an_835_pays_denies_and_reverses() -> None:
    claims = [
        Claim("ENC-1", paid="100.00"),
        Claim("ENC-2", status="4", paid="0.00", adjustments=[Cas("CO", "50", "150.00")]),
        Claim("ENC-3", status="22", charge="-150.00", paid="-100.00",
              adjustments=[Cas("CO", "45", "-50.00")]),
        Claim("ENC-3", charge="150.00", paid="120.00", payer_claim_number="PCN2",
              adjustments=[Cas("CO", "45", "30.00")]),
    ]  # fmt: skip
    tables = parse_any(remit(claims, payment="120.00"), "a.835", texts=TEXTS)
    events = list(claim_events(tables, lookup))
    kinds = [(e.clm01, e.kind) for e in events]
    assert kinds == [
        ("ENC-1", EventKind.PAID),
        ("ENC-2", EventKind.DENIED),
        ("ENC-3", EventKind.REVERSED),
        ("ENC-3", EventKind.PAID),
    ]
    assert {e.source_file for e in events} == {"835:87726:CHK000123"}
    assert [str(e.amount) for e in events] == ["100.00", "0.00", "-100.00", "120.00"]


def test_the_remittance_identity_does_not_depend_on_claim_order_or_file_name() -> None:
    rng = random.Random(12)
    claims = [Claim(f"ENC-{n}", paid=f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}",
                    payer_claim_number=f"PCN{n}") for n in range(12)]  # fmt: skip
    total = sum(int(c.paid.replace(".", "")) for c in claims)
    payment = f"{total // 100}.{total % 100:02d}"
    tables = parse_any(remit(claims, payment), "a.835", texts=TEXTS)
    first, seen = _identity(claim_events(tables, lookup)), fingerprints(tables)
    for attempt in range(5):
        shuffled = claims[:]
        rng.shuffle(shuffled)
        text = remit(shuffled, payment, isa13=2000 + attempt)
        again = parse_any(text, f"b{attempt}", texts=TEXTS)
        assert _identity(claim_events(again, lookup)) == first
        # and read beside the first delivery, the payment is a duplicate, not counted
        assert parse_any(text, "c", texts=TEXTS, seen=seen).claims.empty


def test_acknowledgments_name_envelopes_and_the_lookup_names_the_claims() -> None:
    text = ack_999("55", [SetAck("0001", "A"), SetAck("0002", "R", ("5",))], "P")
    tables = parse_any(text + ta1("000001001", "R", "006"), "acks.x12", texts=TEXTS)
    kinds = sorted((e.clm01, e.kind) for e in claim_events(tables, lookup))
    assert kinds == [
        ("ENC-1", EventKind.ACK_ACCEPTED),
        ("ENC-1", EventKind.ACK_REJECTED),
        ("ENC-2", EventKind.ACK_ACCEPTED),
        ("ENC-2", EventKind.ACK_REJECTED),
        ("ENC-3", EventKind.ACK_REJECTED),
        ("ENC-3", EventKind.ACK_REJECTED),
    ]
    assert sorted((v.interchange_id, v.accepted) for v in verdicts(tables, lookup)) == [
        (7, False),
        (7, True),
    ]


def test_a_control_number_that_is_no_number_names_no_claim() -> None:
    tables = parse_any(ack_999("5X", [SetAck("0001", "R", ("5",))], "R"), texts=TEXTS)
    assert list(claim_events(tables, lookup)) == [] and list(verdicts(tables, lookup)) == []


def test_ingest_decides_nothing_about_codes() -> None:
    """The flow applies events: no CLP02, STC or AK9 code appears in it as a literal."""
    codes = {"1", "2", "3", "4", "19", "20", "21", "22", "23", "A", "E", "P", "R", "A1", "A3"}
    tree = ast.parse(Path(flows.ingestion.__file__).read_text(encoding="utf-8"))
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert not literals & codes, literals & codes
