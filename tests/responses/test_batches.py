"""The 835 reader reads in batches of segments: where a batch ends must change nothing.

A claim, a service line or a payment's header may start in one batch and go on in the
next (and in the next chunk of the stream); duplicates are decided when a payment is
whole.  Whatever the batch and chunk sizes, every table is the same as when the file
is read in one piece.
"""

from __future__ import annotations

from contextlib import contextmanager

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi.responses import parse_any, remit835
from edi.x12 import reader
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import Cas, Claim, Line, Plb, remit

TEXTS = bundled_code_texts()

AMOUNT = st.sampled_from(["0", "10", "20.5", "150.00", "-10", "1.234", "", "x"])
CAS = st.builds(
    Cas,
    st.sampled_from(["CO", "PR", "OA"]),
    st.sampled_from(["45", "2", "97"]),
    AMOUNT,
    st.sampled_from(["", "1"]),
)
LINE = st.builds(
    Line,
    code=st.sampled_from(["99213", "93000"]),
    modifiers=st.lists(st.sampled_from(["25", "59"]), max_size=3).map(tuple),
    charge=AMOUNT,
    paid=AMOUNT,
    submitted_code=st.sampled_from(["", "99214"]),
    adjustments=st.lists(CAS, max_size=7),
    line_ref=st.sampled_from(["", "L1"]),
    allowed=AMOUNT,
    remarks=st.lists(st.sampled_from(["N130", "M15"]), max_size=3).map(tuple),
)
CLAIM = st.builds(
    Claim,
    st.sampled_from(["E1", "E2"]),
    status=st.sampled_from(["1", "4", "22"]),
    charge=AMOUNT,
    paid=AMOUNT,
    adjustments=st.lists(CAS, max_size=3),
    lines=st.lists(LINE, max_size=3),
    moa=st.lists(st.sampled_from(["MA01", "N1"]), max_size=3).map(tuple),
    statement=st.sampled_from([("", ""), ("20261101", "20261102")]),
)
PLB = st.builds(Plb, st.sampled_from(["WO", "L6"]), st.sampled_from(["X", "PCN1"]), AMOUNT)


@st.composite
def remittances(draw) -> str:
    """One to three 835s, some of them repeated, some segments dropped or cut short."""
    files = [
        remit(
            draw(st.lists(CLAIM, max_size=4)),
            payment=draw(AMOUNT),
            trace=draw(st.sampled_from(["T1", "T2"])),
            plb=draw(st.lists(PLB, max_size=7)),
            line_breaks=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    parts = "".join(files).split("~")
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(parts) - 1))
        if draw(st.booleans()):
            del parts[i]
        else:
            parts[i] = "*".join(parts[i].split("*")[: draw(st.integers(1, 3))])
    return "~".join(parts)


@contextmanager
def sizes(batch: int, chunk: int):
    saved = remit835.BATCH_SEGMENTS, reader.CHUNK_CHARS
    remit835.BATCH_SEGMENTS, reader.CHUNK_CHARS = batch, chunk
    try:
        yield
    finally:
        remit835.BATCH_SEGMENTS, reader.CHUNK_CHARS = saved


def tables(text: str) -> dict[str, pd.DataFrame] | str:
    try:
        read = parse_any(text, "b.835", texts=TEXTS)
    except reader.X12ParseError as err:
        return str(err)
    frames = dict(read.items())
    frames["findings"] = (
        frames["findings"].sort_values(["position", "code", "message"]).reset_index(drop=True)
    )
    return frames


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(remittances(), st.integers(1, 40), st.integers(1, 300))
def test_batch_and_chunk_sizes_change_nothing(text, batch, chunk):
    whole = tables(text)
    with sizes(batch, chunk):
        pieces = tables(text)
    if isinstance(whole, str):
        assert pieces == whole
        return
    for name, frame in whole.items():
        pd.testing.assert_frame_equal(pieces[name], frame, obj=name)
