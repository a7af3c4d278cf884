"""The engine agrees with pyx12, error for error, on real, built and damaged files.

pyx12 is the reference: on every 5010 sample in ``../shared/x12-samples``, on the
project's own outputs (a built 837P and the sandbox's 999, 277CA and 835s answering it)
and on a seeded mutation corpus, the engine reports the same errors (level, code,
control numbers, segment and element), except where a test in
``test_documented_differences.py`` shows pyx12 stopping instead of reporting.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.services import SHARED_SAMPLES, shared_sample
from tests.validate.agreement import Table, compare
from tests.validate.mutations import corpus

SAMPLES = SHARED_SAMPLES


def _samples() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted(
        p
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.name != "LICENSE" and b"00501" in p.read_bytes()[:120]
    )


def test_project_outputs_agree(project_outputs: list[tuple[str, str]]) -> None:
    kinds = {name.split(":")[0] for name, _ in project_outputs}
    assert {"837P", "999", "277CA", "835"} <= kinds
    for name, text in project_outputs:
        c = compare(text)
        assert c.agree, (name, c.only_pyx12, c.only_engine)


@pytest.mark.parametrize("seed", [1, 2])
def test_mutants_agree(project_outputs: list[tuple[str, str]], seed: int) -> None:
    """100 mutants in the fast suite (two seeds of 50), 150 more in the slow one: pyx12
    judges about ten files a second, and the suite has 10 minutes for everything.  The
    full 2,400-file table is ``python -m tests.validate.agreement 2400``."""
    table = Table()
    for name, text in corpus(project_outputs, 50, seed=seed):
        table.add(name, compare(text))
    assert not table.undocumented, table.undocumented
    assert table.errors > 40  # the corpus does break files


@pytest.mark.slow
def test_every_shared_5010_sample_agrees() -> None:
    shared_sample()
    table = Table()
    for path in _samples():
        table.add(path.name, compare(path.read_bytes()))
    assert table.files >= 90
    assert not table.undocumented, table.undocumented


@pytest.mark.slow
def test_mutation_corpus_of_150_files_agrees(project_outputs: list[tuple[str, str]]) -> None:
    table = Table()
    for name, text in corpus(project_outputs, 150, seed=18):
        table.add(name, compare(text))
    assert not table.undocumented, table.undocumented[:20]
