"""The front-desk sheet: held claims stay until fixed; cleared ones show what to collect."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from edi.worklists.front_desk import front_desk_rows
from tests.factories import EXAMPLE

TODAY = date(2026, 12, 6)
HOLD = {"code": "INACTIVE", "said": "coverage ended", "fix": "Ask for the new card."}


def _check(trace, answered_on, holds=(), state="held", status="answered", **answer):
    return SimpleNamespace(
        trace=trace, clm01=f"C-{trace}", payer_id="87726", service_date=date(2026, 11, 1),
        status=status, hold_state=state, answered_on=answered_on,
        answer=None if answered_on is None else {"holds": list(holds), **answer},
        encounter={"subscriber": EXAMPLE["subscriber"]},
    )  # fmt: skip


def test_held_claims_stay_and_cleared_ones_show_the_cost_sharing():
    checks = [
        _check("OLD-HELD", date(2026, 10, 1), [HOLD]),
        _check("OLD-CLEAR", date(2026, 10, 1), state="released"),
        _check("WAITING", None, status="asked"),
        _check("NEW-CLEAR", date(2026, 12, 5), state="released",
               cost_sharing={"copay": "25.00", "deductible": "120.00"}),
    ]  # fmt: skip
    rows = front_desk_rows(checks, date(2026, 11, 29))
    assert [r["check_id"] for r in rows] == ["OLD-HELD", "NEW-CLEAR"]
    held, clear = rows
    assert (held["status"], held["fix"]) == ("held: fix registration", HOLD["fix"])
    assert held["payer_said"] == "coverage ended" and held["patient"] == "Doe, Jane"
    assert (clear["status"], clear["copay"], clear["deductible_left"]) == (
        "released", "25.00", "120.00")  # fmt: skip
