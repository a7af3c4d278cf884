"""Package-derived data kept between processes (:mod:`edi.package_cache`).

The cache must give back exactly what the derivation gives, never serve a file made under
another key, and never stop a run when its file is damaged or cannot be written.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from edi import package_cache
from edi.codesets.x12_lists import _code_lists, pyx12_code_list
from edi.guides.model import X222A1, _shipped, load_guide
from edi.package_cache import cached, key_of
from edi.validate.compiled import FIRST, _pyx12_index, compiled, pyx12_map_file


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLAIMS_CACHE_DIR", str(folder))
    return folder


class Builds:
    """A derivation that counts its runs."""

    def __init__(self, value: object) -> None:
        self.value, self.runs = value, 0

    def __call__(self) -> object:
        self.runs += 1
        return self.value


def test_built_once_then_read(cache_dir: Path) -> None:
    build = Builds({"codes": frozenset({"11", "12"})})
    key = key_of("1.0", b"data")
    assert cached("thing", key, build) == build.value
    assert cached("thing", key, build) == build.value
    assert build.runs == 1
    assert [p.name for p in cache_dir.iterdir()] == [f"thing-{key}.pickle"]


def test_keys_differ_with_any_part() -> None:
    assert key_of("1.0", b"data") != key_of("1.1", b"data") != key_of("1.0", b"datb")
    assert key_of("ab", "c") != key_of("a", "bc")


def test_new_key_replaces_only_its_own_old_file(cache_dir: Path) -> None:
    cached("thing", key_of("old"), Builds(1))
    cached("thing-other", key_of("other"), Builds(2))
    build = Builds(3)
    assert cached("thing", key_of("new"), build) == 3 and build.runs == 1
    assert sorted(p.name for p in cache_dir.iterdir()) == [
        f"thing-{key_of('new')}.pickle",
        f"thing-other-{key_of('other')}.pickle",
    ]


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95garbage"])
def test_damaged_file_is_rebuilt(cache_dir: Path, damage: bytes) -> None:
    key = key_of("v")
    cached("thing", key, Builds(1))
    (cache_dir / f"thing-{key}.pickle").write_bytes(damage)
    build = Builds(1)
    assert cached("thing", key, build) == 1 and build.runs == 1
    assert cached("thing", key, build) == 1 and build.runs == 1


def test_unwritable_folder_still_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLAIMS_CACHE_DIR", str(blocker / "cache"))
    build = Builds(1)
    assert cached("thing", key_of("v"), build) == 1
    assert cached("thing", key_of("v"), build) == 1 and build.runs == 2


def test_compiled_guide_read_back_is_the_compiled_guide(cache_dir: Path) -> None:
    made = compiled.__wrapped__("837.5010.X222.A1.xml")
    read = compiled.__wrapped__("837.5010.X222.A1.xml")
    assert read is not made and read == made
    assert read.key_paths["REF"] is FIRST  # the walker tests it by identity
    assert len(list(cache_dir.glob("guide-837.5010.X222.A1.xml-*.pickle"))) == 1


def test_shipped_description_read_back_is_the_description(cache_dir: Path) -> None:
    made, read = _shipped(X222A1), _shipped(X222A1)
    fresh = load_guide()
    assert read is not made
    assert (read.version, read.segments, read.loops) == (fresh.version, fresh.segments, fresh.loops)
    assert package_cache.cache_dir() == cache_dir


def test_map_index_answers_as_pyx12s(cache_dir: Path) -> None:
    from pyx12.map_index import map_index

    index = map_index()
    asked = {(m["icvn"], m["vriic"], m["fic"]) for m in index.maps} | {("00501", "X", "HC")}
    for _ in range(2):  # built, then read back
        _pyx12_index.cache_clear()
        assert {k: pyx12_map_file(*k) for k in asked} == {k: index.get_filename(*k) for k in asked}


def test_code_lists_are_pyx12s(cache_dir: Path) -> None:
    from pyx12.codes import ExternalCodes

    codes = ExternalCodes().codes
    for _ in range(2):
        _code_lists.cache_clear()
        assert pyx12_code_list("pos") == frozenset(codes["pos"]["codes"])
        assert pyx12_code_list("states") == frozenset(codes["states"]["codes"])


def test_a_file_others_could_write_is_not_read(cache_dir: Path) -> None:
    """Unpickling runs what the file says: in a shared folder, only our own files count."""
    key = key_of("v")
    cached("thing", key, Builds("ours"))
    planted = cache_dir / f"thing-{key}.pickle"
    planted.write_bytes(pickle.dumps("planted"))
    planted.chmod(0o666)
    build = Builds("ours")
    assert cached("thing", key, build) == "ours" and build.runs == 1
    assert planted.stat().st_mode & 0o777 == 0o600
    assert cached("thing", key, build) == "ours" and build.runs == 1


def test_bundled_payer_profiles_read_back_are_the_files(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cached payer profiles are what the YAML files say, and an edited file is read
    afresh (its bytes are part of the key)."""
    import shutil

    from mappings import profiles

    copy = cache_dir.parent / "mappings"
    shutil.copytree(profiles.HERE / "payers", copy / "payers")
    monkeypatch.setattr(profiles, "HERE", copy)
    paths = sorted((copy / "payers").glob("*.yaml"))
    assert paths, "the package ships payer profiles"
    parsed = [profiles._load_yaml(p) for p in paths]
    assert profiles._bundled_payers() == parsed  # built
    assert profiles._bundled_payers() == parsed  # read back
    paths[0].write_text(paths[0].read_text() + "\nname: Edited\n")
    assert profiles._bundled_payers()[0]["name"] == "Edited"
    assert len([p for p in cache_dir.iterdir() if p.name.startswith("payer-profiles-")]) == 1


def test_bundled_payer_profiles_from_the_cache_need_no_yaml(cache_dir: Path) -> None:
    """A start that finds the profiles cached does not import PyYAML (about 15 ms)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mappings.profiles import payer_profiles\n"
        "assert payer_profiles(None)\n"
        "print('yaml' in sys.modules)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert [run.stdout.strip() for run in runs] == ["True", "False"]  # built, then read
