"""The HTML report opens offline in headless Chromium and its charts are drawn."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from flows.ledger import Ledger
from flows.outputs.html_report import BAR_COLORS
from flows.worklists import build_worklists
from tests.fixtures.services import service_missing
from tests.support.x12files import Cas, Claim, Line, remit
from tests.worklists.conftest import context
from tests.worklists.tables import parse
from tests.worklists.test_classify import day_one_835

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def read_png(data: bytes) -> np.ndarray:
    """RGB(A) pixels of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0 and color in (2, 6)
    channels = 3 if color == 2 else 4
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.int32)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]
        line = line.astype(np.int32)
        up = out[y - 1] if y else np.zeros(stride, dtype=np.int32)
        if kind == 0:
            out[y] = line
        elif kind == 2:
            out[y] = (line + up) % 256
        else:  # 1 sub, 3 average, 4 Paeth need the left neighbour: decode bytewise
            row = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                a = row[x - channels] if x >= channels else 0
                b = up[x]
                c = up[x - channels] if x >= channels else 0
                if kind == 1:
                    pred = a
                elif kind == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[x] = (line[x] + pred) % 256
            out[y] = row
    return out.reshape(height, width, channels)[:, :, :3].astype(np.uint8)


def earlier_835() -> str:
    """Ten days before: a Medicare denial and a paid claim, so the trend has two points."""
    line = Line("99213", "120", "0", "ENC-3-1", [Cas("CO", "50", "120")])
    denied = Claim("ENC-3", "4", "120", "0", "0", "MCN3", lines=[line])
    paid = Claim("ENC-4", "1", "300", "300", "0", "PCN4",
                 lines=[Line("99215", "300", "300", "ENC-4-1")])  # fmt: skip
    return remit(
        [denied, paid], trace="MED1", pay_date=date(2026, 10, 10), isa13=105, payer_id="00431"
    )


def pixels_of(image: np.ndarray, hex_color: str) -> int:
    rgb = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image.astype(int) - rgb).sum(axis=2) <= 12).sum())


@pytest.mark.slow
def test_the_report_renders_with_non_empty_charts(sqlite_url, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        service_missing("chromium is not installed (sh .ci/install-chromium.sh)")
    day = date(2026, 10, 21)
    now = datetime(2026, 10, 21, 6, tzinfo=UTC)
    with Ledger.open(sqlite_url) as ledger:
        files = parse(("a.835", day_one_835()), ("m.835", earlier_835()))
        summary = build_worklists(ledger, files, context(), day, tmp_path / "out", now=now)
    report = Path(summary.outputs[f"report-{day.isoformat()}.html"])
    png = tmp_path / "report.png"
    subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={png}", "--window-size=1400,2000", report.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    image = read_png(png.read_bytes())
    assert image.shape[:2] == (2000, 1400)
    for chart, color in BAR_COLORS.items():
        assert pixels_of(image, color) > 150, f"chart {chart} has no visible bars"
