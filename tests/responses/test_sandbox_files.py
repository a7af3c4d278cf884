"""The parsers on what the sandbox clearinghouse writes: nothing lost, nothing invented.

Every 999, 277CA and 835 the sandbox writes for a batch covering every outcome (paid,
denied, rejected, reversed, PLB) is parsed; the 835 money per claim agrees with the
plain split-based reading, and every claim sent is answered in the 999 and the 277CA.
"""

from __future__ import annotations

from datetime import datetime

from edi.responses import ResponseTables, parse_any
from edi.x12.control import MemoryControlNumbers
from mappings.code_texts import bundled_code_texts
from sandbox.responder import Responder
from tests.sandbox.claim_batch import build_files, outcome_batch
from tests.support.plain_reading import claim_money, tables_money

TEXTS = bundled_code_texts()


def test_sandbox_answers_parse_to_the_same_money_as_a_plain_reading() -> None:
    encounters = outcome_batch()
    clock = iter(datetime(2026, 11, 27, 9, m) for m in range(60))
    responder = Responder(seed=3, clock=lambda: next(clock))
    replies = [
        r
        for f in build_files(encounters, MemoryControlNumbers())
        for r in responder.respond(f, "batch.837")
    ]
    replies += responder.advance()  # reversals and corrections due later
    parsed = {r.name: parse_any(r.data, r.name, texts=TEXTS) for r in replies}
    tables = ResponseTables.concat(parsed.values())

    sent = {e.claim_id for e in encounters}
    assert set(tables.claim_status["clm01"].dropna()) == sent, "every claim has a 277CA status"
    acked = tables.acks[tables.acks["level"] == "transaction"]
    assert acked["accepted"].all()

    plain: dict[str, dict[str, int]] = {}
    for reply in replies:
        if reply.kind == "835":
            for clm01, money in claim_money(reply.data.decode()).items():
                into = plain.setdefault(clm01, dict.fromkeys(money, 0))
                for key, value in money.items():
                    into[key] += value
    assert plain, "the batch is paid or denied"
    assert tables_money(tables.claims) == plain
    statuses = set(tables.claims["claim_status"])
    assert {"1", "22"} <= statuses, statuses
    assert (tables.lines["line_status"] == "denied").any()
    assert tables.findings.empty or not tables.findings["code"].str.startswith("BALANCE").any()
