"""``claims build`` checks as the night does: the installed CMS releases, the payer
profiles' dispositions (a held claim is listed, not built) and loud reference gaps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import main
from flows.reference import FolderLocation
from flows.reference.install import install
from tests.factories import ndjson
from tests.night.conftest import CMS, ecg_pair, office_visit


def _build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str, str]:
    src = tmp_path / "day.jsonl"
    src.write_text(ndjson(ecg_pair("ECG-1")) + ndjson(office_visit("VISIT-1")))
    out = tmp_path / "out"
    ledger = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    code = main(["build", str(src), "--out", str(out), "--ledger", ledger])
    stdout, stderr = capsys.readouterr()
    return code, json.loads((out / "manifest.json").read_text()), stdout, stderr


def test_build_holds_what_the_night_holds_with_the_installed_releases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install(str(CMS), FolderLocation(tmp_path / "reference"))
    monkeypatch.setenv("CLAIMS_REFERENCE_DIR", str(tmp_path / "reference"))

    code, manifest, stdout, stderr = _build(tmp_path, capsys)

    assert code == 1  # an encounter did not become a claim
    assert [c["clm01"] for c in manifest["claims"]] == ["VISIT-1"]
    assert manifest["held"] == ["ECG-1"] and manifest["counts"]["held"] == 1
    assert "ccipra-v323r0-f1.txt" in manifest["reference"]["releases"]
    assert manifest["reference"]["gaps"] == {}
    assert "1 held for coding review" in stdout and "not built: ECG-1" in stderr
    [held] = [json.loads(x) for x in (tmp_path / "out" / "held.jsonl").read_text().splitlines()]
    assert held["encounter_id"] == "ECG-1"
    assert [f["rule_id"] for f in held["held_for"]] == ["SNIP7.NCCI.PTP_NOT_ALLOWED"]
    assert "W123456789" not in json.dumps(held)  # IDs and reasons, never the member
    out = tmp_path / "out"
    [query] = [json.loads(x) for x in (out / "provider_queries.jsonl").read_text().splitlines()]
    assert query["clm01"] == "ECG-1" and query["rule_id"] == "SNIP7.NCCI.PTP_NOT_ALLOWED"
    assert {c["value"] for c in query["choices"]} >= {"clinically undetermined", "other"}
    assert query["facts"]["services"] and "W123456789" not in json.dumps(query)
    assert manifest["counts"]["provider_queries"] == 1


def test_build_without_installed_releases_says_which_checks_did_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLAIMS_REFERENCE_DIR", str(tmp_path / "nothing-installed"))

    code, manifest, _, stderr = _build(tmp_path, capsys)

    assert code == 0 and manifest["held"] == []  # the bundled pair cannot be seen...
    gaps = manifest["reference"]["gaps"]
    assert gaps["SNIP5.REFERENCE.NCCI_PTP.MISSING"] == 2  # ...and the run says so
    assert "SNIP5.REFERENCE.NCCI_PTP.MISSING on 2 claim(s)" in stderr
    assert "claims reference load" in stderr
    # built with warnings: said in the manifest, no provider query about a claim that left
    assert all("SNIP5.REFERENCE.NCCI_PTP.MISSING" in c["warnings"] for c in manifest["claims"])
    assert (tmp_path / "out" / "provider_queries.jsonl").read_text() == ""
