"""The next payer end to end on real services: moto S3, the ledger (SQLite and PostgreSQL).

The primary goes out from an encounter file; its 835 (hand-written) makes the secondary
claim, written for the next night and built by the ordinary submission, once.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from edi.claims.models import Encounter
from edi.responses import parse_any
from edi.rules.registry import CheckContext
from flows.ledger import Ledger
from flows.s3 import Area, S3Config, S3Store, make_client
from flows.secondary import on_remittance, write_ready
from flows.submission import BuildSummary, build_files, new_encounter_files
from flows.worklists import build_worklists
from mappings.code_texts import bundled_code_texts
from mappings.profiles import clearinghouse_profile
from tests.cob.test_next_payer import CLM01, paid_partly, primary_encounter
from tests.support.x12files import Cas, Claim, Line, remit

NIGHT = date(2026, 11, 20)
TODAY = date(2026, 11, 27)
TEXTS = bundled_code_texts()
PROFILE = clearinghouse_profile("sandbox")


@pytest.fixture
def store(s3_config: S3Config) -> S3Store:
    return S3Store(s3_config)


def _night(store: S3Store, ledger: Ledger, day: date, context: CheckContext) -> BuildSummary:
    files = new_encounter_files(store, ledger, day, "test-worker")
    return build_files(files, store=store, ledger=ledger, profile=PROFILE, context=context,
                       business_date=day, created=datetime(2026, 11, 28, 1, 0))  # fmt: skip


def _send_primary(store: S3Store, ledger: Ledger, context: CheckContext, **changes: Any) -> None:
    enc = primary_encounter(**changes).model_dump(mode="json", exclude_none=True)
    body = (json.dumps(enc) + "\n").encode()
    store.put(store.key(Area.ENCOUNTERS, NIGHT, "clinic.jsonl"), body)
    assert _night(store, ledger, NIGHT, context).claims == 1


def _answer(
    ledger: Ledger, store: S3Store, *claims: Claim, name: str = "r.835", isa13: int = 1001
) -> dict[str, int]:
    text = remit(list(claims), isa13=isa13, payer_id="SBXMCR", payer_name="SANDBOX MEDICARE")
    tables = parse_any(text, name, texts=TEXTS)
    summary = on_remittance(ledger, store, TODAY, tables, text.encode(), name, payers={})
    return dict(summary.decisions)


def _rows(ledger: Ledger) -> dict[tuple[str, str], Any]:
    return ledger.next_payer_rows(with_encounter=True)


def test_partial_primary_sends_the_secondary_once(
    store: S3Store, ledger: Ledger, context: CheckContext
) -> None:
    _send_primary(store, ledger, context)
    assert _answer(ledger, store, paid_partly()) == {"ready": 1}
    assert _answer(ledger, store, paid_partly(), name="again.835", isa13=1002) == {}
    assert write_ready(ledger, store, TODAY) == 1
    assert write_ready(ledger, store, TODAY) == 0  # a rerun writes nothing new
    night = _night(store, ledger, TODAY, context)
    assert (night.claims, night.exceptions, night.duplicates) == (1, 0, 0)
    generations = ledger.billed_generations([CLM01])[CLM01]
    assert [g.payer_sequence for g in generations] == ["P", "S"]
    assert _night(store, ledger, TODAY, context).claims == 0
    # the primary's 835 again, after the secondary went out: nothing new
    assert _answer(ledger, store, paid_partly(), name="third.835", isa13=1003) == {}
    assert write_ready(ledger, store, TODAY) == 0


def test_reversal_and_correction_after_the_secondary_went_out_replaces_it(
    store: S3Store, ledger: Ledger, context: CheckContext
) -> None:
    _send_primary(store, ledger, context)
    _answer(ledger, store, paid_partly())
    write_ready(ledger, store, TODAY)
    assert _night(store, ledger, TODAY, context).claims == 1
    reversal = paid_partly("22", charge="-175.00", paid="-120.00")
    reversal.lines = []
    corrected = paid_partly(paid="110.00")
    corrected.lines[0].paid, corrected.lines[0].adjustments[0].amount = "90.00", "40.00"
    assert _answer(ledger, store, reversal, corrected, name="fix.835", isa13=1004) == {"ready": 1}
    row = _rows(ledger)[(CLM01, "S")]
    assert (row.frequency_code, row.prior_paid, row.written_key) == ("7", 110, None)
    replacement = Encounter.model_validate(row.encounter)
    assert replacement.prior_adjudications[0].paid_amount == 110


def test_reversal_and_correction_before_the_secondary_went_out_updates_it(
    store: S3Store, ledger: Ledger, context: CheckContext
) -> None:
    _send_primary(store, ledger, context)
    _answer(ledger, store, paid_partly())
    reversal = paid_partly("22", charge="-175.00", paid="-120.00")
    reversal.lines = []
    assert _answer(ledger, store, reversal, name="rev.835", isa13=1005) == {"held": 1}
    assert write_ready(ledger, store, TODAY) == 0  # held back until the correction
    corrected = paid_partly(paid="110.00")
    corrected.lines[0].paid, corrected.lines[0].adjustments[0].amount = "90.00", "40.00"
    assert _answer(ledger, store, corrected, name="cor.835", isa13=1006) == {"ready": 1}
    assert write_ready(ledger, store, TODAY) == 1
    night = _night(store, ledger, TODAY, context)
    assert (night.claims, night.exceptions) == (1, 0)
    assert _rows(ledger)[(CLM01, "S")].frequency_code == "1"


def test_crossover_waits_then_the_tertiary_follows_the_crossovers_835(
    store: S3Store, ledger: Ledger, context: CheckContext
) -> None:
    _send_primary(store, ledger, context)
    assert _answer(ledger, store, paid_partly("19")) == {"awaiting_crossover": 1}
    assert write_ready(ledger, store, TODAY) == 0  # nothing is sent to the secondary
    row = _rows(ledger)[(CLM01, "S")]
    assert row.reason == "crossed over to SBXGAP, awaiting its 835"
    gap_lines = [
        Line("99213", "150.00", "15.00", f"{CLM01}-1", [Cas("CO", "45", "130.00"),
             Cas("PR", "3", "5.00")], modifiers=("25",), units="1"),
        Line("J1100", "25.00", "5.00", f"{CLM01}-2", [Cas("CO", "45", "20.00")], units="2"),
    ]  # fmt: skip
    secondary = Claim(CLM01, "2", "175.00", "20.00", "5.00", "GAP77", lines=gap_lines)
    assert _answer(ledger, store, secondary, name="gap.835", isa13=1007) == {
        "answered": 1,
        "ready": 1,
    }
    assert write_ready(ledger, store, TODAY) == 1
    night = _night(store, ledger, TODAY, context)
    assert (night.claims, night.exceptions) == (1, 0)
    assert [g.payer_sequence for g in ledger.billed_generations([CLM01])[CLM01]] == ["P", "T"]


def test_a_crossover_never_answered_becomes_a_no_response_row(
    store: S3Store, ledger: Ledger, context: CheckContext, tmp_path: Path
) -> None:
    """Forwarded by the primary, then silence: after the payer's days the claim is worked
    in the no-response queue, naming the crossover payer."""
    _send_primary(store, ledger, context)
    assert _answer(ledger, store, paid_partly("19")) == {"awaiting_crossover": 1}
    build_worklists(ledger, None, None, TODAY, tmp_path)  # within the payer's days: none
    assert not [i for i in ledger.worklist_items(clm01s=[CLM01]).values() if i.is_open]
    build_worklists(ledger, None, None, TODAY + timedelta(days=45), tmp_path)
    waiting = [i for i in ledger.worklist_items(clm01s=[CLM01]).values() if i.is_open]
    [row] = [i for i in waiting if i.queue == "no_response"]
    assert row.category == "crossover, no response"
    assert "Crossed over to SBXGAP" in row.payload["why"]


def test_denied_primary_stays_with_the_primary(
    store: S3Store, ledger: Ledger, context: CheckContext
) -> None:
    _send_primary(store, ledger, context)
    denied = paid_partly("4", paid="0.00", patient_resp="")
    for line in denied.lines:
        line.paid, line.adjustments = "0.00", [Cas("CO", "50", line.charge)]
    assert _answer(ledger, store, denied) == {"denied": 1}
    assert write_ready(ledger, store, TODAY) == 0


def test_a_claim_with_no_later_payer_is_not_looked_up_again(
    store: S3Store, ledger: Ledger, context: CheckContext
) -> None:
    _send_primary(store, ledger, context, other_coverage=[])
    key = store.key(Area.ENCOUNTERS, NIGHT, "clinic.jsonl")
    make_client(store.config).delete_object(Bucket=store.config.bucket, Key=key)
    assert not list(store.list_area(Area.ENCOUNTERS, NIGHT))
    text = remit([paid_partly()], payer_id="SBXMCR", payer_name="SANDBOX MEDICARE")
    tables = parse_any(text, "p.835", texts=TEXTS)
    summary = on_remittance(ledger, store, TODAY, tables, text.encode(), "p.835", payers={})
    assert (dict(summary.decisions), summary.unknown) == ({}, 0)
