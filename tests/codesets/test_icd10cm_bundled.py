"""The bundled ICD-10-CM release read from its cached columns.

Checked against simple-icd-10-cm itself: the cache must answer exactly as the package
does, be reused by the next process without importing the package, and never stop a run
when it is corrupt or cannot be written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import simple_icd_10_cm as sicd

from edi import package_cache
from edi.codesets.icd10cm_bundled import bundled_release

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLAIMS_CACHE_DIR", str(folder))
    return folder


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("icd10cm-*.pickle"))


def test_answers_as_the_package_does(cache_dir: Path) -> None:
    release = bundled_release()
    codes = sicd.get_all_codes(with_dots=False)
    sample = [*codes[::97], "E119", "E11", "A09", "Z3A00", "A00-A09", "1", "E1198"]
    sample += [codes[0], codes[-1]]
    for code in sample:
        item = release.lookup(code)
        if not sicd.is_valid_item(code) or sicd.is_chapter_or_block(code):
            assert item is None, code
        else:
            assert item is not None, code
            assert (item.billable, item.description) == (
                sicd.is_leaf(code),
                sicd.get_description(code),
            ), code
    leaves = [c.replace(".", "") for c in sicd.get_descendants("E11") if sicd.is_leaf(c)]
    assert [c.code for c in release.category("E1165")] == leaves
    for other in ("e119", "E119 ", " E119", "", "E11.9", "ZZZZZZZZ", "Ω"):
        assert release.lookup(other) is None, other  # dotless, upper case, exact
    assert release.excludes1("E119") == (("E11A", "E11A"),)
    assert release.excludes1("E1165") == ()


def test_next_process_reads_the_cache_without_the_package(cache_dir: Path) -> None:
    first = bundled_release()
    assert len(cache_files(cache_dir)) == 1
    probe = (
        "import sys\n"
        "from edi.codesets import bundled_code_sets\n"
        "release = bundled_code_sets().icd.releases[0]\n"
        "print(release.name, release.lookup('E119').description)\n"
        "print('simple_icd_10_cm' in sys.modules)\n"
    )
    env = {**os.environ, "CLAIMS_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.splitlines() == [
        f"{first.name} Type 2 diabetes mellitus without complications",
        "False",
    ]


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95garbage"])
def test_unusable_cache_is_rebuilt(cache_dir: Path, damage: bytes) -> None:
    bundled_release()
    (written,) = cache_files(cache_dir)
    written.write_bytes(damage)
    assert bundled_release().lookup("E119").billable
    assert cache_files(cache_dir) == [written] and written.stat().st_size > 5_000_000


def test_unwritable_cache_folder_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLAIMS_CACHE_DIR", str(blocker / "cache"))
    assert bundled_release().lookup("E119").billable
    assert not (blocker / "cache").exists()


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    for name in ("CLAIMS_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    assert package_cache.cache_dir() is None
    assert bundled_release().lookup("E119").billable
