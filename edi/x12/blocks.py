"""Segments in columns: a stretch of X12 text split once, in Arrow and NumPy, not per segment.

A reader that takes whole columns (the 835's) asks for this cut (``columns``); the others
take segment texts (:mod:`edi.x12.texts`), which need neither NumPy nor Arrow.  The
tokenizer hands the text between two chunk boundaries to :func:`cut_columns`, whose
:func:`split_region` finds every delimiter with one vectorised comparison and makes the
whole text one Arrow string array of *pieces*, without copying: element, delimiter,
element, delimiter..., then two empty pieces (an even count keeps element pieces even
when arrays are joined).  Element ``k`` of the segment whose ID is element ``f`` is
piece ``2 * (f + k)``, so a column of elements is a single ``take`` (an absent element
takes an empty piece) and no pass is needed to cut delimiters off.

A :class:`SegmentBlock` is a run of ordinary segments (no envelope segment inside),
which a columnar consumer such as the 835 reader reads column by column with
:meth:`SegmentBlock.elements`; the reader turns blocks back into element lists for a
consumer of the same file that reads segment by segment (a 999 beside an 835).

Text is handled as UTF-8 bytes; a lone surrogate in a ``str`` input (which decoded bytes
never hold) is read as ``?``, so character positions stay right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyarrow import _compute

from edi.x12.delimiters import Delimiters
from edi.x12.texts import ORDINARY, Spelling


@dataclass(eq=False, slots=True)
class Region:
    """Every complete segment of one stretch of text (which ends with a terminator).

    ``pieces`` holds the text cut at every delimiter, each delimiter a piece of its own,
    and two empty pieces; ``first[i]`` is the element number of segment ``i``'s ID
    (its piece is ``2 * first[i]``) and ``count[i]`` its number of elements.  ``start``
    and ``end`` are byte offsets of each segment's raw text (leading line breaks
    included, terminator excluded).
    """

    text: str
    data: bytes
    base: int
    delimiters: Delimiters
    strip: str
    pieces: pa.LargeStringArray
    first: np.ndarray
    count: np.ndarray
    start: np.ndarray
    end: np.ndarray
    padded: bool
    """Whether some segment has spaces or line breaks before its terminator, which the
    last element must then lose (rare; checked once so the usual case pays nothing)."""
    _chars: np.ndarray | None = None
    _parts: list[str] | None = None
    _starts: list[int] | None = None

    def raw_ids(self) -> pa.DictionaryArray:
        """Each segment's ID as written, and the line break before it, if any, as codes
        into the few distinct spellings (dictionary-encoded).

        The caller strips the line break from each distinct spelling;
        whitespace after the ID goes only when the ID is the whole segment (``LX  ~``).
        """
        ids = _take(self.pieces, _arrow(2 * self.first))
        if self.padded:
            ids = _if_else(_arrow(self.count == 1), _rtrim(ids, self.strip), ids)
        return _compute.call_function("dictionary_encode", [ids])

    def chars(self, offsets: np.ndarray) -> np.ndarray:
        """Character offsets in the source of byte offsets into ``data``."""
        if self._chars is None:
            if len(self.data) == len(self.text):  # ASCII: a byte is a character
                return offsets + self.base
            body = np.frombuffer(self.data, np.uint8)
            continuation = np.cumsum((body & 0xC0) == 0x80)
            self._chars = np.concatenate(([0], continuation))
        return offsets - self._chars[offsets] + self.base

    def raw(self, segment: int) -> str:
        """The raw text of one segment (leading line breaks included, no terminator)."""
        return self.data[self.start[segment] : self.end[segment]].decode()

    def starts(self) -> list[int]:
        """Character offset in the source of every segment's raw text (cached)."""
        if self._starts is None:
            self._starts = self.chars(self.start).tolist()
        return self._starts

    def parts(self) -> list[str]:
        """The raw text of every segment, by segment number (cut once, when first asked)."""
        if self._parts is None:
            self._parts = self.text.split(self.delimiters.segment)
        return self._parts


def _find(body: np.ndarray, pattern: bytes) -> np.ndarray:
    """Byte offsets where ``pattern`` (a delimiter, one to four bytes) starts."""
    hits = np.flatnonzero(body == pattern[0])
    for k in range(1, len(pattern)):  # a multi-byte delimiter: check the following bytes
        hits = hits[hits + k < len(body)]
        hits = hits[body[hits + k] == pattern[k]]
    return hits


def split_region(text: str, base: int, delimiters: Delimiters, strip: str) -> Region:
    """Split ``text`` (complete segments, the last one terminated) into a :class:`Region`.

    ``base`` is the character offset of ``text`` in the source, ``strip`` the whitespace
    a segment may carry around it (every kind but the terminator itself).
    """
    data = text.encode("utf-8", "replace")
    body = np.frombuffer(data, np.uint8)
    sep, term = delimiters.element.encode(), delimiters.segment.encode()
    if len(sep) == len(term) == 1:  # the usual case: one pass finds both, in order
        at = np.flatnonzero((body == sep[0]) | (body == term[0]))
        last = np.flatnonzero(body[at] == term[0])  # element number of each segment's last
        ends = at + 1
    else:
        at_sep, at_term = _find(body, sep), _find(body, term)
        at = np.concatenate((at_sep, at_term))
        ends = np.concatenate((at_sep + len(sep), at_term + len(term)))
        order = np.argsort(at, kind="stable")
        at, ends = at[order], ends[order]
        last = np.searchsorted(at, at_term)
    bounds = np.empty(2 * len(at) + 3, np.int64)  # two empty pieces keep the count even
    bounds[0], bounds[1:-2:2], bounds[2:-2:2], bounds[-2:] = 0, at, ends, len(data)
    pieces = pa.LargeStringArray.from_buffers(
        len(bounds) - 1, pa.py_buffer(bounds), pa.py_buffer(data)
    )
    at_term = at[last]
    first = np.concatenate(([0], last[:-1] + 1))
    before_term = at_term - 1
    padded = bool(_space_bytes(strip)[body[before_term[before_term >= 0]]].any())
    return Region(
        text=text,
        data=data,
        base=base,
        delimiters=delimiters,
        strip=strip,
        pieces=pieces,
        first=first,
        count=last - first + 1,
        start=bounds[2 * first],
        end=at_term,
        padded=padded,
    )


@dataclass(eq=False, slots=True)
class ColumnCut:
    """One region's segments as the tokenizer reads them, in columns: each one's ID code,
    kind and position; ``specials`` are the segments read one by one (envelope segments,
    a new ISA, an ID that is not one), in order.  Blank segments (only whitespace) are
    not counted and belong to no block.  The same questions as
    :class:`edi.x12.texts.TextCut`'s."""

    region: Region
    codes: np.ndarray
    kinds: np.ndarray
    blank: np.ndarray
    positions: np.ndarray
    specials: list[int]

    def __len__(self) -> int:
        return len(self.kinds)

    def position_of(self, at: int) -> int:
        return int(self.positions[at])

    def kind_of(self, at: int) -> int:
        return int(self.kinds[at])

    def code_of(self, at: int) -> int:
        return int(self.codes[at])

    def raw(self, at: int) -> str:
        return self.region.raw(at)

    def start(self, at: int) -> int:
        """Character offset in the source of segment ``at``'s raw text."""
        region = self.region
        return int(region.chars(region.start[at : at + 1])[0])

    def block(self, done: int, at: int) -> SegmentBlock | None:
        """The non-blank segments from ``done`` up to ``at``, or None if there are none."""
        rows = np.flatnonzero(~self.blank[done:at]) + done
        if not len(rows):
            return None
        return SegmentBlock.of(self.region, rows, self.codes, self.positions)


def cut_columns(
    text: str,
    base: int,
    delimiters: Delimiters,
    strip: str,
    position: int,
    spelling: Spelling,
) -> ColumnCut:
    """Cut ``text`` (complete segments, the last one terminated) into a :class:`ColumnCut`.

    ``position`` is that of the segment before it; ``spelling`` answers the code and kind
    of each distinct ID spelling (leading whitespace stripped), asked once per spelling.
    """
    region = split_region(text, base, delimiters, strip)
    spellings = region.raw_ids()
    words = [word.lstrip(strip) for word in spellings.dictionary.to_pylist()]
    answers = np.array([spelling(word) for word in words], np.int64).reshape(-1, 2)
    index = numpy_ints(spellings.indices)
    codes, kinds = answers[:, 0].astype(np.uint16)[index], answers[index, 1]  # < 36**3 IDs
    blank = np.array([word == "" for word in words], bool)[index] & (region.count == 1)
    positions = position + np.cumsum(~blank)
    specials = np.flatnonzero((kinds != ORDINARY) & ~blank).tolist()
    return ColumnCut(region, codes, kinds, blank, positions, specials)


# The Arrow kernels used here, called by name: ``pyarrow.compute`` wraps each of
# its ~290 kernels in a Python function when imported, about 0.2 G instructions (40 ms)
# of start-up for every command that reads X12, which needs only these.


def _take(values: pa.Array, indices: pa.Array) -> pa.Array:
    """``pyarrow.compute.take``: the items of ``values`` at ``indices``."""
    return _compute.call_function("take", [values, indices])


def _if_else(condition: pa.Array, then: pa.Array, otherwise: pa.Array) -> pa.Array:
    """``pyarrow.compute.if_else``."""
    return _compute.call_function("if_else", [condition, then, otherwise])


def _rtrim(strings: pa.Array, characters: str) -> pa.Array:
    """``pyarrow.compute.utf8_rtrim``: ``characters`` cut off the end of each string."""
    return _compute.call_function("utf8_rtrim", [strings], _compute.TrimOptions(characters))


def _arrow(values: np.ndarray) -> pa.Array:
    """A NumPy column of integers or booleans as an Arrow array, wrapping its buffer.

    Not ``pa.array`` (nor a NumPy argument to a ``pyarrow.compute`` function, which goes
    through it): that converter first asks pandas whether the column is a Series, which
    imports pandas, about 0.3 s of start-up for commands that never use it.
    """
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    data = np.ascontiguousarray(values, np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def numpy_ints(array: pa.Array) -> np.ndarray:
    """An Arrow integer array without nulls (a dictionary's indices) as NumPy, a view of
    its buffer: ``Array.to_numpy`` goes through Arrow's pandas conversion, which imports
    pandas (see :func:`_arrow`)."""
    values = np.frombuffer(array.buffers()[1], np.dtype(f"int{array.type.bit_width}"))
    return values[array.offset : array.offset + len(array)]


def _space_bytes(strip: str) -> np.ndarray:
    """A table of the 256 byte values: true for the last byte of a character in ``strip``."""
    table = np.zeros(256, bool)
    table[[c.encode()[-1] for c in strip]] = True
    return table


@dataclass(eq=False, slots=True)
class SegmentBlock:
    """A run of ordinary segments (no envelope segment), read as columns.

    ``rows`` index the segments of ``region`` (which is None once blocks are joined);
    ``ids`` are their IDs as codes into the reader's ``vocabulary`` (upper-cased,
    checked) and ``positions`` their 1-based positions in the file.  ``pieces`` are as
    in :class:`Region`, ``empty`` the number of an empty piece.  Blocks of several
    regions are joined by :meth:`concat`.
    """

    region: Region | None
    rows: np.ndarray
    pieces: pa.LargeStringArray
    empty: int
    first: np.ndarray
    count: np.ndarray
    ids: np.ndarray
    positions: np.ndarray
    padded: bool
    strip: str

    def __len__(self) -> int:
        return len(self.ids)

    def lists(self, vocabulary: list[str]) -> tuple[list[int], list[str], list[int]]:
        """``rows``, the segment IDs (``ids`` looked up in the reader's ``vocabulary``) and
        ``positions`` as lists, for readers of each segment's text (as
        :meth:`edi.x12.texts.TextBlock.lists`)."""
        sids = list(map(vocabulary.__getitem__, self.ids.tolist()))
        return self.rows.tolist(), sids, self.positions.tolist()

    @classmethod
    def of(cls, region: Region, rows: np.ndarray, ids: np.ndarray, positions: np.ndarray):
        return cls(
            region,
            rows,
            region.pieces,
            len(region.pieces) - 1,
            region.first[rows],
            region.count[rows],
            ids[rows],
            positions[rows],
            region.padded,
            region.strip,
        )

    @classmethod
    def concat(cls, blocks: Sequence[SegmentBlock]) -> SegmentBlock:
        """One block of the segments of ``blocks``, in order (regions' pieces joined)."""
        if len(blocks) == 1:
            return blocks[0]
        arrays: list[pa.Array] = []
        where: dict[int, int] = {}  # piece number where each distinct array starts
        size = 0
        firsts = []
        for block in blocks:
            key = id(block.pieces)
            if key not in where:
                where[key] = size
                size += len(block.pieces)
                arrays.append(block.pieces)
            firsts.append(block.first + where[key] // 2)
        return cls(
            None,
            np.arange(sum(len(b) for b in blocks)),
            pa.concat_arrays(arrays),
            where[id(blocks[0].pieces)] + blocks[0].empty,
            np.concatenate(firsts),
            np.concatenate([b.count for b in blocks]),
            np.concatenate([b.ids for b in blocks]),
            np.concatenate([b.positions for b in blocks]),
            any(b.padded for b in blocks),
            "".join(sorted({c for b in blocks for c in b.strip})),
        )

    def element(self, rows: np.ndarray, k: int) -> pa.LargeStringArray:
        """Element ``k`` (1-based like the guides) of the segments ``rows``; '' if absent."""
        return self.elements(rows, (k,))[0]

    def elements(self, rows: np.ndarray, ks: Sequence[int]) -> list[pa.LargeStringArray]:
        """Elements ``ks`` of the segments ``rows``, one column each; '' where absent.

        One take cuts them all, column after column; each column is a slice of it.
        """
        first, count = self.first[rows], self.count[rows]
        want = np.asarray(ks, np.int64)[:, None]
        index = 2 * (first + want)
        if len(rows) and count.min() <= want.max():  # some are absent: the empty piece
            index[want >= count] = self.empty
        n = len(rows)
        taken = _take(self.pieces, _arrow(index.ravel()))
        columns = [taken.slice(j * n, n) for j in range(len(ks))]
        if self.padded:  # the last element keeps no whitespace before the terminator
            columns = [
                _if_else(_arrow(count == k + 1), _rtrim(column, self.strip), column)
                for k, column in zip(ks, columns, strict=True)
            ]
        return columns

    def pick(self, rows: np.ndarray, ks: np.ndarray | int) -> pa.LargeStringArray:
        """Element ``ks[i]`` of segment ``rows[i]`` (or ``ks`` of all); '' where absent.

        A CAS's second reason, an MOA's third remark: rows and element numbers come in
        pairs, in the order the caller wants the values, and one take cuts them.
        """
        first, count = self.first[rows], self.count[rows]
        index = 2 * (first + ks)
        if len(rows) and count.min() <= np.max(ks):  # some are absent: the empty piece
            index[ks >= count] = self.empty
        column = _take(self.pieces, _arrow(index))
        if self.padded:  # the last element keeps no whitespace before the terminator
            column = _if_else(_arrow(count == ks + 1), _rtrim(column, self.strip), column)
        return column

    def tails(self, rows: np.ndarray) -> pa.LargeStringArray:
        """The text after the ID of the segments ``rows``: ``e1*e2*...`` as written.

        A segment's pieces lie end to end, so its tail is one range of the pieces' data:
        an array over the same data with two offsets per segment (every other entry is
        the gap up to the next segment) holds the tails without a copy, and taking its
        even entries copies each once.
        """
        if not len(rows):
            return pa.array([], pa.large_string())
        pieces = self.pieces
        offsets = np.frombuffer(pieces.buffers()[1], np.int64)[
            pieces.offset : pieces.offset + len(pieces) + 1
        ]
        first, count = self.first[rows], self.count[rows]
        bounds = np.empty(2 * len(rows), np.int64)
        bounds[0::2] = offsets[2 * (first + 1)]  # where element 1 starts
        bounds[1::2] = np.maximum(offsets[2 * (first + count) - 1], bounds[0::2])  # its end
        spans = pa.LargeStringArray.from_buffers(
            len(bounds) - 1, pa.py_buffer(bounds), pieces.buffers()[2]
        )
        tails = _take(spans, _arrow(np.arange(0, len(bounds), 2)))
        return _rtrim(tails, self.strip) if self.padded else tails

    def elements_of(self, row: int) -> list[str]:
        """The element list of one segment, ID as written (for the few read one by one)."""
        first, count = int(self.first[row]), int(self.count[row])
        elements = self.pieces.slice(2 * first, 2 * count).to_pylist()[0::2]
        elements[0] = elements[0].lstrip(self.strip)
        elements[-1] = elements[-1].rstrip(self.strip)
        return elements
