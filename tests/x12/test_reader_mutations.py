"""Whatever the bytes, the reader either reads or raises its documented error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi.x12.reader import X12ParseError, iter_segments, iter_transactions
from tests.x12.test_reader import interchange

VALID = (interchange(sets=2) + "\r\n" + interchange(isa13=2)).encode()
SEGMENTS = VALID.split(b"~")


def read_all(data: bytes) -> None:
    try:
        for tx in iter_transactions(data, "m.835"):
            for seg in tx:
                seg.components(1), seg.repetitions(2), seg.get(3)
    except X12ParseError as err:
        assert err.source == "m.835" and err.reason


@st.composite
def mutated(draw) -> bytes:
    parts = list(SEGMENTS)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["drop", "dup", "garbage", "delim", "truncate", "swap"]))
        i = draw(st.integers(0, len(parts) - 1))
        if kind == "drop":
            del parts[i]
        elif kind == "dup":
            parts.insert(i, parts[i])
        elif kind == "garbage":
            parts[i] = draw(st.binary(max_size=30))
        elif kind == "delim":
            parts[i] = parts[i].replace(b"*", draw(st.sampled_from([b"|", b"", b"~", b":", b"^"])))
        elif kind == "truncate":
            parts = parts[: i + 1]
            parts[-1] = parts[-1][: draw(st.integers(0, len(parts[-1])))]
        elif kind == "swap" and parts:
            j = draw(st.integers(0, len(parts) - 1))
            parts[i], parts[j] = parts[j], parts[i]
        if not parts:
            break
    return b"~".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_raise_only_the_parse_error(data):
    read_all(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_the_parse_error(data):
    read_all(data)
    read_all(VALID[:120] + data)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 200), min_size=1, max_size=40))
def test_any_chunking_reads_the_same_segments(sizes):
    text = VALID.decode()
    pieces, start = [], 0
    for size in sizes:
        pieces.append(text[start : start + size])
        start += size
    pieces.append(text[start:])
    whole = [(s.elements, s.position, s.offset) for s in iter_segments(text)]
    assert [(s.elements, s.position, s.offset) for s in iter_segments(pieces)] == whole
