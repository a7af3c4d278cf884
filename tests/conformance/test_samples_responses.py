"""Conformance over public sample files: every 835, 277CA and 999 read without losing a claim
(or refused with a positioned error), and no unhandled exception on any file of any kind.

The samples live outside the project, at ``../shared/x12-samples`` from the project root
(CI has them there too).  Many are not valid per the guides; "read without loss" is the
question here, not validity.  Missing samples skip these tests with the reason, or fail
them when ``CLAIMS_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edi.responses import parse_any
from edi.x12.reader import X12ParseError
from mappings.code_texts import bundled_code_texts
from tests.fixtures.services import SHARED_SAMPLES, service_missing
from tests.support.plain_reading import claim_money, interchanges, tables_money

TEXTS = bundled_code_texts()

SAMPLES = SHARED_SAMPLES
FILES = sorted(
    p for p in SAMPLES.rglob("*") if p.is_file() and p.name not in ("LICENSE", "README.md")
)


def _require_samples() -> None:
    if not FILES:
        service_missing(f"no X12 samples at {SAMPLES}")


def _kinds(text: str) -> set[str]:
    """What a plain reading says the file holds: ST01 plus the guide for 277s."""
    kinds = set()
    for segments in interchanges(text):
        for e in segments:
            if e[0] == "ST":
                version = e[3] if len(e) > 3 else ""
                kinds.add(f"{e[1]}{'CA' if e[1] == '277' and 'X212' not in version else ''}")
    return kinds


def _read(path: Path):
    """Parse, or accept a refusal that says where; anything else fails the test."""
    try:
        return parse_any(path.read_bytes(), path.name, texts=TEXTS)
    except X12ParseError as err:
        assert err.source == path.name and err.position is not None, str(err)
        return None


@pytest.mark.parametrize("path", FILES or [None], ids=lambda p: p.name if p else "none")
def test_sample_is_read_or_refused_with_position(path):
    _require_samples()
    tables = _read(path)
    if tables is None:
        return
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    kinds = _kinds(text)
    if "835" in kinds:
        assert tables_money(tables.claims) == claim_money(text)
    if "277CA" in kinds:
        plain = _claim_traces(text)
        read = set(tables.claim_status.loc[tables.claim_status["level"] == "claim", "clm01"])
        assert read == plain
    if "999" in kinds:
        sets = sum(1 for segs in interchanges(text) for e in segs if e[0] == "AK2")
        assert (tables.acks["level"] == "transaction").sum() == sets


def _claim_traces(text: str) -> set[str]:
    """CLM01s of a 277CA by plain reading: the TRN*2 after an HL*..*PT."""
    found = set()
    for segments in interchanges(text):
        patient = False
        for e in segments:
            if e[0] == "HL":
                patient = len(e) > 3 and e[3] == "PT"
            elif e[0] == "TRN" and patient and len(e) > 2:
                found.add(e[2])
    return found


def test_the_response_samples_are_there():
    """The samples must include the kinds this conformance is about."""
    _require_samples()
    names = " ".join(p.name for p in FILES)
    assert ".835" in names and "277CA" in names and "999" in names
