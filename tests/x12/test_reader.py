"""The streaming X12 reader: delimiters from each ISA, messy input, positioned errors."""

from __future__ import annotations

import io
import itertools
import pickle
from datetime import datetime

import numpy as np
import pytest

from edi.x12.delimiters import DEFAULT, Delimiters
from edi.x12.reader import (
    CHUNK_CHARS,
    EnvelopeFinding,
    X12ParseError,
    iter_segments,
    iter_transactions,
)
from edi.x12.writer import Party, X12Writer

SENDER = Party("ZZ", "PAYER", "PAYER")
RECEIVER = Party("ZZ", "CLINIC", "CLINIC")
WHEN = datetime(2026, 11, 27, 9, 30)


def interchange(delimiters: Delimiters = DEFAULT, isa13: int = 1, sets: int = 1) -> str:
    w = X12Writer(delimiters)
    w.open_interchange(SENDER, RECEIVER, isa13, WHEN, "T")
    w.open_group("HP", SENDER, RECEIVER, 7, WHEN, "005010X221A1")
    for n in range(1, sets + 1):
        w.open_transaction("835", n, None)
        w.segment("BPR", "I", "150.00", "C", "ACH")
        w.segment("CLP", f"ENC-{n}", "1", "150.00", "100.00", "", "12", "PCN1")
        w.segment("SVC", ["HC", "99213", "25"], "150.00", "100.00")
        w.segment("LQ", "HE", "N130")
        w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.getvalue()


def ids(source, name="<input>") -> list[str]:
    return [s.id for s in iter_segments(source, name)]


EXPECTED = ["ISA", "GS", "ST", "BPR", "CLP", "SVC", "LQ", "SE", "GE", "IEA"]


def test_segments_positions_offsets_and_element_access():
    text = interchange()
    segments = list(iter_segments(text, "a.835"))
    assert [s.id for s in segments] == EXPECTED
    assert [s.position for s in segments] == list(range(1, 11))
    for seg in segments:
        assert text[seg.offset : seg.offset + len(seg.id)] == seg.id
    clp = segments[4]
    assert clp.get(1) == "ENC-1" and clp.get(5) == "" and clp.get(99, "x") == "x"
    svc = segments[5]
    assert svc.components(1) == ["HC", "99213", "25"]
    assert svc.component(1, 2) == "99213" and svc.component(1, 4) == ""
    assert svc.components(9) == []
    assert segments[0].get(13) == "000000001" and segments[0].delimiters == Delimiters()


def test_repetitions_use_isa11():
    text = interchange().replace("LQ*HE*N130", "LQ*HE*N130^N115")
    lq = next(s for s in iter_segments(text) if s.id == "LQ")
    assert lq.repetitions(2) == ["N130", "N115"]
    assert lq.repetitions(5) == []


def test_bom_crlf_blank_lines_lower_case_ids_are_tolerated():
    text = interchange()
    messy = "\ufeff" + text.replace("~", "~\r\n\r\n").replace("CLP*", "clp*").replace("Lq*", "lq*")
    assert ids(messy) == EXPECTED
    assert ids(messy.encode("utf-8")) == EXPECTED
    assert ids(io.BytesIO(messy.encode("utf-8"))) == EXPECTED
    assert ids(io.StringIO(messy)) == EXPECTED
    assert ids(b"\xef\xbb\xbf" + text.encode()) == EXPECTED


def test_offsets_skip_line_breaks():
    text = interchange().replace("~", "~\r\n")
    for seg in iter_segments(text):
        assert text[seg.offset : seg.offset + len(seg.id)] == seg.id


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50, 105, 106, 107])
def test_chunk_boundaries_anywhere(size):
    """Pieces of any size (a stream's reads) give the same segments as the whole text."""
    text = interchange(sets=2).replace("~", "~\n") + interchange(Delimiters("|", ">", "^", "\n"))
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    whole = [(s.id, s.elements, s.position, s.offset) for s in iter_segments(text)]
    chunked = [(s.id, s.elements, s.position, s.offset) for s in iter_segments(pieces)]
    assert chunked == whole
    assert len(whole) == 16 + 10


@pytest.mark.parametrize(
    "delimiters", [Delimiters(), Delimiters("|", ">", "^", "\n"), Delimiters("§", "¤", "^", "¦")]
)
def test_blocks_hold_the_same_segments_as_element_lists(delimiters):
    """The columnar view and the element lists agree, whitespace and odd delimiters too."""
    text = interchange(delimiters, sets=2).replace("LQ", " lq", 1) + "\r\n"
    text = text.replace("N130" + delimiters.segment, "N130  " + delimiters.segment)
    as_lists = [
        (tx.cursor.position, elements)
        for tx in iter_transactions(text)
        for elements in tx.elements()
        if tx.st
    ]
    as_blocks = []
    for tx in iter_transactions(text, columns=True):
        if not tx.st:
            continue
        for block in tx.blocks():
            rows = np.arange(len(block))
            columns = block.elements(rows, range(1, 4))
            for i, position in enumerate(block.positions.tolist()):
                sid = tx.cursor.vocabulary[block.ids[i]]
                values = [c[i].as_py() for c in columns][: block.count[i] - 1]
                as_blocks.append((position, [sid, *values]))
    assert as_blocks == [(p, e[:4]) for p, e in as_lists]
    assert ("LQ", "N130") in [(e[0], e[2]) for _, e in as_blocks]


def test_blocks_are_for_transaction_sets():
    text = interchange().replace("GS*", "TA1*000000001*261127*0930*A*000~GS*", 1)
    run = next(tx for tx in iter_transactions(text) if tx.st is None)
    with pytest.raises(ValueError, match="no ST"):
        run.blocks()


def test_several_interchanges_with_their_own_delimiters():
    first = interchange(isa13=1)
    second = interchange(Delimiters("|", ">", "!", "\n"), isa13=2)
    third = interchange(Delimiters("*", ":", "^", "~"), isa13=3)
    segments = list(iter_segments(first + "\n" + second + third))
    isas = [s for s in segments if s.id == "ISA"]
    assert [s.get(13) for s in isas] == ["000000001", "000000002", "000000003"]
    assert isas[1].delimiters == Delimiters("|", ">", "!", "\n")
    svcs = [s for s in segments if s.id == "SVC"]
    assert [s.components(1) for s in svcs] == [["HC", "99213", "25"]] * 3
    assert len(segments) == 30


def test_4010_isa11_u_and_unpadded_isa():
    text = interchange().replace("*^*00501*", "*U*00501*")
    segs = list(iter_segments(text))
    assert segs[0].delimiters.repetition == ""
    assert segs[6].repetitions(2) == ["N130"]
    unpadded = "ISA*00**00**ZZ*P*ZZ*C*261127*0930*^*00501*000000001*0*T*:~" + text[106:]
    assert ids(unpadded) == EXPECTED


def test_last_segment_without_terminator():
    text = interchange().rstrip("~")
    assert ids(text) == EXPECTED


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        ("", 1, "expected an ISA segment, found the end of the input"),
        ("   \n", 1, "expected an ISA segment"),
        ("GS*HP*A~", 1, "expected an ISA segment, found something else"),
        ("%PDF-1.4 binary", 1, "expected an ISA segment"),
        ("ISA*00*          *00*    ", 1, "ISA must have 16 elements"),
        ("ISA000000", 1, "element separator"),
    ],
)
def test_not_x12_is_refused_with_position(text, position, reason):
    with pytest.raises(X12ParseError) as caught:
        list(iter_segments(text, "junk.txt"))
    assert caught.value.position == position
    assert reason in caught.value.reason
    assert str(caught.value).startswith("junk.txt: segment 1")


def test_bad_segment_id_names_position_offset_and_file():
    text = interchange()
    broken = text.replace("CLP*", "*IC*", 1)
    with pytest.raises(X12ParseError) as caught:
        list(iter_segments(broken, "claims.835"))
    err = caught.value
    assert (err.source, err.position, err.offset) == ("claims.835", 5, broken.index("*IC*"))
    assert str(err) == (
        f"claims.835: segment 5 at offset {err.offset}: "
        "expected a segment ID of 2-3 letters or digits before '*'"
    )
    assert "ENC-1" not in str(err)


def test_parse_error_pickles_with_attributes():
    err = X12ParseError("a.835", "expected CLP", 12, 345, "CLP")
    assert str(err) == "a.835: segment 12 (CLP) at offset 345: expected CLP"
    back = pickle.loads(pickle.dumps(err))
    assert (back.source, back.position, back.offset, back.segment_id, back.reason) == (
        "a.835",
        12,
        345,
        "CLP",
        "expected CLP",
    )
    assert isinstance(back, ValueError)


@pytest.mark.timeout(10)
def test_stream_is_read_lazily():
    """An endless stream yields its first segments: nothing waits for the whole input."""

    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.data = interchange().encode()[:-20]  # up to before GE/IEA
            self.served = 0
            self.bytes = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = (b"LQ*HE*N130~" * 1000)[: len(buffer)] if self.served else self.data
            buffer[: len(chunk)] = chunk
            self.served += 1
            self.bytes += len(chunk)
            return len(chunk)

    stream = Endless()
    first = list(itertools.islice(iter_segments(io.BufferedReader(stream)), 20))
    assert first[-1].id == "LQ"
    assert stream.bytes <= 2 * CHUNK_CHARS


# -- envelopes --------------------------------------------------------------------------


def test_transactions_with_envelope_identity():
    findings: list[EnvelopeFinding] = []
    txs = []
    for tx in iter_transactions(interchange(sets=2) + interchange(isa13=2), "r.835", findings):
        body = [s.id for s in tx]
        txs.append((tx.code, tx.version, tx.isa13, tx.gs06, tx.st02, body, tx.se.get(1)))
    assert txs == [
        ("835", "005010X221A1", "000000001", "7", "0001", ["BPR", "CLP", "SVC", "LQ"], "6"),
        ("835", "005010X221A1", "000000001", "7", "0002", ["BPR", "CLP", "SVC", "LQ"], "6"),
        ("835", "005010X221A1", "000000002", "7", "0001", ["BPR", "CLP", "SVC", "LQ"], "6"),
    ]
    assert findings == []


def test_elements_path_and_on_demand_segment():
    for tx in iter_transactions(interchange()):
        for elements in tx.elements():
            if elements[0] == "SVC":
                seg = tx.segment(elements)
                assert (seg.position, tx.position) == (6, 6)
                assert seg.components(1)[1] == "99213"


def codes(text: str) -> list[str]:
    findings: list[EnvelopeFinding] = []
    for _tx in iter_transactions(text, "x", findings):
        pass  # unread transactions are drained and still checked
    return [f.code for f in findings]


def test_envelope_counts_and_controls_are_findings():
    text = interchange()
    assert codes(text) == []
    assert codes(text.replace("SE*6*0001", "SE*5*0001")) == ["SE_COUNT"]
    assert codes(text.replace("SE*6*0001", "SE*6*0009")) == ["SE_CONTROL"]
    assert codes(text.replace("GE*1*7", "GE*2*7")) == ["GE_COUNT"]
    assert codes(text.replace("GE*1*7", "GE*1*8")) == ["GE_CONTROL"]
    assert codes(text.replace("IEA*1*000000001", "IEA*3*000000001")) == ["IEA_COUNT"]
    assert codes(text.replace("IEA*1*000000001", "IEA*1*000000002")) == ["IEA_CONTROL"]
    assert codes(text.replace("SE*6*0001~", "")) == ["SE_MISSING"]
    assert codes(text.replace("GE*1*7~", "")) == ["GE_MISSING"]
    assert codes(text.replace("IEA*1*000000001~", "")) == ["IEA_MISSING"]
    assert codes(text + "SE*1*1~") == ["OUTSIDE"]
    assert codes(interchange(sets=2).replace("ST*835*0002", "ST*835*0001")) == [
        "DUPLICATE_CONTROL",
        "SE_CONTROL",
    ]


def test_findings_carry_ids_only():
    findings: list[EnvelopeFinding] = []
    list(iter_transactions(interchange().replace("SE*6*0001", "SE*9*0001"), "r.835", findings))
    (f,) = findings
    assert (f.source, f.code, f.segment_id, f.isa13, f.gs06, f.st02) == (
        "r.835",
        "SE_COUNT",
        "SE",
        "000000001",
        "7",
        "0001",
    )
    assert f.position == 8 and "counted 6" in f.message


def test_segments_outside_transaction_sets_come_as_runs():
    ta1 = (
        interchange()
        .replace(
            interchange()[interchange().index("GS*") : interchange().index("IEA")],
            "TA1*000000009*261127*0930*A*000~",
        )
        .replace("IEA*1*", "IEA*0*")
    )
    runs = [(tx.st, [s.id for s in tx]) for tx in iter_transactions(ta1)]
    assert runs == [(None, ["TA1"])]


def test_segments_after_iea_without_isa_are_refused():
    with pytest.raises(X12ParseError, match="expected ISA"):
        list(iter_transactions(interchange() + "GS*HP*A*B*20261127*0930*8*X*005010X221A1~"))


@pytest.mark.parametrize("damage", ["PLXX*", "*IC*", "C@P*"])
def test_a_segment_with_a_bad_id_is_skipped_with_its_position(damage):
    """One spoiled segment costs that segment, not the file: the transaction reads on,
    the trailers still count it, and a finding says where it was."""
    text = interchange(sets=2)
    broken = text.replace("SVC*", damage, 1)
    findings: list[EnvelopeFinding] = []
    read = [(tx.st02, [s.id for s in tx]) for tx in iter_transactions(broken, "x.835", findings)]
    assert read == [("0001", ["BPR", "CLP", "LQ"]), ("0002", ["BPR", "CLP", "SVC", "LQ"])]
    (finding,) = findings
    assert (finding.code, finding.position, finding.st02) == ("SEGMENT_ID", 6, "0001")
    assert f"segment 6, offset {broken.index(damage)}" in finding.message
    assert "ENC-1" not in finding.message
    with pytest.raises(X12ParseError):  # the segment stream alone stays strict
        list(iter_segments(broken))


@pytest.mark.parametrize(
    "prose", ["A sample 835.\n", "Sample (ISA below)\r\n\r\n", "x" * 5000 + "\n"]
)
def test_text_before_the_first_isa_is_skipped_with_a_finding(prose):
    findings: list[EnvelopeFinding] = []
    read = [[s.id for s in tx] for tx in iter_transactions(prose + interchange(), "x", findings)]
    assert read == [["BPR", "CLP", "SVC", "LQ"]]
    assert [(f.code, f.position) for f in findings] == [("BEFORE_ISA", None)]


@pytest.mark.parametrize("text", ["Dear billing office, no file today.", "GS*HP*A~ST*835*1~"])
def test_text_with_no_isa_is_still_refused(text):
    with pytest.raises(X12ParseError, match="expected an ISA segment"):
        list(iter_transactions(text))
