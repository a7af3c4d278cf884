"""The proof: change one optional element in a scratch copy of the description, and the
builder and the reader both follow it, with nothing else changed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from edi.claims.build_837p import build_interchanges
from edi.claims.models import Encounter
from edi.claims.read_837 import file_claims
from edi.guides.model import X222A1, load_guide, x222a1
from edi.x12.control import MemoryControlNumbers
from edi.x12.reader import iter_segments
from mappings.profiles import clearinghouse_profile
from tests.factories import EXAMPLE, encounter
from tests.support.judge import pyx12_errors

CREATED = datetime(2026, 11, 27, 1, 0)
CLAIM = Encounter.model_validate(
    encounter(
        subscriber={**EXAMPLE["subscriber"], "group_number": "GRP42"}, onset_date="2026-11-18"
    )
)


def _scratch(tmp_path: Path, old: str, new: str) -> Path:
    text = X222A1.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "x222a1.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _build(guide) -> str:
    profile = clearinghouse_profile("sandbox")
    (ic,) = build_interchanges([CLAIM], profile, MemoryControlNumbers(), CREATED, guide)
    return ic.text


def _segment(text: str, sid: str) -> list[str]:
    return next(s.elements for s in iter_segments(text) if s.id == sid)


def test_moving_an_optional_element_moves_it_in_the_writer_and_the_reader(tmp_path: Path) -> None:
    moved = load_guide(
        _scratch(tmp_path, "SBR03: subscriber.group_number", "SBR04: subscriber.group_number")
    )
    shipped = _build(x222a1())
    text = _build(moved)

    assert _segment(shipped, "SBR")[3:5] == ["GRP42", ""]
    assert _segment(text, "SBR")[3:5] == ["", "GRP42"]  # SBR04, group name: still valid
    assert shipped.replace("SBR*P*18*GRP42*", "SBR*P*18**GRP42") == text  # nothing else moved
    assert pyx12_errors(text) == []

    (claim,) = file_claims(iter_segments(text), moved)
    assert claim.record["subscriber"]["group_number"] == "GRP42"
    (unaware,) = file_claims(iter_segments(text))  # the shipped guide does not look there
    assert "group_number" not in unaware.record["subscriber"]


def test_dropping_an_optional_binding_drops_it_in_the_writer_and_the_reader(tmp_path: Path) -> None:
    dropped = load_guide(_scratch(tmp_path, "      DTP03: onset_date\n", ""))
    text = _build(dropped)
    assert "DTP*431" in _build(x222a1())
    assert "DTP*431" not in text  # a situational segment with no field left is not written
    (claim,) = file_claims(iter_segments(_build(x222a1())), dropped)
    assert "onset_date" not in claim.record
