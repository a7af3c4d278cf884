"""The night's build with a payer checked by 270/271: its clean claims are held once (a
crashed file read again holds nothing new), a member with two visits is asked once, and a
claim its 271 cleared is built once, from the next night's released holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.ledger.eligibility import EligibilityStatus, Settlement
from tests.night.conftest import NIGHT, build, office_visit

__all__ = ["build"]


@pytest.fixture
def ledger_url(sqlite_url: str) -> str:
    """SQLite only: the ledger's side runs on PostgreSQL in test_eligibility_pass.py."""
    return sqlite_url


def test_a_checked_payers_claims_wait_for_their_271_and_go_once(
    build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMS_ELIGIBILITY_PAYERS", "87726")
    second = office_visit("V2")
    second["service_lines"][0]["procedure_code"] = "99214"  # another visit, not a duplicate
    build.put("a.jsonl", [office_visit("V1"), second])
    first = build.night()
    assert (first.claims, first.held, first.held_for_eligibility, first.holds) == (0, 0, 2, {})
    build.crash_after("a.jsonl")  # the file is read again, as after a crash
    again = build.night()
    assert (again.claims, again.held, again.already_held) == (0, 0, 2)
    rows = build.ledger.eligibility_rows()
    assert [r.status for r in rows] == [EligibilityStatus.QUEUED] * 2
    assert len({r.asked_trace for r in rows}) == 1  # the same member: asked once

    day = NIGHT + timedelta(days=1)
    cleared = [Settlement(r.id, EligibilityStatus.ANSWERED, {"holds": []}, day, r.encounter)
               for r in rows]  # fmt: skip
    assert sorted(build.ledger.settle_eligibility(cleared)) == ["V1", "V2"]
    assert build.ledger.settle_eligibility(cleared) == []  # the same 271 again: nothing
    released = build.released(day)
    assert (released.claims, released.released) == (2, 2)
    build.crash_after("a.jsonl")
    assert build.night().claims == 0
    assert sorted(build.sent()) == ["V1", "V2"]
