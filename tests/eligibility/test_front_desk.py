"""The front-desk sheet: held claims stay until fixed; cleared ones show what to collect; its
commands work on the business date they are given."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from edi.worklists.front_desk import front_desk_rows
from flows.cli import main
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


def test_the_commands_work_on_the_business_date_given(tmp_path, capsys) -> None:
    """``--date``: the demo's nights are in the past, so the front desk's sheet and import
    take the business date they are for, not the day the command runs."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    out = tmp_path / "fd"
    assert main(["eligibility", "sheet", "--out", str(out), "--ledger", url,
                 "--date", "2026-11-30"]) == 0  # fmt: skip
    sheet = out / "front-desk-2026-11-30.csv"
    assert sheet.exists() and (out / "front-desk-2026-11-30.xlsx").exists()
    assert main(["eligibility", "import", str(sheet), "--ledger", url,
                 "--date", "2026-11-30"]) == 0  # fmt: skip
    assert "the 270s of the night of 2026-11-30" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["eligibility", "import", str(sheet), "--ledger", url, "--date", "2026-11-31"])
    assert refused.value.code == 2 and "--date" in capsys.readouterr().err
