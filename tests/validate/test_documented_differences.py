"""Where pyx12 stops instead of reporting, the engine reports what the guide says is wrong.

Each test shows pyx12 failing on a file (:class:`Pyx12Unavailable`, so a user of
``--engine pyx12`` gets no 999 for it at all), or judging it against the guide's words, and
the engine reporting what the guide says with the 999 code it gives.  The agreement tests
accept pyx12's stops and its TA1 pick; no file of theirs repeats an element pyx12's maps
let repeat (COB04, DMG05 of the 834), so one that did would be reported there, to be read
against the test here.
"""

from __future__ import annotations

import pytest

from edi.validate import validate
from edi.x12.pyx12_validator import Pyx12Unavailable, validate_x12
from tests.fixtures.services import SHARED_SAMPLES, shared_sample
from tests.validate.conftest import built_837p


@pytest.fixture(scope="module")
def claims() -> str:
    return built_837p(2).decode("ascii")


def test_too_many_components_is_ik403_13_where_pyx12_raises_index_error(claims: str) -> None:
    """X12 999 (005010X231A1) IK403 code 13: "Too Many Components".  SV101 is the composite
    C003 "Composite Medical Procedure Identifier" of at most seven components
    (SV101-1 qualifier, SV101-2 procedure code, SV101-3..6 modifiers, SV101-7 description);
    an eighth is too many.  pyx12 indexes past its component list and raises IndexError."""
    text = claims.replace("SV1*HC:", "SV1*HC:99213:25:25:25:25:25:25:", 1)
    with pytest.raises(Pyx12Unavailable, match="IndexError"):
        validate_x12(text)
    errors = [e for e in validate(text).errors if e.level == "element"]
    assert [(e.segment_id, e.element, e.code) for e in errors] == [("SV1", 1, "13")]


def test_ge01_not_a_number_is_ak905_5_where_pyx12_raises_value_error(claims: str) -> None:
    """GE01, "Number of Transaction Sets Included", is an N0 count of the sets in the
    group; when it does not match, AK905 (X231A1) is code 5: "Number of Included
    Transaction Sets Does Not Match Actual Count".  pyx12 calls int() on GE01 when it
    closes the group and raises ValueError when GE01 is not a number."""
    text = claims.replace("GE*1*", "GE*X*", 1)
    with pytest.raises(Pyx12Unavailable, match="ValueError"):
        validate_x12(text)
    groups = [e.code for e in validate(text).errors if e.level == "group"]
    assert groups == ["5"]


def test_the_ta1_code_pyx12_picks_among_several_is_chance(claims: str) -> None:
    """A TA1 carries one note code (TA105).  With IEA02 blank, the interchange has two
    faults: IEA02 does not match ISA13 (code 001, "The Interchange Control Number in the
    Header and Trailer Do Not Match") and IEA02 is missing (code 018, "Invalid Interchange
    Control Number Value").  pyx12 takes the first of a Python set of codes, whose order
    changes from process to process; the engine takes the smallest, every time."""
    text = claims[: claims.rindex("IEA*")] + "IEA*1*~\n"
    picked = {e.code for e in validate_x12(text).errors if e.level == "interchange"}
    assert picked in ({"001"}, {"001", "018"})
    assert [e.code for e in validate(text).errors if e.level == "interchange"] == ["001"]


SAMPLE_834 = (
    SHARED_SAMPLES / "LinuxForHealth+x12" / "src" / "tests" / "resources" / "834_005010X220A1"
    / "enroll-employee-managed-care.834"
)  # fmt: skip


def test_a_repeated_element_is_judged_repeat_by_repeat_where_pyx12_reads_one_value() -> None:
    """X12 5010: ISA11 is the "Repetition Separator", which "separates the occurrences of a
    repeated data element"; 005010X220A1 2320 COB04, "Service Type Code", repeats up to 9
    times (pyx12's own map says <repeat>9</repeat>).  This 834's ISA11 is '>': COB04
    ``1>35`` is two service types, each on the guide's list.  pyx12 reads no element repeat
    and judges ``1>35`` as one value: too long (IK403 5) and no code (IK403 7).  The engine
    judges each repeat (clean), a bad one at its repetition (IK401-3), and a tenth is IK403
    12, "Too Many Repetitions"."""
    shared_sample(SAMPLE_834)
    text = SAMPLE_834.read_text(encoding="ascii")  # its own one error: a DTP out of place
    cob = text.replace("SE*18*", "SE*19*").replace("\nSE*", "\nCOB*P*890111*5*1>35~\nSE*")

    def cob_errors(found) -> list[tuple]:
        return [(e.code, e.element, e.repetition) for e in found.errors if e.segment_id == "COB"]

    assert cob_errors(validate_x12(cob)) == [("5", 4, None), ("7", 4, None)]
    assert cob_errors(validate(cob)) == []
    assert cob_errors(validate(cob.replace("*1>35~", "*1>99~"))) == [("7", 4, 2)]
    many = cob.replace("*1>35~", "*" + ">".join(["1"] * 10) + "~")
    assert cob_errors(validate(many)) == [("12", 4, 10)]
