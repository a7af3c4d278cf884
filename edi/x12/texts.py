"""Segments as texts: a stretch of X12 text cut at its terminators, for readers that take
each segment's text (the 837 reader, the guide engine, element lists).

The columnar cut (:mod:`edi.x12.blocks`) splits every element at once with NumPy into
Arrow arrays, which pays where a reader takes whole columns (the 835); a reader that
takes each segment's text would turn those columns straight back into lists.  This cut
makes the lists outright: ``str.split`` at the terminator, each segment's first few
characters as its key, and Python per distinct key, not per segment (see
:func:`cut_texts`).  It needs neither NumPy nor Arrow, whose import is a tenth of a
second of every command's start-up.

Both cuts answer the tokenizer the same questions (see :class:`TextCut`), so it reads
either the same way.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import itemgetter

from edi.x12.delimiters import Delimiters

ORDINARY, ENVELOPE, NEW_ISA, NOT_AN_ID = range(4)
"""What a segment ID spelling is, as the tokenizer's ``spelling`` answers it: an ordinary
segment's, an envelope segment's, an ISA (the next interchange: its own delimiters
decide), or no ID at all."""


@dataclass(eq=False, slots=True)
class TextRegion:
    """Every complete segment of one stretch of text (which ends with a terminator).

    ``segments`` are their raw texts, by segment number (leading line breaks included,
    terminator excluded); ``padded`` says whether some segment has whitespace before its
    terminator, which its last element must then lose.
    """

    base: int
    delimiters: Delimiters
    strip: str
    segments: list[str]
    padded: bool
    _starts: list[int] | None = None

    def parts(self) -> list[str]:
        """The raw text of every segment, by segment number."""
        return self.segments

    def starts(self) -> list[int]:
        """Character offset in the source of every segment's raw text (cached)."""
        if self._starts is None:
            step = len(self.delimiters.segment)
            lengths = [len(part) + step for part in self.segments]
            self._starts = list(accumulate(lengths[:-1], initial=self.base))
        return self._starts


@dataclass(eq=False, slots=True)
class TextBlock:
    """A run of ordinary segments (no envelope segment): ``rows`` index the segments of
    ``region``; ``sids`` are their IDs (upper-cased, checked) and ``positions`` their
    1-based positions in the file (ranges when no blank segment lies among them)."""

    region: TextRegion
    rows: Sequence[int]
    sids: list[str]
    positions: Sequence[int]

    def lists(self, vocabulary: list[str]) -> tuple[Sequence[int], list[str], Sequence[int]]:
        """``rows``, ``sids`` and ``positions`` (as :meth:`SegmentBlock.lists`)."""
        return self.rows, self.sids, self.positions


Spelling = Callable[[str], tuple[int, int]]
"""The tokenizer's answer for one ID spelling (leading whitespace stripped): its code in
the vocabulary and its kind (ordinary, envelope, a new ISA, not an ID)."""

_BLANK = -1
"""The kind of a segment of nothing but whitespace (or nothing): not counted, not read."""
_KEY = 4
"""A segment's key is its first four characters, which hold the separator after any ID
of 2-3 characters, and as many more as the line break a file writes after each
terminator (see :func:`cut_texts`)."""
_LINE_BREAK = 2
"""The longest line break a key makes room for (CR LF)."""
_last = itemgetter(slice(-1, None))


@dataclass(eq=False, slots=True)
class TextCut:
    """One region's segments as the tokenizer reads them: each one's key (see
    :func:`cut_texts`), what each distinct key is, and each one's position; ``specials``
    are the segments read one by one (envelope segments, a new ISA, an ID that is not
    one), in order.  Blank segments are not counted and belong to no block."""

    region: TextRegion
    keys: list[str]
    answers: dict[str, tuple[int, int]]
    """Each distinct key's code and kind."""
    sid_of: dict[str, str]
    """Each distinct key's segment ID (upper-cased)."""
    blanks: list[int]
    first_position: int
    specials: list[int]
    _passed: int = 0
    """The segment :meth:`start` last answered for, and its offset: the tokenizer asks for
    the specials in order, so each answer adds only the segments since the last one."""
    _offset: int = -1
    _blank: frozenset[int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def position_of(self, at: int) -> int:
        return self.first_position + at - bisect_left(self.blanks, at)

    def kind_of(self, at: int) -> int:
        return self.answers[self.keys[at]][1]

    def code_of(self, at: int) -> int:
        return self.answers[self.keys[at]][0]

    def raw(self, at: int) -> str:
        return self.region.segments[at]

    def start(self, at: int) -> int:
        """Character offset in the source of segment ``at``'s raw text."""
        region = self.region
        if region._starts is not None:
            return region._starts[at]
        passed, offset = self._passed, self._offset
        if offset < 0 or at < passed:  # the first asked (or, never so far, an earlier one)
            passed, offset = 0, region.base
        offset += sum(map(len, region.segments[passed:at])) + (at - passed) * len(
            region.delimiters.segment
        )
        self._passed, self._offset = at, offset
        return offset

    def block(self, done: int, at: int) -> TextBlock | None:
        """The non-blank segments from ``done`` up to ``at``, or None if there are none."""
        sid_of = self.sid_of
        if not self.blanks or self.blanks[-1] < done or self.blanks[0] >= at:
            if done == at:
                return None
            first = self.position_of(done)
            return TextBlock(
                self.region,
                range(done, at),
                list(map(sid_of.__getitem__, self.keys[done:at])),
                range(first, first + at - done),
            )
        if self._blank is None:  # made once: a region has a block per special segment
            self._blank = frozenset(self.blanks)
        skip = self._blank
        rows = [row for row in range(done, at) if row not in skip]
        if not rows:
            return None
        keys, position = self.keys, self.position_of
        return TextBlock(
            self.region, rows, [sid_of[keys[r]] for r in rows], [position(r) for r in rows]
        )


def cut_texts(
    text: str, base: int, delimiters: Delimiters, strip: str, position: int, spelling: Spelling
) -> TextCut:
    """Cut ``text`` (complete segments, the last one terminated) into a :class:`TextCut`.

    ``base`` is the character offset of ``text`` in the source, ``strip`` the whitespace
    a segment may carry around it, ``position`` that of the segment before it.

    A segment is known by a key, and what a key is (its ID, or a blank) is worked out
    once per distinct key.  The key is the segment's first characters, no list made per
    segment in Python: four, and as many more as the line break before the region's
    second segment (a file writes the same after each terminator, or none).  Where
    those say too little (an ID after another line break, or longer than three
    characters), the key is the text before the separator, or the whole segment
    stripped of whitespace when it has none.
    """
    sep, term = delimiters.element, delimiters.segment
    segments = text.split(term)
    segments.pop()  # the text ends with a terminator: nothing follows it
    padded = not set(map(_last, segments)).isdisjoint(strip)
    region = TextRegion(base, delimiters, strip, segments, padded)
    size = _KEY
    if len(segments) > 1:  # a line break, not indentation: longer keys would all differ
        second = segments[1]
        size += min(len(second) - len(second.lstrip(strip)), _LINE_BREAK)
    keys = list(map(itemgetter(slice(0, size)), segments))
    distinct = set(keys)
    unsure = {key for key in distinct if len(key) == size and sep not in key}
    if unsure:
        distinct -= unsure
        for i, key in enumerate(keys):
            if key in unsure:
                segment = segments[i]
                end = segment.find(sep)
                key = keys[i] = segment.strip(strip) if end < 0 else segment[:end]
                distinct.add(key)
    answers, sid_of = {}, {}
    for key in distinct:
        end = key.find(sep)
        if end >= 0:  # an ID (or none) before the separator: the whitespace after it counts
            word = key[:end].lstrip(strip)
        elif len(key) < size:  # the whole segment: whitespace around it does not
            word = key.strip(strip)
            if not word:
                answers[key] = (-1, _BLANK)
                continue
        else:  # the text before the separator, or a whole segment already stripped
            word = key.lstrip(strip)
        answers[key] = spelling(word)
        sid_of[key] = word.upper()
    blanks = _where(keys, {key for key, (_, kind) in answers.items() if kind == _BLANK})
    special = {key for key, (_, kind) in answers.items() if kind not in (ORDINARY, _BLANK)}
    return TextCut(region, keys, answers, sid_of, blanks, position + 1, _where(keys, special))


def _where(keys: list[str], wanted: set[str]) -> list[int]:
    """The numbers of the segments whose key is wanted, in order (few, usually none)."""
    found = []
    for key in wanted:
        at = -1
        try:
            while True:
                at = keys.index(key, at + 1)
                found.append(at)
        except ValueError:
            pass
    return sorted(found)
