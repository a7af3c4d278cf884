"""``claims demo`` end to end, three nights on one folder: what a newcomer sees must be true."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from edi.x12.reader import iter_segments
from flows.ledger import ClaimState, Ledger
from flows.worklists import build_worklists
from sandbox.demo import RESENT, DemoResult, _night_encounters, claims_sent, run_demo
from tests.fixtures.services import service_missing
from tests.worklists.test_report_screenshot import CHROMIUM_FLAGS, read_png

PROJECT = Path(__file__).resolve().parents[2]
DOCS = PROJECT / "docs"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> tuple[Path, list]:
    data = tmp_path_factory.mktemp("demo")
    saved = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = prefect_api
    try:
        results = [run_demo(data, count=60, quiet=True)]
        answer_coding_review(data, results[0].coding_review)
        fix_front_desk(data, results[0])  # issue 16
        results += [run_demo(data, count=60, quiet=True) for _ in range(2)]
    finally:
        if saved is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = saved
    return data, results


def answer_coding_review(data: Path, workbook: Path | None) -> None:
    """A biller answers every query of the first night's coding-review workbook with its
    first choice and imports it, as ``claims queries import`` does."""
    from openpyxl import load_workbook

    from flows.cli import main
    from flows.outputs.coding_review import REVIEW_COLUMNS, REVIEW_TITLE

    assert workbook is not None and workbook.exists()
    wb = load_workbook(workbook)
    ws = wb[REVIEW_TITLE]
    headers = [c[1] for c in REVIEW_COLUMNS]
    choices, answer = headers.index("Choices") + 1, headers.index("Answer") + 1
    assert ws.max_row > 1, "the demo's coding-review worklist has rows"
    for row in range(2, ws.max_row + 1):
        first = ws.cell(row=row, column=choices).value.splitlines()[0].split("  (")[0]
        ws.cell(row=row, column=answer, value=first)
    wb.save(workbook)
    assert main(["queries", "import", str(workbook), "--ledger",
                 f"sqlite:///{data / 'ledger.sqlite'}"]) == 0  # fmt: skip


FIXED_MEMBER = "W{:09d}"


def fix_front_desk(data: Path, night: DemoResult) -> None:
    """Issue 16: the front desk gets each held patient's card and types the member ID into
    the front-desk workbook of ``night``, then imports it, as ``claims eligibility import``
    does, on the business date of the next night (the one its new 270s go out)."""
    from flows.cli import main
    from flows.worklists.front_desk import COLUMNS, TITLE

    workbook = night.front_desk
    assert workbook is not None and workbook.exists()
    wb = load_workbook(workbook)
    ws = wb[TITLE]
    headers = [c[1] for c in COLUMNS]
    status, fixed = headers.index("Status") + 1, headers.index("Corrected member ID") + 1
    held = [r for r in range(2, ws.max_row + 1)
            if str(ws.cell(row=r, column=status).value).startswith("held")]  # fmt: skip
    assert held, "the first night's front-desk sheet has claims held"
    for n, row in enumerate(held):
        ws.cell(row=row, column=fixed, value=FIXED_MEMBER.format(n))
    wb.save(workbook)
    assert main(["eligibility", "import", str(workbook), "--ledger",
                 f"sqlite:///{data / 'ledger.sqlite'}",
                 "--date", str(night.next_night)]) == 0  # fmt: skip


@pytest.mark.slow
def test_eligibility_holds_claims_until_their_271_and_the_front_desk_fix_releases_them(
    demo: tuple[Path, list],
) -> None:
    """Issue 16: Acme's claims wait for a 271; clear answers go out the next night, the
    front desk's corrected member IDs are asked about in night two's 270s and the claims
    their 271 clears go out on night three, and a Medicaid plan a 271 named is billed after
    Acme's 835."""
    data, (first, second, third) = demo
    assert first.waiting_eligibility > 0 and first.held > 0  # counted apart
    assert first.eligibility["released by their 271"] > 0
    with Ledger.open(f"sqlite:///{data / 'ledger.sqlite'}") as ledger:
        checks = ledger.eligibility_rows()
        holds = {h.id: h for h in ledger.find_holds()}
        later = ledger.next_payer_rows().values()
    fixed = [
        h
        for h in holds.values()
        if h.business_date == first.business_date
        and h.answered
        and h.answered["subscriber"]["member_id"] != h.encounter["subscriber"]["member_id"]
    ]
    assert fixed and {h.answered["subscriber"]["member_id"][:1] for h in fixed} == {"W"}
    asked = {r.held_id for r in checks
             if r.file_id is not None and r.business_date == second.business_date}  # fmt: skip
    assert {h.id for h in fixed} <= asked, "each corrected member ID had a 270 night two"
    cleared = [h for h in fixed if str(h.state) == "sent"]
    assert cleared and all(h.sent_on == third.business_date for h in cleared)
    assert all(str(h.state) in ("sent", "held") for h in fixed)
    found = {r.clm01 for r in checks if "SBXMCD" in (r.answer or {}).get("later_payers", [])}
    billed = {r.clm01 for r in later if r.payer_id == "SBXMCD" and r.written_key}
    assert found & billed, "a Medicaid plan found by a 271 was billed after Acme's 835"


@pytest.mark.slow
def test_the_unbundled_ecg_pair_is_held_and_released_by_its_answer(
    demo: tuple[Path, list],
) -> None:
    """93000 + 93005 on one date is held before it leaves (not denied CO-97 after); the
    answer "part of the other service" sends the claim the next night without 93005."""
    data, (first, second, _) = demo
    with Ledger.open(f"sqlite:///{data / 'ledger.sqlite'}") as ledger:
        holds = ledger.find_holds()
    ecg = [h for h in holds if "SNIP7.NCCI.PTP_NOT_ALLOWED" in h.rule_ids]
    assert first.held >= 1 and ecg
    # every hold of the first night released by then (answered, or cleared by its 271 or
    # the front desk) was built on the second night (issue 16: some wait for the front desk)
    assert second.released == len([h for h in holds if h.business_date == first.business_date
                                   and h.sent_on == second.business_date])  # fmt: skip
    sent = {h.clm01 for h in ecg if str(h.state) == "sent"}
    assert sent
    lines: dict[str, list[str]] = {}
    for path in (data / "sandbox" / "sftp" / "received").iterdir():
        current = None
        for seg in iter_segments(path.read_bytes(), path.name):
            if seg.id == "CLM":
                current = seg.get(1)
            elif seg.id == "SV1" and current in sent:
                lines.setdefault(current, []).append(seg.get(1).split(":")[1])
    assert set(lines) == sent
    assert all("93005" not in codes for codes in lines.values())


@pytest.mark.slow
def test_every_good_encounter_went_out_exactly_once(demo: tuple[Path, list]) -> None:
    data, (first, second, third) = demo
    received = Counter(
        claim  # (CLM01, payer sequence): a secondary claim goes out under the same CLM01
        for path in (data / "sandbox" / "sftp" / "received").iterdir()
        for claim in claims_sent(iter_segments(path.read_bytes(), path.name))
    )
    assert set(received.values()) == {1}
    assert first.sent_twice == second.sent_twice == third.sent_twice == 0
    with Ledger.open(f"sqlite:///{data / 'ledger.sqlite'}") as ledger:
        sent = [c for c in ledger.find_claims() if c.state != ClaimState.ADMITTED]
        refused = {
            e.subject
            for e in ledger.find_exceptions()
            if e.rule_id.startswith("SNIP") and "next-payer-" not in e.source_file
        }  # a claim to a next payer refused leaves its primary sent
    assert {c.clm01 for c in sent} == {clm01 for clm01, _ in received}
    assert not refused & {clm01 for clm01, _ in received}, "a refused encounter went out"
    assert first.claims_sent + second.claims_sent + third.claims_sent == len(received)
    assert second.released > 0, "answered coding queries released claims into night two"
    for night in (first, second, third):
        built_from_tonight = night.claims_sent - night.released
        held = night.held + night.waiting_eligibility + night.front_desk_held
        assert night.encounters == built_from_tonight + night.exceptions + held
    assert second.already_submitted == RESENT, "yesterday's encounters exported again"
    assert third.business_date > second.business_date > first.business_date


@pytest.mark.slow
def test_the_workbook_has_work_in_the_queues(demo: tuple[Path, list]) -> None:
    _, (_, second, _) = demo
    book = load_workbook(second.workbook)
    for sheet in ("Rejections", "Denials"):
        rows = [r for r in book[sheet].iter_rows(min_row=2, values_only=True) if any(r)]
        assert rows, f"{sheet} has no rows"
    assert second.queues["denials"] > 0 and second.queues["rejections"] > 0
    assert second.exceptions_file.read_text().count("\n") == second.exceptions


@pytest.mark.slow
def test_claims_nobody_answers_are_in_no_response_the_next_day(
    demo: tuple[Path, list], tmp_path: Path
) -> None:
    """The sandbox's silent payer acknowledges and never answers; with its zero-day window
    its claims are in the no-response queue the next morning."""
    data, _ = demo
    with Ledger.open(f"sqlite:///{data / 'ledger.sqlite'}") as ledger:
        summary = build_worklists(ledger, None, None, date.today() + timedelta(days=1), tmp_path)
    book = load_workbook(next(tmp_path.rglob("*.xlsx")))
    rows = [r for r in book["No response"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert rows
    assert all("SBXSLOW" in r for r in rows)
    assert summary.by_queue.set_index("queue").loc["no_response", "open_items"] == len(rows)


@pytest.mark.slow
def test_three_nights_fill_every_queue_with_a_276_round_trip(demo: tuple[Path, list]) -> None:
    """Answers are dated the morning after each night; the quiet claims of the first nights
    get a 276 the next night, the sandbox answers it (pending), and it is read back."""
    data, results = demo
    last = results[-1]
    assert all(last.queues.get(q, 0) > 0 for q in ("rejections", "denials", "no_response",
                                                    "info_requested")), last.queues  # fmt: skip
    asked = list((data / "sandbox" / "sftp").rglob("*.276"))
    assert asked, "no 276 reached the clearinghouse"
    with Ledger.open(f"sqlite:///{data / 'ledger.sqlite'}") as ledger:
        quiet = [c.clm01 for c in ledger.find_claims() if c.payer_id == "SBXSLOW"]
        kinds = {e.kind for clm01 in quiet[:5] for e in ledger.timeline(clm01)}
    assert {"status_inquired", "status_answered"} <= {str(k) for k in kinds}
    mornings = {r.business_date + timedelta(days=1) for r in results}
    assert len(mornings) == 3  # three remittance days, not one bar


@pytest.mark.slow
def test_the_report_renders_in_chromium(demo: tuple[Path, list], tmp_path: Path) -> None:
    browser = shutil.which("chromium")
    if browser is None:
        service_missing("chromium is not installed (.ci/install-chromium.sh installs it)")
    _, (_, second, _) = demo
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1300,1500",
            second.report.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pixels = read_png(shot.read_bytes())
    drawn = (pixels < 200).any(axis=2).mean()
    assert drawn > 0.02, "the report is blank"
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 8, "no charts in colour"
    if os.environ.get("CLAIMS_UPDATE_SCREENSHOT"):
        shutil.copy(shot, DOCS / "demo-report.png")


def test_the_demo_keeps_no_phi_of_its_own(demo: tuple[Path, list]) -> None:
    """The folder's state names encounters by ID; the patients are made again from a seed."""
    data, nights = demo
    phi = set()
    for run, night in enumerate(nights, start=1):
        for e in _night_encounters(night.business_date, 60, run):
            people = [e["subscriber"], e.get("patient") or {}]
            keys = ("last_name", "birth_date", "member_id")
            phi |= {p[k] for p in people for k in keys if k in p}
            phi |= {p["address"]["line1"] for p in people if "address" in p}
    state = "".join(p.read_text() for p in data.glob("demo-*.json"))
    assert phi and not {v for v in phi if v in state}
    resent = json.loads((data / "demo-previous.json").read_text())["resend"]
    assert len(resent) == RESENT


def _family(pid: int) -> dict[int, str]:
    """Every live descendant of ``pid`` (PID -> start time, to tell a reused PID apart)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            parents.setdefault(int(stat[1]), []).append(int(entry.name))
    found, todo = {}, [pid]
    while todo:
        for kid in parents.get(todo.pop(), []):
            if (stat := _stat(kid)) and stat[0] != "Z":
                found[kid] = stat[19]
                todo.append(kid)
    return found


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: state, ppid, ... (None if gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _survivors(family: dict[int, str]) -> list[str]:
    alive = []
    for pid, started in family.items():
        stat = _stat(pid)
        if stat and stat[0] != "Z" and stat[19] == started:
            alive.append(Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "))
    return alive


@pytest.mark.slow
@pytest.mark.parametrize("when", ["starting", "serving"])
def test_sigterm_stops_the_ui_demo_and_all_it_started(when: str, tmp_path: Path) -> None:
    """SIGTERM (systemd, docker stop, kill) stops ``claims demo --ui`` as Ctrl-C does, both
    while the Prefect server starts and once the UI is up: no server or worker is left."""
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "PYTHONUNBUFFERED": "1"}
    env.pop("PREFECT_API_URL", None)
    code = "from flows.cli import console; console()"
    demo = subprocess.Popen(
        [sys.executable, "-c", code, "demo", "--ui", "--data", str(tmp_path / "demo"),
         "--count", "20", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(demo.stdout), daemon=True).start()
    family: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and demo.poll() is None:
            family |= _family(demo.pid)
            commands = " ".join(_survivors(family))
            if (when == "starting" and "server start" in commands) or (
                when == "serving" and "worker start" in commands and "Prefect UI" in "".join(output)
            ):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the demo did not reach {when!r}: {''.join(output)[-2000:]}")
        family |= _family(demo.pid)
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=120) == 0, "".join(output)[-2000:]
        time.sleep(1)
        assert _survivors(family) == [], "children outlived the demo"
    finally:
        for pid in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if demo.poll() is None:
            demo.kill()
