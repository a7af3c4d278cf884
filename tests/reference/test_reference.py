"""CMS reference releases: told from their names, installed from files, ZIPs and URLs,
loaded once per process, and a missing or stale release named on the claim."""

from __future__ import annotations

import http.server
import threading
import zipfile
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import pytest

from flows.reference import FolderLocation, load_reference
from flows.reference.files import UnknownReferenceFile, identify
from flows.reference.install import InstallError, install
from flows.reference.loader import SourceFiles, from_files
from flows.reference.releases import Release, coverage_findings, releases_for

CMS = Path(__file__).parent / "cms"


@pytest.mark.parametrize(
    ("name", "kind", "start"),
    [
        ("ccipra-v323r0-f1.txt", "ncci_ptp", date(2026, 10, 1)),
        ("ccipra-v330r0-f4.TXT", "ncci_ptp", date(2027, 1, 1)),
        ("MCR_MUE_PractitionerServices_Eff_10-01-2026.csv", "mue", date(2026, 10, 1)),
        ("HCPC2026_OCT_ANWEB.txt", "hcpcs", date(2026, 10, 1)),
        ("icd10cm_order_2027.txt", "icd10cm", date(2026, 10, 1)),
    ],
)
def test_kind_and_period_come_from_the_cms_name(name: str, kind: str, start: date) -> None:
    found = identify(name)
    assert (found.kind, found.period_start) == (kind, start)


def test_a_renamed_file_needs_its_kind_and_period_said() -> None:
    with pytest.raises(UnknownReferenceFile, match=r"my-edits\.txt.*--kind and --period"):
        identify("my-edits.txt")
    assert identify("my-edits.txt", "ncci_ptp", date(2027, 1, 1)).period_start == date(2027, 1, 1)


def test_installed_files_load_as_the_nights_code_sets(tmp_path: Path) -> None:
    location = FolderLocation(tmp_path / "reference")
    done = install(str(CMS), location)
    assert sorted(f.kind for f in done.files) == ["hcpcs", "icd10cm", "mue", "ncci_ptp"]

    reference = load_reference(location)
    sets = reference.code_sets
    assert sets.ptp.edit_for("93000", "93005", date(2026, 11, 26)).modifier_indicator == "0"
    assert sets.mue.get("93005").units == 1
    assert "J1030" in sets.hcpcs.procedures
    release, covered = sets.icd.release_for(date(2026, 11, 26))
    assert covered and release.lookup("E1165") is not None
    assert load_reference(location) is reference  # once per process
    names = releases_for(reference.releases, date(2026, 11, 26))
    assert "icd10cm_order_2027.txt" in names and "ccipra-v323r0-f1.txt" in names


def test_validate_and_the_night_read_files_with_one_loader() -> None:
    sets = from_files(
        SourceFiles(
            ptp=CMS / "ccipra-v323r0-f1.txt",
            icd_order=((2027, CMS / "icd10cm_order_2027.txt"),),
        )
    )
    assert sets.ptp is not None and sets.icd.release_for(date(2027, 3, 1))[1]


def test_a_zip_installs_its_reference_members_and_skips_the_rest(tmp_path: Path) -> None:
    archive = tmp_path / "ncci.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(CMS / "ccipra-v323r0-f1.txt", "ccipra-v323r0-f1.txt")
        z.writestr("README.pdf", b"%PDF-1.4 notes")
    location = FolderLocation(tmp_path / "reference")
    done = install(str(archive), location)
    assert [f.kind for f in done.files] == ["ncci_ptp"] and done.skipped == ["README.pdf"]


def test_a_file_in_the_wrong_layout_is_refused_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "ccipra-v323r0-f1.txt"
    bad.write_text("not an edit file\n")
    with pytest.raises(InstallError, match=r"ccipra-v323r0-f1\.txt: not in the CMS layout"):
        install(str(bad), FolderLocation(tmp_path / "reference"))
    assert not (tmp_path / "reference").exists()


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "www").mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_is_fetched_and_installed(http_root: str, tmp_path: Path) -> None:
    name = "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"
    (tmp_path / "www" / name).write_bytes((CMS / name).read_bytes())
    location = FolderLocation(tmp_path / "reference")
    done = install(f"{http_root}/{name}", location)
    assert [f.kind for f in done.files] == ["mue"]
    with pytest.raises(InstallError, match="the server answered 404"):
        install(f"{http_root}/missing.csv", location)


def test_missing_and_stale_releases_are_findings_per_kind() -> None:
    releases = (
        Release("icd10cm", "FY2026", date(2025, 10, 1), date(2026, 9, 30)),
        Release("ncci_ptp", "ccipra-v322r0-f1.txt", date(2026, 7, 1)),
        Release("mue", "mue-oct", date(2026, 10, 1)),
    )
    found = {f.rule_id for _, f in coverage_findings(releases, date(2026, 11, 26))}
    assert found == {
        "SNIP5.REFERENCE.ICD10CM.MISSING",
        "SNIP5.REFERENCE.NCCI_PTP.STALE",
        "SNIP5.REFERENCE.HCPCS.MISSING",
    }
    assert coverage_findings(releases, date(2026, 9, 1))[0][0] == "hcpcs"


def test_claims_reference_load_installs_where_the_night_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from flows.cli import main

    monkeypatch.setenv("CLAIMS_DATA_DIR", str(tmp_path / "data"))
    assert main(["reference", "load", str(CMS / "ccipra-v323r0-f1.txt")]) == 0
    assert "installed ncci_ptp ccipra-v323r0-f1.txt (from 2026-10-01)" in capsys.readouterr().out
    assert (tmp_path / "data" / "reference" / "ncci_ptp").is_dir()

    assert main(["reference", "list", "--date", "2027-01-15"]) == 0
    out = capsys.readouterr().out
    assert "SNIP5.REFERENCE.NCCI_PTP.STALE" in out and "SNIP5.REFERENCE.MUE.MISSING" in out

    assert main(["reference", "load", str(tmp_path / "nothing.txt")]) == 2
    assert "nothing.txt: no such file or folder" in capsys.readouterr().err
    renamed = tmp_path / "edits.txt"
    renamed.write_bytes((CMS / "ccipra-v323r0-f1.txt").read_bytes())
    assert main(["reference", "load", str(renamed)]) == 2
    assert "--kind and --period" in capsys.readouterr().err
    assert (
        main(["reference", "load", str(renamed), "--kind", "ncci_ptp", "--period", "2027Q1"]) == 0
    )
