"""docs/guide-837i.md compares X223A2 with pyx12's A1 map: each map fact it states holds."""

from __future__ import annotations

from edi.guides.pyx12_maps import MapSegment, map_loops

LOOPS = map_loops("837Q3.I.5010.X223.A1.xml")


def _segment(loop: str, segment_id: str, name: str = "") -> MapSegment:
    (found,) = [s for s in LOOPS[loop].segments
                if s.segment_id == segment_id and name.lower() in s.name.lower()]  # fmt: skip
    return found


def test_the_a1_map_holds_what_the_guide_page_states() -> None:
    assert _segment("2300", "CLM").elements["CLM05-02"].codes == ("A",)
    assert _segment("2300", "DTP", "statement").elements["DTP02"].codes == ("RD8",)
    discharge = _segment("2300", "DTP", "discharge")
    assert (discharge.usage, discharge.elements["DTP02"].codes) == ("S", ("TM",))
    for loop in ("2000B", "2320"):
        assert _segment(loop, "SBR").elements["SBR05"].usage == "N"
    assert _segment("2320", "OI").usage == "R"
    assert {_segment("2320", s).usage for s in ("MOA", "MIA")} == {"S"}
    amounts = {s.elements["AMT01"].codes for s in LOOPS["2320"].segments if s.segment_id == "AMT"}
    assert amounts == {("D",), ("EAF",), ("A8",)}
    svd = _segment("2430", "SVD").elements
    assert (svd["SVD03"].usage, svd["SVD04"].usage) == ("S", "R")
    twice = {s.name for s in LOOPS["2300"].segments if s.segment_id == "HI" and s.max_use == "2"}
    assert twice == {"Other Diagnosis Information", "Other Procedure Information",
                     "Occurrence Span Information", "Occurrence Information",
                     "Value Information", "Condition Information",
                     "Treatment Code Information"}  # fmt: skip
    nm102 = {loop: _segment(loop, "NM1").elements["NM102"].codes
             for loop in ("2310D", "2310E", "2310F")}  # fmt: skip
    assert nm102 == {"2310D": ("1",), "2310E": ("2",), "2310F": ("1",)}
