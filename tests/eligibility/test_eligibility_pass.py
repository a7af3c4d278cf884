"""The eligibility pass against the sandbox, at the ledger: each member asked once however
often the night is rerun or killed, the 271 deciding each held claim, the front desk's fix
releasing one, and a claim whose answer never comes going out after the wait."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from edi.claims.intake import Accepted
from edi.claims.models import Encounter
from flows.clearinghouse.retry import RetryPolicy
from flows.clearinghouse.sftp import SftpClearinghouse
from flows.eligibility import apply_271, hold_unverified, send_eligibility_inquiries
from flows.faults import InjectedFault
from flows.ledger import Ledger
from flows.ledger.eligibility import EligibilityStatus
from flows.ledger.held import HoldState
from flows.worklists.front_desk import import_fixes, write_front_desk
from mappings.profiles import Eligibility, clearinghouse_profile, payer_profiles
from sandbox.seeded import chance
from tests.factories import EXAMPLE, encounter

NIGHT = date(2026, 11, 20)
FILE = "encounters/2026-11-20/clinic.jsonl"
CHECKED = {"87726": Eligibility(enabled=True, wait_days=2, per_file=2)}
PROFILE = clearinghouse_profile("sandbox")
FAST = RetryPolicy(attempts=1)


def _member(low: int, high: int) -> str:
    """A member ID the sandbox roster (seed 7) puts in the share [low, high)."""
    return next(m for n in range(10_000) if low <= chance(7, "eligibility", "87726",
                m := f"W{n:09d}") < high)  # fmt: skip


ROSTER = {"clear": (24, 100), "ended": (4, 10), "medicaid": (14, 24), "unknown": (0, 4)}


def _accepted(name: str, member_id: str) -> Accepted:
    data = encounter(encounter_id=f"ELG-{name}", subscriber={**EXAMPLE["subscriber"],
                                                             "member_id": member_id})  # fmt: skip
    return Accepted(Encounter.model_validate(data), FILE)


def _answer_all(ledger: Ledger, clearinghouse: SftpClearinghouse, day: date) -> dict:
    found = {}
    for name in clearinghouse.list_responses():
        if name.endswith(".271"):
            found[name] = apply_271(ledger, clearinghouse.fetch(name), name, day, payer_profiles())
    return found


def test_each_member_is_asked_once_and_the_271_decides(
    ledger_url: str, sandbox, sandbox_key, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = {k: _member(*v) for k, v in ROSTER.items()}
    items = [_accepted(k, m) for k, m in members.items()]
    payers = payer_profiles()
    with (
        Ledger.open(ledger_url) as ledger,
        SftpClearinghouse(sandbox.transport(), private_key=sandbox_key, retry=FAST) as ch,
    ):
        voided = {"encounter_id": "ELG-VOID", "frequency_code": "8",
                  "original_payer_claim_number": "1"}  # fmt: skip
        void = Accepted(items[0].encounter.model_copy(update=voided), FILE)
        gate = hold_unverified(ledger, [*items, void], FILE, NIGHT, CHECKED, payers)
        assert (gate.go, len(gate.held)) == ([void], 4)  # a void of a billed claim just goes
        again = hold_unverified(ledger, items, FILE, NIGHT, CHECKED, payers)  # file read again
        assert (again.go, again.held, len(again.already)) == ([], [], 4)

        monkeypatch.setenv("CLAIMS_FAULT", "eligibility_recorded")  # killed before the upload
        with pytest.raises(InjectedFault):
            send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, NIGHT)
        monkeypatch.delenv("CLAIMS_FAULT")
        rerun = send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, NIGHT)
        last = send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, NIGHT)
        sent = sorted(p.name for p in sandbox.received.iterdir() if p.suffix == ".270")
        assert len(rerun.resent) == 1 and rerun.asked == 2 and len(sent) == 2  # cap: 2 a file
        assert (last.files, last.resent, last.asked) == ([], [], 0)

        answered = _answer_all(ledger, ch, NIGHT + timedelta(days=1))
        assert sum(s.answered for s in answered.values()) == 4
        rows = {r.clm01: r for r in ledger.eligibility_rows()}
        assert all(r.status == EligibilityStatus.ANSWERED for r in rows.values())
        held = {c for c, r in rows.items() if r.hold_state == HoldState.HELD}
        assert held == {"ELG-ENDED", "ELG-UNKNOWN"}
        assert [h["code"] for h in rows["ELG-ENDED"].answer["holds"]] == ["INACTIVE"]
        assert rows["ELG-CLEAR"].answer["cost_sharing"]["copay"] == "25.00"
        (released,) = [h for h in ledger.find_holds() if h.clm01 == "ELG-MEDICAID"]
        (medicaid,) = released.answered["other_coverage"]
        assert medicaid["payer"]["payer_id"] == "SBXMCD" and medicaid["subscriber"]["member_id"]

        # the same 271 read again changes nothing
        for name, data in ((n, ch.fetch(n)) for n in answered):
            assert apply_271(ledger, data, name, NIGHT, payers).answered == 0

        # a member answered for within the window is not asked again: a clear one goes
        later = [_accepted("clear2", members["clear"]), _accepted("ended2", members["ended"])]
        cached = hold_unverified(ledger, later, "f2.jsonl", NIGHT + timedelta(days=3),
                                 CHECKED, payers)  # fmt: skip
        assert [a.encounter.claim_id for a in cached.go] == ["ELG-CLEAR2"]
        assert cached.held == cached.front_desk == ["ELG-ENDED2"] and cached.cached == 2
        ended2 = ledger.eligibility_rows(traces=[r.trace for r in ledger.eligibility_rows()
                                                 if r.clm01 == "ELG-ENDED2"])  # fmt: skip
        assert ended2[0].status == EligibilityStatus.ANSWERED  # on the front-desk sheet, unasked

        _fix_unknown_member(ledger, ch, tmp_path, members)


def _fix_unknown_member(ledger: Ledger, ch: SftpClearinghouse, tmp_path: Path,
                        members: dict[str, str]) -> None:  # fmt: skip
    """The front desk fixes the unknown member's ID from the sheet: asked again, once."""
    files = write_front_desk(ledger, tmp_path / "fd", NIGHT + timedelta(days=1))
    assert files.held == 3
    table = list(csv.DictReader(io.StringIO(Path(files.table).read_text())))
    for row in table:
        if row["Claim (CLM01)"] == "ELG-UNKNOWN":
            row["Corrected member ID"] = members["clear"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table[0]))
    writer.writeheader()
    writer.writerows(table)
    fix_day = NIGHT + timedelta(days=4)  # later than the wait: the new check waits anew
    fixed = import_fixes(ledger, "fd.csv", out.getvalue().encode(), fix_day)
    assert (fixed.asked_again, fixed.problems) == (["ELG-UNKNOWN"], [])
    twice = import_fixes(ledger, "fd.csv", out.getvalue().encode(), fix_day)
    assert (twice.asked_again, twice.already, twice.problems) == ([], ["ELG-UNKNOWN"], [])
    (hold,) = [h for h in ledger.find_holds() if h.clm01 == "ELG-UNKNOWN"]
    assert hold.state == HoldState.HELD  # not released before its 271
    night = send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, fix_day)
    assert (night.asked, night.expired) == (1, [])
    assert send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, fix_day).asked == 0
    _answer_all(ledger, ch, fix_day)
    (hold,) = [h for h in ledger.find_holds() if h.clm01 == "ELG-UNKNOWN"]
    assert hold.state == HoldState.RELEASED
    assert hold.answered["subscriber"]["member_id"] == members["clear"]
    assert hold.encounter["subscriber"]["member_id"] == members["unknown"]  # as received


def test_a_claim_whose_271_never_comes_goes_out_after_the_wait(sqlite_url: str, sandbox,
                                                              sandbox_key) -> None:  # fmt: skip
    item = _accepted("silent", _member(24, 100))
    with (
        Ledger.open(sqlite_url) as ledger,
        SftpClearinghouse(sandbox.transport(), private_key=sandbox_key, retry=FAST) as ch,
    ):
        hold_unverified(ledger, [item], FILE, NIGHT, CHECKED, payer_profiles())
        send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, NIGHT)  # the 271 is never read
        waiting = send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, NIGHT + timedelta(1))
        assert waiting.expired == []
        late = send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, NIGHT + timedelta(2))
        assert late.expired == ["ELG-SILENT"] and late.files == []
        (hold,) = ledger.find_holds()
        assert hold.state == HoldState.RELEASED and hold.answered == hold.encounter
        (row,) = ledger.eligibility_rows()
        assert row.status == EligibilityStatus.EXPIRED and "no 271" in row.answer["warning"]


def test_killed_after_the_upload_the_rerun_sends_the_same_file_once(
    sqlite_url: str, sandbox, sandbox_key, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = _accepted("once", _member(24, 100))
    with (
        Ledger.open(sqlite_url) as ledger,
        SftpClearinghouse(sandbox.transport(), private_key=sandbox_key, retry=FAST) as ch,
    ):
        hold_unverified(ledger, [item], FILE, NIGHT, CHECKED, payer_profiles())
        monkeypatch.setenv("CLAIMS_FAULT", "eligibility_sent")  # uploaded, not marked sent
        with pytest.raises(InjectedFault):
            send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, NIGHT)
        monkeypatch.delenv("CLAIMS_FAULT")
        rerun = send_eligibility_inquiries(ledger, ch, PROFILE, CHECKED, NIGHT)
        assert (len(rerun.resent), rerun.asked) == (1, 0)
        (file,) = ledger.eligibility_files()
        assert file.sent_at is not None
    assert [p.name for p in sandbox.received.iterdir() if p.suffix == ".270"] == [file.file_name]
