"""``claims demo`` end to end, twice on one folder: what a newcomer sees must be true."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from edi.x12.reader import iter_segments
from flows.ledger import ClaimState, Ledger
from flows.worklists import build_worklists
from sandbox.demo import RESENT, run_demo
from tests.fixtures.services import service_missing
from tests.worklists.test_report_screenshot import CHROMIUM_FLAGS, read_png

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> tuple[Path, list]:
    data = tmp_path_factory.mktemp("demo")
    saved = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = prefect_api
    try:
        results = [run_demo(data, count=60, quiet=True) for _ in range(2)]
    finally:
        if saved is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = saved
    return data, results


@pytest.mark.slow
def test_every_good_encounter_went_out_exactly_once(demo: tuple[Path, list]) -> None:
    data, (first, second) = demo
    received = Counter(
        seg.get(1)
        for path in (data / "sandbox" / "sftp" / "received").iterdir()
        for seg in iter_segments(path.read_bytes(), path.name)
        if seg.id == "CLM"
    )
    assert set(received.values()) == {1}
    assert first.sent_twice == second.sent_twice == 0
    with Ledger.open(f"sqlite:///{data / 'ledger.sqlite'}") as ledger:
        sent = [c for c in ledger.find_claims() if c.state != ClaimState.ADMITTED]
        refused = {e.subject for e in ledger.find_exceptions() if e.rule_id.startswith("SNIP")}
    assert {c.clm01 for c in sent} == set(received)
    assert not refused & set(received), "an encounter refused by the rules went out"
    assert first.claims_sent + second.claims_sent == len(received)
    for night in (first, second):
        assert night.encounters == night.claims_sent + night.exceptions
    assert second.already_submitted == RESENT, "yesterday's encounters exported again"
    assert second.business_date > first.business_date


@pytest.mark.slow
def test_the_workbook_has_work_in_the_queues(demo: tuple[Path, list]) -> None:
    _, (_, second) = demo
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
def test_the_report_renders_in_chromium(demo: tuple[Path, list], tmp_path: Path) -> None:
    browser = shutil.which("chromium")
    if browser is None:
        service_missing("chromium is not installed (.ci/install-chromium.sh installs it)")
    _, (_, second) = demo
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
