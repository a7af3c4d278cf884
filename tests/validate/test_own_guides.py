"""Guides pyx12 does not index, described here in its map format (edi/validate/maps).

pyx12 ships a 277 X212 map it cannot load (an unfinished wrapper loop); ours is that map
with its hierarchy mended.  It judges the sandbox's answers to our 276s clean, finds a
hand-made mistake, and gives the public samples verdicts whose reasons are in the files.
Versions with no description yet are refused by name, never judged by a wrong guide.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from edi.validate import EngineUnavailable, validate
from edi.x12.control import MemoryControlNumbers
from sandbox.responder import Responder
from sandbox.state import SandboxState
from tests.sandbox.claim_batch import RECEIVED, build_files
from tests.status.test_276_round_trip import _ask, _encounters

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "x12-samples"
X212 = SAMPLES / "LinuxForHealth+x12" / "src" / "tests" / "resources" / "277_005010X212"


@pytest.fixture(scope="module")
def exchange() -> tuple[str, bytes]:
    """A 276 the project builds and the 277 (X212) the sandbox payer answers it with."""
    encounters = _encounters()
    responder = Responder(SandboxState(), seed=7, clock=lambda: RECEIVED)
    for number, data in enumerate(build_files(encounters, MemoryControlNumbers()), 1):
        responder.respond(data, f"{number:09d}.837")
    responder.clock = lambda: RECEIVED + timedelta(days=40)
    asked = _ask(encounters, RECEIVED + timedelta(days=40))
    (reply,) = responder.respond(asked.encode("ascii"), "000000900.276")
    return asked, reply.data


def _found(data: bytes) -> Counter:
    errors = validate(data).errors
    return Counter((e.level, e.code, e.element_label or e.segment_id) for e in errors)


def test_the_sandbox_277_is_clean_and_a_broken_one_is_not(exchange: tuple[str, bytes]) -> None:
    _, answer = exchange
    report = validate(answer)
    assert report.errors == () and report.groups[0].version == "005010X212"
    start = answer.index(b"~STC*") + 1
    stc = answer[start : answer.index(b"~", start)].split(b"*")
    stc[2] = b"20261399"  # no 13th month
    broken = answer[:start] + b"*".join(stc) + answer[answer.index(b"~", start) :]
    assert ("element", "8", "STC02") in _found(broken)


@pytest.mark.skipif(not X212.is_dir(), reason="../shared/x12-samples not present")
def test_public_277_x212_samples_get_the_verdicts_their_contents_call_for() -> None:
    verdicts = {p.name: _found(p.read_bytes()) for p in sorted(X212.glob("*.277"))}
    assert len(verdicts) == 4
    # 2200C (service provider level) STC01-3 names the provider 1P; this file says 85
    assert verdicts.pop("provider-level-status.277") == Counter({("element", "7", "STC01-3"): 1})
    assert all(not v for v in verdicts.values())
    imsweb = next((SAMPLES / "imsweb+x12-parser").rglob("x12_277_x212.txt"), None)
    if imsweb is not None:  # a 277CA's STC03/STC12 under an X212 GS08, and IEA02 != ISA13
        assert _found(imsweb.read_bytes()) == Counter(
            {("element", "10", "STC03"): 8, ("element", "10", "STC12"): 8,
             ("interchange", "001", None): 1}
        )  # fmt: skip


def test_versions_not_yet_described_are_refused_by_name(exchange: tuple[str, bytes]) -> None:
    asked, _ = exchange  # a 276 (X212): pyx12 has no 5010 276 map, nor do we yet
    with pytest.raises(EngineUnavailable, match="005010X212"):
        validate(asked)
