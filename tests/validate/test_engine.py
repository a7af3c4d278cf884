"""The engine's errors on typical mistakes: the 999 codes, placed, and the same as pyx12's."""

from __future__ import annotations

import pytest

from edi.validate import EngineUnavailable, validate
from edi.validate.compiled import compiled
from tests.validate.agreement import compare
from tests.validate.conftest import built_837p


@pytest.fixture(scope="module")
def claims() -> str:
    return built_837p(3).decode("ascii")


def _codes(text: str, level: str) -> list[tuple]:
    return sorted(
        (e.segment_id or "", e.code, e.element or 0)
        for e in validate(text).errors
        if e.level == level
    )


def test_a_built_837p_is_valid(claims: str) -> None:
    report = validate(claims)
    assert report.valid and not report.errors
    [group] = report.groups
    assert group.version == "005010X222A1" and group.transactions[0].code == "837"


@pytest.mark.parametrize(
    ("old", "new", "level", "expected"),
    [
        ("N3*", "N3X*", "segment", ("N3X", "1", 0)),  # IK304 1: unrecognized segment
        ("DTP*472*D8", "DTP*472*DX", "element", ("DTP", "7", 2)),  # IK403 7: invalid code
        ("DMG*D8*", "DMG*D8*2026", "element", ("DMG", "8", 2)),  # IK403 8: invalid date
        ("CLM*", "CLM*" + "X" * 40, "element", ("CLM", "5", 1)),  # IK403 5: too long
        ("HL*2*1*", "HL*2*7*", "segment", ("HL", "HL2", 0)),  # HL parent that is not one
    ],
)
def test_mistakes_get_the_999_codes_pyx12_gives(
    claims: str, old: str, new: str, level: str, expected: tuple
) -> None:
    text = claims.replace(old, new, 1)
    assert expected in _codes(text, level)
    assert compare(text).agree


def test_envelope_counts_and_control_numbers(claims: str) -> None:
    se = claims.rindex("\nSE*")
    text = claims[:se] + claims[se:].replace("SE*", "SE*9", 1).replace("GE*1*1", "GE*1*2", 1)
    errors = {(e.level, e.code) for e in validate(text).errors}
    assert {("transaction", "4"), ("group", "4")} <= errors  # IK502 4, AK905 4
    assert compare(text).agree


def test_a_missing_required_segment_is_filed_where_pyx12_files_it(claims: str) -> None:
    start = claims.index("NM1*85")
    end = claims.index("~", start) + 1
    text = claims[:start] + claims[end:].lstrip("\n")
    assert ("NM1", "3", 0) in _codes(text, "segment")  # IK304 3: required segment missing
    assert compare(text).agree


def test_input_pyx12_cannot_read_is_refused_the_same_way() -> None:
    with pytest.raises(EngineUnavailable):
        validate("hello, not X12")


def test_guides_are_compiled_once() -> None:
    assert compiled("835.5010.X221.A1.xml") is compiled("835.5010.X221.A1.xml")
    g = compiled("837.5010.X222.A1.xml")
    assert "/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/2400/SV1" in g.by_path


def test_an_interchange_with_other_delimiters_is_judged_by_its_own() -> None:
    """Segments are judged once per text, but a text read with another component
    separator is another segment: an interchange after one with other delimiters gets
    the errors it gets alone (here its CLM05 "11:B:1" is one bad component under ISA16 >)."""
    claims = built_837p(2).decode("ascii")
    isa = claims[:106]
    second = (
        isa[:90] + "000000777" + isa[99:104] + ">" + isa[105:]
        + claims[106:].replace("IEA*1*" + isa[90:99], "IEA*1*000000777")
    )  # fmt: skip

    def errors(text: str, isa13: str) -> list[tuple]:
        return sorted(
            (e.level, e.code, e.segment_id or "", e.st_position or 0, e.element or 0,
             e.component or 0)
            for e in validate(text).errors
            if e.isa13 == isa13
        )  # fmt: skip

    together = errors(claims + second, "000000777")  # first: before any cache knows ">"
    alone = errors(second, "000000777")
    assert any(e[:3] == ("element", "5", "CLM") and e[4:] == (5, 1) for e in alone)
    assert together == alone
