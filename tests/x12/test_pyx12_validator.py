"""The one pyx12 wrapper: errors located, groups listed, and no value from the data leaks."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from edi.claims.build_837p import build_interchanges
from edi.claims.models import Encounter
from edi.x12.control import MemoryControlNumbers
from edi.x12.pyx12_validator import Pyx12Unavailable, TransactionSeen, validate_x12
from mappings.profiles import clearinghouse_profile
from tests.factories import encounter

MEMBER_ID = "W123456789"
TOO_LONG = "SECRETMEMBER" * 8  # NM109 allows 80 characters


def an_837() -> str:
    data = [Encounter.model_validate(encounter())]
    profile = clearinghouse_profile("sandbox")
    (ic,) = build_interchanges(data, profile, MemoryControlNumbers(), datetime(2026, 11, 27))
    return ic.text


def test_a_clean_file_is_valid_and_its_sets_are_listed() -> None:
    report = validate_x12(an_837().encode("ascii"))
    assert report.valid and report.errors == ()
    (group,) = report.groups
    assert (group.functional_id, group.version) == ("HC", "005010X222A1")
    assert group.transactions == (TransactionSeen("837", "0001", "005010X222A1"),)


def test_an_element_error_is_located_and_never_quoted(caplog: pytest.LogCaptureFixture) -> None:
    text = an_837()
    assert f"*MI*{MEMBER_ID}~" in text
    with caplog.at_level(logging.DEBUG):
        report = validate_x12(text.replace(f"*MI*{MEMBER_ID}~", f"*MI*{TOO_LONG}~", 1))
    (error,) = report.errors
    assert (error.level, error.code, error.segment_id, error.element) == ("element", "5", "NM1", 9)
    assert error.loop == "2010BA" and error.element_label == "NM109"
    lines = text.splitlines()
    assert lines[error.position - 1].startswith("NM1*IL")
    assert not report.valid
    assert "SECRETMEMBER" not in repr(report)
    assert not [r for r in caplog.records if r.name.startswith("pyx12")]


@pytest.mark.parametrize("data", [b"", b"hello, not X12", "ISA*00*short~"])
def test_what_pyx12_cannot_read_is_unavailable(data: bytes | str) -> None:
    with pytest.raises(Pyx12Unavailable):
        validate_x12(data)
