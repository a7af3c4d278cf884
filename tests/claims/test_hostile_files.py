"""Hostile encounter files through ``claims build``: each bad file or record is named with
a reason, the good ones beside it are built, and no traceback reaches the user.

Every hostile input is generated here, small: limits are set low through the
environment (``CLAIMS_MAX_*``), never by writing gigabytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.cli import main
from flows.sources import ReadLimits, records_from_stream
from tests.claims.test_build_cli import flat_rows
from tests.factories import encounter, ndjson, visit

GOOD = ndjson(encounter(encounter_id="GOOD1")).encode()


def build(
    tmp_path: Path, *paths: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str], list[dict], str]:
    """Exit code, CLM01s built, exceptions written and stderr of one ``claims build``."""
    out = tmp_path / "out"
    ledger = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    code = main(["build", *map(str, paths), "--out", str(out), "--ledger", ledger])
    manifest = json.loads((out / "manifest.json").read_text())
    lines = (out / "exceptions.jsonl").read_text().splitlines()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, [c["clm01"] for c in manifest["claims"]], [json.loads(x) for x in lines], err


def csv_bytes(rows: list[dict], extra: bytes = b"") -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode() + extra


def deep_json(depth: int) -> bytes:
    return b'{"encounter_id": ' + b"[" * depth + b"]" * depth + b"}\n"


FILE_CASES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "truncated gzip": (
        "night.jsonl.gz",
        lambda: gzip.compress(GOOD * 50)[:-30],
        "the gzip data ends early",
    ),
    "not gzip": ("night.jsonl.gz", lambda: GOOD, "not gzip data"),
    "corrupt parquet": (
        "night.parquet",
        lambda: b"PAR1" + bytes(range(256)) * 4 + b"PAR1",
        "not readable Parquet",
    ),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_an_unreadable_file_is_named_and_the_other_files_are_built(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, content, reason = FILE_CASES[case]
    (tmp_path / name).write_bytes(content())
    (tmp_path / "good.jsonl").write_bytes(GOOD)
    code, built, exceptions, err = build(
        tmp_path, tmp_path / name, tmp_path / "good.jsonl", capsys=capsys
    )
    assert (code, built) == (1, ["GOOD1"])
    (refused,) = exceptions
    assert refused["source"] == name and refused["encounter_id"] is None
    assert refused["reasons"][0]["rule_id"] == "SNIP1.FILE.NOT_READ"
    assert reason in refused["reasons"][0]["message"]
    assert name in err and reason in err


def test_a_file_with_nothing_usable_alone_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.jsonl.gz").write_bytes(b"plain text, not gzip\n")
    code, built, _, err = build(tmp_path, tmp_path / "bad.jsonl.gz", capsys=capsys)
    assert (code, built) == (2, [])
    assert "bad.jsonl.gz: the rest of the file cannot be read" in err


def test_bad_csv_rows_are_refused_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A non-UTF-8 row, a field over csv's 128 KiB, a ragged row: each is its own
    exception, and the encounters between them are built."""
    rows = [
        flat_rows(encounter(encounter_id=f"C{n}"))[0] | {"service_lines": None} for n in range(1, 6)
    ]
    for row in rows:
        row.pop("service_lines")
    rows[4]["service_date"] = "2026-11-19"  # not the same service as C1's: not a duplicate
    body = csv_bytes(rows).splitlines(keepends=True)
    header, good = body[0], body[1:]
    latin1 = good[1].replace(b"Jane", "Jos\u00e9".encode("latin-1"))
    huge = good[2].replace(b"Jane", b'"' + b"J" * (200 * 1024) + b'"')
    ragged = good[3].rstrip(b"\r\n") + b",extra\r\n"
    (tmp_path / "rows.csv").write_bytes(header + good[0] + latin1 + huge + ragged + good[4])
    code, built, exceptions, _ = build(tmp_path, tmp_path / "rows.csv", capsys=capsys)
    assert (code, built) == (1, ["C1", "C5"])
    reasons = {e["source"]: e["reasons"][0]["message"] for e in exceptions}
    assert reasons == {
        "rows.csv:3": "the row cannot be read: the row is not UTF-8 text",
        "rows.csv:4": "the row cannot be read: the row cannot be split into fields "
        "(field larger than field limit (131072))",
        "rows.csv:5": f"the row cannot be read: the row has {len(header.split(b',')) + 1} "
        f"fields, the header has {len(header.split(b','))}",
    }
    assert "Jos" not in json.dumps(exceptions)


def test_json_nested_100000_deep_is_one_refused_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "deep.jsonl").write_bytes(
        GOOD + deep_json(100_000) + ndjson(visit("GOOD2", 19)).encode()
    )
    code, built, exceptions, _ = build(tmp_path, tmp_path / "deep.jsonl", capsys=capsys)
    assert (code, built) == (1, ["GOOD1", "GOOD2"])
    (refused,) = exceptions
    assert refused["source"] == "deep.jsonl:2"
    assert refused["reasons"][0]["rule_id"] == "SNIP1.RECORD.JSON"


def test_a_far_future_service_date_never_stops_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    far = encounter(encounter_id="FAR")
    for item in far["service_lines"]:
        item["service_date"] = "9999-12-31"
    (tmp_path / "n.jsonl").write_text(ndjson(encounter(encounter_id="A1"), far, visit("A2", 19)))
    code, built, exceptions, _ = build(tmp_path, tmp_path / "n.jsonl", capsys=capsys)
    assert (code, built) == (1, ["A1", "A2"])
    assert exceptions[0]["encounter_id"] == "FAR"


# -- limits -------------------------------------------------------------------------------


def test_a_line_over_the_limit_is_refused_and_the_next_line_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMS_MAX_LINE_BYTES", "4096")
    zeros = b"0" * 100_000 + b"\n"
    (tmp_path / "z.jsonl.gz").write_bytes(gzip.compress(zeros + GOOD))
    code, built, exceptions, _ = build(tmp_path, tmp_path / "z.jsonl.gz", capsys=capsys)
    assert (code, built) == (1, ["GOOD1"])
    assert exceptions[0]["source"] == "z.jsonl.gz:1"
    assert (
        "longer than 4096 bytes (CLAIMS_MAX_LINE_BYTES)" in exceptions[0]["reasons"][0]["message"]
    )


def test_a_gzip_bomb_stops_at_the_ratio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMS_MAX_GZIP_RATIO", "50")
    (tmp_path / "bomb.jsonl.gz").write_bytes(gzip.compress(GOOD + b"\n" * (8 << 20)))
    code, built, exceptions, err = build(tmp_path, tmp_path / "bomb.jsonl.gz", capsys=capsys)
    assert (code, built) == (1, ["GOOD1"])  # read before the bomb went off
    assert "expands more than 50 times (CLAIMS_MAX_GZIP_RATIO)" in err
    assert exceptions[-1]["reasons"][0]["rule_id"] == "SNIP1.FILE.NOT_READ"


@pytest.mark.parametrize(
    ("name", "setting"),
    [("big.jsonl", "CLAIMS_MAX_FILE_BYTES"), ("big.parquet", "CLAIMS_MAX_PARQUET_BYTES")],
)
def test_a_file_over_its_size_limit_is_named_with_the_setting(
    name: str,
    setting: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(setting, "4096")
    datas = [encounter(encounter_id=f"B{n}") for n in range(20)]
    if name.endswith(".parquet"):
        table = pa.Table.from_pylist([r for d in datas for r in flat_rows(d)])
        pq.write_table(table, tmp_path / name)
    else:
        (tmp_path / name).write_text(ndjson(*datas))
    code, _, _, err = build(tmp_path, tmp_path / name, capsys=capsys)
    assert code == 2
    assert f"larger than 4096 bytes ({setting})" in err


def test_a_million_blank_lines_are_skipped_without_visiting_each() -> None:
    """1 GB of newlines ran for minutes; blank runs are now skipped in C (a million here:
    the speed itself is measured in bench/, not asserted)."""
    data = b"\n" * 1_000_000 + GOOD + b"\r\n" * 1000 + GOOD
    records = list(records_from_stream(io.BytesIO(data), "blank.jsonl", ReadLimits()))
    assert [r.source for r in records] == ["blank.jsonl:1000001", "blank.jsonl:1001002"]


def test_a_non_seekable_parquet_stream_is_bounded_too() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    table = io.BytesIO()
    rows = [r for n in range(30) for r in flat_rows(encounter(encounter_id=f"P{n}"))]
    pq.write_table(pa.Table.from_pylist(rows), table)
    stream = io.BufferedReader(Pipe(table.getvalue()))
    limits = ReadLimits(max_parquet_bytes=2048)
    (record,) = records_from_stream(stream, "s3.parquet", limits)  # type: ignore[arg-type]
    assert record.kind == "file" and "CLAIMS_MAX_PARQUET_BYTES" in (record.error or "")


# -- the ledger ---------------------------------------------------------------------------


def test_the_first_build_says_where_it_created_the_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLAIMS_LEDGER_URL", raising=False)
    monkeypatch.delenv("CLAIMS_DATA_DIR", raising=False)
    (tmp_path / "in.jsonl").write_bytes(GOOD)
    assert main(["build", "in.jsonl", "--out", "o1"]) == 0
    first = capsys.readouterr().err
    where = tmp_path / "claims-data" / "ledger.sqlite"
    assert f"created the ledger (control numbers) at {where}" in first
    assert main(["build", "in.jsonl", "--out", "o2"]) == 0
    assert "ledger" not in capsys.readouterr().err


def test_an_unreachable_ledger_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in.jsonl").write_bytes(GOOD)
    url = "postgresql+psycopg://claims:secret@127.0.0.1:1/none"
    code = main(
        ["build", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "o"), "--ledger", url]
    )
    err = capsys.readouterr().err
    assert code == 3  # unavailable: run again when the database is up
    assert err.count("\n") == 1 and "ledger database could not be reached" in err
    assert "secret" not in err and "Traceback" not in err


def test_free_text_changed_for_x12_is_built_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A prior authorization ``PAX~Y*Z`` went out as ``PAXYZ`` without a word."""
    (tmp_path / "auth.jsonl").write_text(
        ndjson(encounter(encounter_id="AUTH1", prior_authorization="PAX~Y*Z"))
    )
    code, built, exceptions, _ = build(tmp_path, tmp_path / "auth.jsonl", capsys=capsys)
    assert (code, built, exceptions) == (0, ["AUTH1"], [])
    lines = (tmp_path / "out" / "warnings.jsonl").read_text().splitlines()
    [warned] = [json.loads(x) for x in lines]
    changed = [w for w in warned["warnings"] if w["rule_id"] == "SNIP1.TEXT.CHANGED"]
    assert warned["encounter_id"] == "AUTH1"
    assert [(w["field"], w["severity"]) for w in changed] == [("prior_authorization", "warn")]
    assert "PAX" not in json.dumps(warned)
