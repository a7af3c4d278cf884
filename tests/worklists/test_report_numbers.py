"""The report, rendered by headless Chromium, says what the workbook says, number for number."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.ledger import Ledger
from flows.worklists import build_worklists
from tests.fixtures.services import service_missing
from tests.ledger.helpers import claim, submit
from tests.support.x12files import Status, claim_ack
from tests.worklists.conftest import context
from tests.worklists.tables import parse
from tests.worklists.test_classify import day_one_835
from tests.worklists.test_report_screenshot import CHROMIUM_FLAGS, earlier_835

DAY = date(2026, 10, 21)


def _dom(report: Path, tmp_path: Path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        service_missing("chromium is not installed (sh .ci/install-chromium.sh)")
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         report.as_uri()],
        check=True, capture_output=True, timeout=120, text=True,
    )  # fmt: skip
    return done.stdout


def _html_table(dom: str, name: str) -> list[list[str]]:
    body = re.search(rf"<table data-table=\"{name}\">.*?<tbody>(.*?)</tbody>", dom, re.S)
    assert body, name
    return [
        [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def _sheet_block(ws, title: str) -> list[list[str]]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == title) + 2
    found = []
    for row in rows[start:]:
        if row[0] is None:
            break
        found.append([_shown(v) for v in row if v is not None])
    return found


def _shown(value) -> str:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return str(value)


def _money(text: str) -> str:
    return str(Decimal(text.replace("$", "").replace(",", "")).normalize())


@pytest.mark.slow
def test_report_numbers_match_the_workbook(sqlite_url, tmp_path):
    with Ledger.open(sqlite_url) as ledger:
        submit(ledger, [claim("ENC-9")], at=datetime(2026, 9, 1, 12, tzinfo=UTC))
        statuses = claim_ack([Status("ENC-3", "A7", "562", "82"),
                              Status("ENC-4", "R4", "252", "41", action="WQ")],
                             payer=True, created=datetime(2026, 10, 20, 12))  # fmt: skip
        files = parse(("a.835", day_one_835()), ("m.835", earlier_835()), ("s.277", statuses))
        summary = build_worklists(ledger, files, context(), DAY, tmp_path / "out",
                                  now=datetime(2026, 10, 21, 6, tzinfo=UTC))  # fmt: skip
    dom = _dom(Path(summary.outputs[f"report-{DAY.isoformat()}.html"]), tmp_path)
    wb = load_workbook(summary.outputs[f"worklists-{DAY.isoformat()}.xlsx"])
    sheet = _sheet_block(wb["Summary"], "Open work by queue")
    report = _html_table(dom, "queues")
    assert len(report) == len(sheet) == 4
    for html_row, xlsx_row in zip(report, sheet, strict=True):
        assert html_row[0] == xlsx_row[0]
        assert html_row[1:3] + html_row[4:] == [str(int(v)) for v in xlsx_row[1:3] + xlsx_row[4:]]
        assert _money(html_row[3]) == _money(xlsx_row[3])
    categories = _html_table(dom, "categories")
    sheet_categories = _sheet_block(wb["Summary"], "By category")
    assert [(r[0], r[1], r[2], _money(r[3])) for r in categories] == [
        (r[0], r[1], str(int(r[2])), _money(r[3])) for r in sheet_categories
    ]
    ws = wb["Denials"]
    column = next(c.column for c in ws[1] if c.value == "Denied")
    denied = [r[column - 1] for r in ws.iter_rows(min_row=2, values_only=True)]
    kpi = re.search(r"data-metric=\"recoverable-denials\">([^<]+)<", dom).group(1)
    assert _money(kpi) == _money(str(sum(Decimal(str(v)) for v in denied if v is not None)))
    top = re.search(r"<h2>Top \d+ rows by priority</h2>(.*)", dom, re.S).group(1)
    assert "What to do" in top and "Why" in top
