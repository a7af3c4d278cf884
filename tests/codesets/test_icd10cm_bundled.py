"""The bundled ICD-10-CM release read from its cached Arrow table.

Checked against simple-icd-10-cm itself: the cache must answer exactly as the package
does, be reused by the next process without importing the package, and never stop a run
when it is corrupt or cannot be written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
import simple_icd_10_cm as sicd

from edi.codesets.icd10cm_bundled import bundled_release, cache_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLAIMS_CACHE_DIR", str(folder))
    return folder


def test_answers_as_the_package_does(cache_dir: Path) -> None:
    release = bundled_release()
    codes = sicd.get_all_codes(with_dots=False)
    sample = [*codes[::97], "E119", "E11", "A09", "Z3A00", "A00-A09", "1", "E1198"]
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


def test_next_process_reads_the_cache_without_the_package(cache_dir: Path) -> None:
    first = bundled_release()
    assert cache_path().is_file() and cache_path().parent == cache_dir
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


def foreign_arrow_file(path: Path) -> None:
    with pa.ipc.new_file(str(path), pa.schema([("code", pa.string())])) as writer:
        writer.write_table(pa.table({"code": ["E119"]}))


@pytest.mark.parametrize(
    "spoil",
    [lambda path: path.write_bytes(b"not an arrow file"), foreign_arrow_file],
    ids=["not arrow", "another table"],
)
def test_unusable_cache_is_rebuilt(cache_dir: Path, spoil) -> None:
    cache_dir.mkdir()
    spoil(cache_path())
    assert bundled_release().lookup("E119").billable
    with pa.memory_map(str(cache_path())) as source:
        assert pa.ipc.open_file(source).read_all().num_rows > 90_000


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
    assert cache_path() is None
    assert bundled_release().lookup("E119").billable
