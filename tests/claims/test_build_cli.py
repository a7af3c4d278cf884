"""``claims build``: every contract format in, interchanges, exceptions and manifest out."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.cli import main
from tests.factories import EXAMPLE, encounter, ndjson, visit
from tests.support.judge import pyx12_errors


def flat_rows(data: dict) -> list[dict]:
    """The contract's CSV/Parquet shape: a row per line, encounter fields dotted."""

    def flatten(prefix: str, value: object, out: dict) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                flatten(f"{prefix}{k}.", v, out)
        elif isinstance(value, list):
            out[prefix[:-1]] = "|".join(map(str, value))
        else:
            out[prefix[:-1]] = value

    base: dict = {}
    flatten("", {k: v for k, v in data.items() if k != "service_lines"}, base)
    rows = []
    for line in data["service_lines"]:
        row = dict(base)
        flatten("", line, row)
        rows.append(row)
    return rows


def run(tmp_path: Path, *paths: Path) -> tuple[int, dict, list[dict]]:
    out = tmp_path / "out"
    ledger = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    code = main(["build", *map(str, paths), "--out", str(out), "--ledger", ledger])
    manifest = json.loads((out / "manifest.json").read_text())
    exceptions = [json.loads(x) for x in (out / "exceptions.jsonl").read_text().splitlines()]
    return code, manifest, exceptions


def test_every_format_builds_and_control_numbers_persist(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_text(ndjson(visit("J1", 20)))
    with gzip.open(src / "b.ndjson.gz", "wt") as f:
        f.write(ndjson(visit("G1", 19)))
    rows = flat_rows(visit("C1", 18))
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(str(r.get(h, "")) for h in header) for r in rows]
    (src / "c.csv").write_text("\n".join(lines) + "\n")
    table = pa.Table.from_pylist(flat_rows(visit("P1", 17)))
    pq.write_table(table, src / "d.parquet")

    code, manifest, exceptions = run(tmp_path, src)
    assert (code, exceptions) == (0, [])
    assert sorted(c["clm01"] for c in manifest["claims"]) == ["C1", "G1", "J1", "P1"]
    text = (tmp_path / "out" / "000000001.x12").read_text()
    assert pyx12_errors(text) == []
    # The CSV claim has the same two lines, in order, as the NDJSON one.
    assert text.count("SV1*HC:99213:25*150") == 4

    code, manifest, _ = run(tmp_path, src / "a.jsonl")
    assert manifest["claims"][0]["isa13"] == "000000002", "control numbers are never reused"


def test_bad_records_go_to_exceptions_and_the_rest_is_built(tmp_path: Path) -> None:
    bad_npi = encounter(encounter_id="BAD1")
    bad_npi["billing_provider"] = {**EXAMPLE["billing_provider"], "npi": "1234567890"}
    float_money = encounter(encounter_id="BAD2")
    float_money["service_lines"][0]["charge"] = 150.5
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        ndjson(encounter(encounter_id="OK1"), bad_npi)
        + "{not json\n"
        + ndjson(float_money, encounter(encounter_id="ok1"))
    )
    code, manifest, exceptions = run(tmp_path, path)
    assert code == 1
    assert [c["clm01"] for c in manifest["claims"]] == ["OK1"]
    by_source = {e["source"]: e for e in exceptions}
    assert {r["rule_id"] for r in by_source["mixed.jsonl:2"]["reasons"]} == {"SNIP5.NPI.LUHN"}
    assert by_source["mixed.jsonl:3"]["reasons"][0]["rule_id"] == "SNIP1.RECORD.JSON"
    assert by_source["mixed.jsonl:3"]["encounter_id"] is None
    assert by_source["mixed.jsonl:4"]["reasons"][0]["rule_id"] == "SNIP1.MONEY.FLOAT"
    dup = by_source["mixed.jsonl:5"]["reasons"]
    assert [r["rule_id"] for r in dup if r["severity"] == "reject"] == ["SNIP2.ENCOUNTER.DUPLICATE"]
    assert "Jane" not in json.dumps(exceptions) and "1980" not in json.dumps(exceptions)


@pytest.mark.parametrize("paths", [["nowhere.jsonl"], [], ["notes.txt"]])
def test_unusable_input_exits_2(tmp_path: Path, paths: list[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "notes.txt").write_text("not encounters\n")
    args = [str(tmp_path / p) for p in paths] or [str(empty)]
    assert main(["build", *args, "--out", str(tmp_path / "o")]) == 2


def test_total_charge_is_exact(tmp_path: Path) -> None:
    lines = [{**EXAMPLE["service_lines"][1], "charge": "0.10"} for _ in range(3)]
    (tmp_path / "x.jsonl").write_text(ndjson(encounter(service_lines=lines)))
    run(tmp_path, tmp_path / "x.jsonl")
    text = (tmp_path / "out" / "000000001.x12").read_text()
    clm = next(s for s in text.split("~") if s.strip().startswith("CLM"))
    assert Decimal(clm.split("*")[2]) == Decimal("0.30")


def test_strict_passes_what_the_builder_writes(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(ndjson(encounter(encounter_id="S1")))
    out = tmp_path / "out"
    args = [
        "build",
        str(tmp_path / "in.jsonl"),
        "--out",
        str(out),
        "--strict",
        "--ledger",
        f"sqlite:///{tmp_path / 'ledger.sqlite'}",
    ]
    assert main(args) == 0
    assert (out / "000000001.x12").exists()
    assert (out / "exceptions.jsonl").read_text() == ""
