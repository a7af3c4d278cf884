"""The one TA1/999 writer: guide codes only, TA1 before the group, claims named by CTX."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from importlib.resources import files

import pytest

from edi.claims.build_837p import build_interchanges
from edi.claims.models import Encounter
from edi.x12.acks import (
    AK905_CODES,
    IK304_CODES,
    IK403_CODES,
    IK502_CODES,
    AckItem,
    GroupAck,
    Ta1,
    TransactionAck,
    acknowledge,
    pyx12_groups,
)
from edi.x12.control import MemoryControlNumbers
from edi.x12.pyx12_validator import validate_x12
from edi.x12.reader import iter_segments
from edi.x12.reply import Route
from edi.x12.writer import Party
from mappings.profiles import clearinghouse_profile
from tests.factories import encounter
from tests.support.judge import pyx12_errors

ROUTE = Route(Party("ZZ", "SANDBOXCH", "SANDBOXCH"), Party("ZZ", "CLINIC", "CLINIC"), "T",
              datetime(2026, 11, 27, 9, 30))  # fmt: skip


def segment_ids(text: str) -> list[str]:
    return [s.id for s in iter_segments(text, "ack")]


@pytest.mark.parametrize(
    ("element", "codes"),
    [("IK304", IK304_CODES), ("IK403", IK403_CODES), ("IK502", IK502_CODES),
     ("AK905", AK905_CODES)],
)  # fmt: skip
def test_code_lists_are_the_999_guides(element: str, codes: frozenset[str]) -> None:
    guide = ET.parse(str(files("pyx12") / "map" / "999.5010X231.A1.xml"))
    node = next(e for e in guide.iter("element") if e.get("xid") == element)
    assert codes == {c.text for c in node.iter("code")}


def test_an_accepting_ta1_comes_before_the_999_group() -> None:
    group = GroupAck("HC", "7", "005010X222A1", transactions=[TransactionAck("837", "0001", "")])
    ack = acknowledge(ROUTE, MemoryControlNumbers(), [group], Ta1("000000042", "261127", "0930"))
    assert segment_ids(ack.text)[:3] == ["ISA", "TA1", "GS"]
    assert "TA1*000000042*261127*0930*A*000~" in ack.text
    assert ack.accepted == {"0001"}
    assert pyx12_errors(ack.text) == []


def test_a_rejecting_ta1_stands_alone() -> None:
    group = GroupAck("HC", "7", "005010X222A1", transactions=[TransactionAck("837", "0001", "")])
    ack = acknowledge(ROUTE, MemoryControlNumbers(), [group], Ta1("000000042", "261127", "0930",
                                                                  "024"))  # fmt: skip
    assert segment_ids(ack.text) == ["ISA", "TA1", "IEA"]
    assert ack.accepted == frozenset()
    assert pyx12_errors(ack.text) == []


def test_codes_the_guide_does_not_list_are_left_out() -> None:
    item = AckItem("NM1", 12, "2010BA", "Q9", 9, element_ref="67", element_code="Q99")
    tx = TransactionAck("837", "0001", "005010X222A1", ["Q1"], [item])
    group = GroupAck("HC", "7", "005010X222A1", ack_codes=["Q2"], transactions=[tx])
    ack = acknowledge(ROUTE, MemoryControlNumbers(), [group])
    assert "IK3*NM1*12~" in ack.text and "IK4" not in ack.text
    assert "IK5*R*5~" in ack.text and "AK9*R*1*1*0~" in ack.text
    assert pyx12_errors(ack.text) == []


def test_a_group_error_rejects_every_set_in_it() -> None:
    sets = [TransactionAck("837", "0001", ""), TransactionAck("837", "0002", "")]
    group = GroupAck("HC", "7", "X", ack_codes=["5"], transactions=sets)
    ack = acknowledge(ROUTE, MemoryControlNumbers(), [group])
    assert "AK9*R*2*2*0*5~" in ack.text and ack.accepted == frozenset()


def test_pyx12_errors_become_ik3_ik4_with_the_claim_named() -> None:
    data = [Encounter.model_validate(encounter(encounter_id=f"ENC-{n}")) for n in (1, 2)]
    profile = clearinghouse_profile("sandbox")
    created = datetime(2026, 11, 27, 1, 0)
    (ic,) = build_interchanges(data, profile, MemoryControlNumbers(), created)
    text = re.sub(r"(DTP\*472\*D8\*)\d{8}", r"\g<1>20261340", ic.text, count=1)
    asked: list[tuple[str, int]] = []

    def claim_at(st02: str, position: int) -> str:
        asked.append((st02, position))
        return "ENC-1"

    groups = pyx12_groups(validate_x12(text), claim_at)
    ack = acknowledge(ROUTE, MemoryControlNumbers(), groups)
    (st02, position) = asked[0]
    assert st02 == "0001"
    body = text.split("~")
    st = next(i for i, s in enumerate(body) if s.lstrip().startswith("ST*"))
    assert body[st + position - 1].lstrip().startswith("DTP*472")
    assert "CTX*CLM01:ENC-1~" in ack.text
    assert re.search(r"IK4\*3\*1251\*8~", ack.text)
    assert "IK5*R*5~" in ack.text and ack.accepted == frozenset()
    assert pyx12_errors(ack.text) == []
