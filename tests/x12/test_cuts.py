"""The two cuts of a region, segment texts (the default) and columns (the 835's), read
every input alike: the same segments, IDs, positions, offsets, skips and findings."""

from __future__ import annotations

import pytest

from edi.x12 import reader
from edi.x12.delimiters import Delimiters
from edi.x12.reader import X12ParseError, iter_segments, iter_transactions
from tests.x12.test_reader import interchange

PIPES = Delimiters("|", ">", "^", "\n")


def _messy() -> dict[str, str]:
    base = interchange(sets=2)
    return {
        "plain": base,
        "line feeds": base.replace("~", "~\n"),
        "CR LF": base.replace("~", "~\r\n"),
        "line breaks on some segments": base.replace("~B", "~\r\nB").replace("~L", "~\nL"),
        "blank lines": base.replace("~C", "~\n~\r\n  ~~C"),
        "padding before terminators": base.replace("N130~", "N130  ~").replace("~SE", " ~SE"),
        "an ID that is the whole segment, padded": base.replace("LQ*HE*N130~", "LQ*HE*N130~LX  ~"),
        "lower case and a space before an ID": base.replace("LQ", " lq", 1),
        "a space after an ID": base.replace("CLP*", "CLP *", 1),
        "IDs that are not IDs": base.replace("LQ*", "PLXX*", 1).replace("~CLP", "~*IC*1~CLP", 1),
        "an ID after a line break and spaces": base.replace("~SVC", "~\n  SVC"),
        "a long segment ID after a line break": base.replace("~SVC", "~\nABCDE*1~SVC", 1),
        "an empty ID before a separator": base.replace("~LQ", "~\n*X~LQ", 1),
        "whitespace-only segments of four": base.replace("~SE", "~\r\n\r\n~SE", 1),
        "indented segments": base.replace("~", "~\n        "),
        "many sets, a blank line after each segment": interchange(sets=30).replace("~", "~\n~"),
        "odd delimiters": interchange(PIPES, sets=2),
        "odd delimiters and padding": interchange(PIPES, sets=2).replace("N130\n", "N130 \t\n"),
        "non-ASCII text": base.replace("ENC-1", "ENC-é€1").replace("ENC-2", "ÉNC-2"),
        "several interchanges": interchange(isa13=1) + "\n" + interchange(PIPES, isa13=2),
        "an ISA in the middle, same delimiters": base + interchange(isa13=3, sets=1),
        "a trailer missing": base.replace("~SE*6*0001~", "~", 1),
        "no terminator at the end": base.rstrip("~"),
    }


def _read(text: str, columns: bool) -> list:
    findings: list = []
    out = []
    for tx in iter_transactions(text, "x", findings, columns=columns):
        segments = [(s.id, s.elements, s.position, s.offset) for s in tx]
        out.append((tx.code, tx.st02, segments, tx.segment_count, tx.findings))
    return [out, findings]


@pytest.mark.parametrize("chunk", [reader.CHUNK_CHARS, 97, 13])
@pytest.mark.parametrize("name", list(_messy()))
def test_texts_and_columns_read_alike(name, chunk, monkeypatch):
    monkeypatch.setattr(reader, "CHUNK_CHARS", chunk)
    text = _messy()[name]
    assert _read(text, columns=False) == _read(text, columns=True)


@pytest.mark.parametrize("name", list(_messy()))
def test_blocks_and_lists_agree_for_the_engine_and_the_claim_reader(name):
    """What a text block hands the 837 reader and the guide engine (IDs, texts,
    positions, marks) is what a columnar block hands them."""
    text = _messy()[name]
    seen = []
    for columns in (False, True):
        tokens = reader._Tokenizer(text, "x", lambda *skip: None, columns=columns)
        items = []
        for item in tokens.items():
            if type(item) is list:
                items.append(("list", item, tokens.position, tokens.offset))
                continue
            _, sids, positions = item.lists(tokens.vocabulary)
            ids, texts, at = tokens.texts(item)
            marks = tokens.where(item, ("CLP", "LQ"))
            first = tokens.segment_at(item, 0, [sids[0]])
            items.append(
                (sids, list(positions), ids, texts, list(at), marks, first.position, first.offset)
            )
        seen.append(items)
    assert seen[0] == seen[1]


def test_a_bad_id_is_refused_alike_where_the_reader_is_strict():
    text = interchange().replace("LQ*", "~\n*LQ*", 1)
    errors = []
    for columns in (False, True):
        with pytest.raises(X12ParseError) as caught:
            list(reader._Tokenizer(text, "x", columns=columns).elements())
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert "expected a segment ID" in errors[0]


def test_segment_readers_need_no_numpy():
    """Reading segment texts imports neither NumPy nor Arrow (0.2 s of start-up)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from edi.x12.reader import iter_transactions\n"
        "text = sys.stdin.read()\n"
        "print(sum(len(list(tx)) for tx in iter_transactions(text)))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'pyarrow')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=interchange(sets=2),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split("\n")[:2] == ["8", "[]"]  # two sets of 4 segments read


def test_iter_segments_reads_texts():
    assert [s.id for s in iter_segments(_messy()["blank lines"])][:4] == ["ISA", "GS", "ST", "BPR"]
