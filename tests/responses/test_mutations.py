"""Mutated response files never raise anything but the documented parse error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi.responses import parse_any
from edi.x12.reader import X12ParseError
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import (
    Cas,
    Claim,
    IkError,
    Line,
    Plb,
    SetAck,
    Status,
    ack_999,
    claim_ack,
    remit,
    ta1,
)

ERROR = IkError("NM1", 12, "9", "7", loop="2010", clm01="E2")
TEXTS = bundled_code_texts()

VALID = (
    remit(
        [
            Claim("E1", patient_resp="20", lines=[Line(adjustments=[Cas("CO", "45", "50")])]),
            Claim("E2", "22", "-10", "-10"),
        ],
        payment="80.00",
        plb=[Plb("WO", "X", "10")],
    )
    + claim_ack([Status("E1"), Status("E2", "A7", "562", "85", "U", lines=[("L", "1", "A7", "1")])])
    + ack_999("1", [SetAck("0001", "R", ("5",), [ERROR])], "R")
    + ta1("000000001")
).encode()
SEGMENTS = VALID.split(b"~")


@st.composite
def mutated(draw) -> bytes:
    parts = list(SEGMENTS)
    for _ in range(draw(st.integers(1, 5))):
        if not parts:
            break
        i = draw(st.integers(0, len(parts) - 1))
        kind = draw(st.sampled_from(["drop", "dup", "garbage", "delim", "truncate", "element"]))
        if kind == "drop":
            del parts[i]
        elif kind == "dup":
            parts.insert(i, parts[i])
        elif kind == "garbage":
            parts[i] = draw(st.binary(max_size=40))
        elif kind == "delim":
            parts[i] = parts[i].replace(b"*", draw(st.sampled_from([b"|", b"", b":", b"^", b"~"])))
        elif kind == "truncate":
            parts = parts[: i + 1]
            parts[-1] = parts[-1][: draw(st.integers(0, len(parts[-1])))]
        else:  # an element replaced by something odd
            elements = parts[i].split(b"*")
            j = draw(st.integers(0, len(elements) - 1))
            elements[j] = draw(st.sampled_from([b"", b"-", b"1e9", b"99999999999999999999",
                                                b"20261340", b"ABC", b":::", b"\x00"]))  # fmt: skip
            parts[i] = b"*".join(elements)
    return b"~".join(parts)


def parse(data: bytes) -> None:
    try:
        tables = parse_any(data, "m.x12", texts=TEXTS)
    except X12ParseError as err:
        assert err.source == "m.x12" and err.reason
        return
    for _name, frame in tables.items():
        assert list(frame.columns)  # every table is a table, whatever came in


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_raise_only_the_parse_error(data):
    parse(data)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_after_a_valid_start_raises_only_the_parse_error(data):
    parse(VALID[:300] + data)
