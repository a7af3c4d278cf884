"""The 270 batch (X279A1) read back: hierarchy, names, EQ*30 and DTP*291 per the guide."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from edi.eligibility.build_270 import EligibilityInquiry, build_270
from edi.x12.reader import iter_segments
from edi.x12.writer import Party

SENDER = Party("ZZ", "SUBMITTER01", "SUBMITTER01")
RECEIVER = Party("ZZ", "CLEARHOUSE", "CLEARHOUSE")
CREATED = datetime(2026, 6, 1, 2, 30)


def _inquiry(inquiry_id: str, payer: str = "PAYER1", **dependent: object) -> EligibilityInquiry:
    return EligibilityInquiry(
        inquiry_id=inquiry_id, payer_id=payer, payer_name=f"{payer} Health",
        provider_npi="1234567893", provider_name="Smith*Clinic~", service_date=date(2026, 6, 3),
        member_id="W100000001", subscriber_last="DOE", subscriber_first="JANE",
        subscriber_birth_date=date(1980, 2, 1), subscriber_sex="F", **dependent,
    )  # fmt: skip


@pytest.fixture(scope="module")
def segments():
    kid = {"patient_last": "DOE", "patient_first": "TIM", "patient_birth_date": date(2015, 5, 5),
           "patient_sex": "M"}  # fmt: skip
    text = build_270([_inquiry("Q2", **kid), _inquiry("Q1"), _inquiry("Q3", "PAYER2")],
                     SENDER, RECEIVER, 7, 7, CREATED)  # fmt: skip
    return list(iter_segments(text.encode("ascii"), "q.270"))


def test_envelope_names_the_x279a1_guide(segments):
    assert [s.get(8) for s in segments if s.id == "GS"] == ["005010X279A1"]
    assert [s.get(1) for s in segments if s.id == "GS"] == ["HS"]
    assert [s.get(1) for s in segments if s.id == "ST"] == ["270"]
    se = next(s for s in segments if s.id == "SE")
    st = next(i for i, s in enumerate(segments) if s.id == "ST")
    assert int(se.get(1)) == segments.index(se) - st + 1


def test_hierarchy_is_payer_provider_subscriber_dependent_per_payer(segments):
    levels = [(s.get(1), s.get(2), s.get(3)) for s in segments if s.id == "HL"]
    assert levels == [
        ("1", "", "20"), ("2", "1", "21"), ("3", "2", "22"), ("4", "2", "22"), ("5", "4", "23"),
        ("6", "", "20"), ("7", "6", "21"), ("8", "7", "22"),
    ]  # fmt: skip
    assert [s.get(9) for s in segments if s.id == "NM1" and s.get(1) == "PR"] == [
        "PAYER1", "PAYER2"]  # fmt: skip


def test_each_member_asks_for_plan_coverage_on_the_date_of_service(segments):
    assert [s.get(2) for s in segments if s.id == "TRN"] == ["Q1", "Q2", "Q3"]
    assert [s.get(1) for s in segments if s.id == "EQ"] == ["30", "30", "30"]
    assert {(s.get(1), s.get(3)) for s in segments if s.id == "DTP"} == {("291", "20260603")}
    dependent = [s for s in segments if s.id == "NM1" and s.get(1) == "03"]
    assert [(s.get(3), s.get(4)) for s in dependent] == [("DOE", "TIM")]
    births = [s.get(2) for s in segments if s.id == "DMG"]
    assert births == ["19800201", "20150505", "19800201"]


def test_delimiters_in_names_never_reach_the_file(segments):
    (name,) = {s.get(3) for s in segments if s.id == "NM1" and s.get(1) == "1P"}
    assert name == "SMITHCLINIC"


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="at least one member"):
        build_270([], SENDER, RECEIVER, 1, 1, CREATED)


def test_an_independent_x279a1_model_reads_the_270_back():
    """x12sdk's pydantic models of X279A1 validate the file and find each inquiry where it goes."""
    from x12sdk.io import X12ModelReader

    kid = {"patient_last": "DOE", "patient_first": "TIM", "patient_birth_date": date(2015, 5, 5)}
    text = build_270([_inquiry("Q2", **kid), _inquiry("Q1"), _inquiry("Q3", "PAYER2")],
                     SENDER, RECEIVER, 7, 7, CREATED)  # fmt: skip
    with X12ModelReader(text) as reader:
        (model,) = list(reader.models())
    found = {}
    for payer in model.loop_2000a:
        for provider in payer.loop_2000b:
            for subscriber in provider.loop_2000c:
                levels = [subscriber, *(subscriber.loop_2000d or [])]
                for level in levels:
                    for trn in level.trn_segment or []:
                        found[trn.reference_identification_1] = (
                            payer.loop_2100a.nm1_segment.identification_code,
                            type(level).__name__,
                        )
    assert found == {"Q1": ("PAYER1", "Loop2000C"), "Q2": ("PAYER1", "Loop2000D"),
                     "Q3": ("PAYER2", "Loop2000C")}  # fmt: skip
