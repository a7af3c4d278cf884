"""276 out, 277 (X212) back: the sandbox answers from what it did, the reader takes it in."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from edi.claims.models import Encounter
from edi.responses import parse_any
from edi.status.build_276 import build_276, clm01_of_trace, trace_of
from edi.x12.control import MemoryControlNumbers
from edi.x12.reader import iter_segments
from flows.status_inquiry import inquiry
from mappings.code_texts import bundled_code_texts
from mappings.profiles import clearinghouse_profile
from sandbox.responder import Responder
from sandbox.state import SandboxState
from tests.sandbox.claim_batch import RECEIVED, _claim, _line, build_files

TEXTS = bundled_code_texts()
SILENT = {"payer_id": "SBXSLOW", "name": "Sandbox Silent Payer", "claim_filing_indicator": "CI"}


def _encounters() -> list[Encounter]:
    raw = [
        _claim("PAID-1", [_line("99214", "180.00")], member="W100000001"),
        _claim("DENY-CO29", [_line("99213", "140.00", date(2026, 5, 4))]),
        _claim("REJECT-A7", [_line("99213", "140.00")], member="X12345"),
        _claim("QUIET-1", [_line("99213", "140.00")], payer=SILENT),
    ]
    return [Encounter.model_validate(r) for r in raw]


def _ask(encounters: list[Encounter], created: datetime) -> str:
    profile = clearinghouse_profile("sandbox")
    asked = [inquiry(e, e.encounter_id, None) for e in encounters]
    return build_276(asked, profile.sender.party(), profile.receiver.party(),
                     profile.submitter.name, 900, 900, created)  # fmt: skip


@pytest.fixture(scope="module")
def answered():
    encounters = _encounters()
    responder = Responder(SandboxState(), seed=7, clock=lambda: RECEIVED)
    for number, data in enumerate(build_files(encounters, MemoryControlNumbers()), 1):
        responder.respond(data, f"{number:09d}.837")
    later = RECEIVED + timedelta(days=40)
    responder.clock = lambda: later
    text = _ask(encounters, later)
    (reply,) = responder.respond(text.encode("ascii"), "000000900.276")
    return text, reply


def test_the_276_carries_the_claims_as_the_837_sent_them(answered):
    text, _ = answered
    segments = list(iter_segments(text.encode(), "q.276"))
    assert [s.get(8) for s in segments if s.id == "GS"] == ["005010X212"]
    assert [s.get(2) for s in segments if s.id == "REF" and s.get(1) == "EJ"] == [
        "DENY-CO29", "PAID-1", "REJECT-A7", "QUIET-1"]  # grouped by payer  # fmt: skip
    traces = [s.get(2) for s in segments if s.id == "TRN"]
    assert traces[0] == trace_of("DENY-CO29", (RECEIVED + timedelta(days=40)).date())
    assert clm01_of_trace(traces[0]) == "DENY-CO29"
    hls = [s.get(3) for s in segments if s.id == "HL"]
    assert hls[:3] == ["20", "21", "19"] and "22" in hls
    se = next(s for s in segments if s.id == "SE")
    st = next(i for i, s in enumerate(segments) if s.id == "ST")
    assert int(se.get(1)) == len(segments[st:]) - 2  # ST..SE counted, GE and IEA not


def test_the_sandbox_answers_from_its_own_state(answered):
    _, reply = answered
    assert reply.kind == "277" and reply.name == "000000900.277"
    tables = parse_any(reply.data, reply.name, texts=TEXTS)
    status = tables.claim_status[tables.claim_status["level"] == "claim"].set_index("clm01")
    assert set(status["status_kind"]) == {"277"}
    got = {c: (status.loc[c, "status_category"], status.loc[c, "outcome"]) for c in status.index}
    assert got == {
        "PAID-1": ("F1", "finalized"),
        "DENY-CO29": ("F2", "finalized"),
        "REJECT-A7": ("A4", "rejected"),  # the payer's front end never took it: not found
        "QUIET-1": ("P1", "pending"),
    }
    assert status.loc["PAID-1", "paid_cents"] > 0
    assert status.loc["PAID-1", "payer_claim_number"]
    assert status.loc["PAID-1", "inquiry_trace"].startswith("PAID-1-")
    assert tables.findings.empty


def test_claims_parse_reads_a_277_answer(answered, tmp_path, capsys):
    import pandas as pd

    from flows.cli import main

    _, reply = answered
    path = tmp_path / reply.name
    path.write_bytes(reply.data)
    assert main(["parse", str(path), "--out", str(tmp_path / "out")]) == 0
    status = pd.read_csv(tmp_path / "out" / "claim_status.csv", dtype=str)
    claims = status[status["level"] == "claim"]
    assert sorted(claims["clm01"]) == ["DENY-CO29", "PAID-1", "QUIET-1", "REJECT-A7"]
    assert set(claims["status_kind"]) == {"277"}
