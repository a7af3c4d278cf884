"""Stream any X12 file as segments, and as transaction sets inside their envelopes.

One reader serves every kind (837, 999, TA1, 277CA, 835): it never builds a tree and never
holds more than one chunk of the file, so a remittance of hundreds of MB costs what its
tables cost.  Each chunk is cut at once, either at its terminators into segment texts
(:mod:`edi.x12.texts`, the default) or, for a reader that takes whole columns (the 835),
at every delimiter into columns (:mod:`edi.x12.blocks`); readers take the segments as
blocks of either kind, as element lists or as :class:`Segment` objects made from them.
Delimiters come from each ISA, because one file may carry several interchanges written
by different systems.  Real files are messy, so a byte order mark, CR/LF or blank lines
between segments and lower-case segment IDs are accepted; anything that is not X12
raises :class:`X12ParseError`, which names the file, the segment position, the
character offset and what was expected.

Files from other systems carry damage that spoils one segment, not the file: in
:func:`iter_transactions`, a segment whose ID is not an ID (``PLXX*...``, ``*IC*...``) is
skipped, and text before the first ISA (a fixture's prose header) too, each with a
positioned :class:`EnvelopeFinding`; :func:`iter_segments` stays strict and raises.

Envelope mistakes (SE01 count, SE02/GE02/IEA02 control numbers, GE01/IEA01 counts, a
missing trailer) are not parse errors: :func:`iter_transactions` reports them as
:class:`EnvelopeFinding` records, since a file with a wrong SE01 still carries claims a
biller must see.

Offsets are counted in characters of the decoded text (bytes are decoded as UTF-8 with
replacement; a BOM is skipped and counted).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, count
from typing import IO, TYPE_CHECKING, Protocol

from edi.x12.delimiters import Delimiters
from edi.x12.texts import ENVELOPE, NEW_ISA, NOT_AN_ID, ORDINARY, TextBlock, TextRegion, cut_texts

if TYPE_CHECKING:
    from edi.x12.blocks import Region, SegmentBlock

CHUNK_CHARS = 1 << 20
"""Characters read per chunk: large enough that ``str.split`` dominates, small for memory."""

_ISA_ELEMENTS = 16
_WHITESPACE = " \t\r\n\x0b\x0c\ufeff"


class X12ParseError(ValueError):
    """The documented parse error: the input is not X12 (or stops being X12).

    ``source`` is the file name (or ``'<input>'``), ``position`` the 1-based index of the
    offending segment, ``offset`` its character offset, ``segment_id`` its ID when one
    could be read, ``reason`` what was expected.  Messages carry no element values beyond
    the segment ID, so no PHI reaches a log through them.
    """

    def __init__(
        self,
        source: str,
        reason: str,
        position: int | None = None,
        offset: int | None = None,
        segment_id: str | None = None,
    ) -> None:
        self.source = source
        self.position = position
        self.offset = offset
        self.segment_id = segment_id
        self.reason = reason
        location = ""
        if position is not None:
            location += f" segment {position}"
            if segment_id:
                location += f" ({segment_id})"
        if offset is not None:
            location += f" at offset {offset}"
        super().__init__(f"{source}:{location}: {reason}" if location else f"{source}: {reason}")

    def __reduce__(self):  # keep the attributes when sent between processes
        return (
            type(self),
            (self.source, self.reason, self.position, self.offset, self.segment_id),
        )


@dataclass(slots=True)
class Segment:
    """One segment as read: ``elements[0]`` is the ID, so ``get(1)`` is e.g. CLM01."""

    id: str
    elements: list[str]
    position: int
    offset: int
    delimiters: Delimiters

    def get(self, index: int, default: str = "") -> str:
        """Element ``index`` (1-based like the guides), or ``default`` when absent or empty."""
        elements = self.elements
        if index < len(elements):
            return elements[index] or default
        return default

    def components(self, index: int) -> list[str]:
        """Element ``index`` split on the interchange's component separator ([] if absent)."""
        value = self.get(index)
        return value.split(self.delimiters.component) if value else []

    def component(self, index: int, sub: int, default: str = "") -> str:
        """Component ``sub`` (1-based) of element ``index``, e.g. ``component(1, 2)`` = SVC01-2."""
        parts = self.components(index)
        if sub <= len(parts):
            return parts[sub - 1] or default
        return default

    def repetitions(self, index: int) -> list[str]:
        """Element ``index`` split on the repetition separator (ISA11); [] if absent."""
        value = self.get(index)
        if not value:
            return []
        rep = self.delimiters.repetition
        return value.split(rep) if rep else [value]


@dataclass(frozen=True, slots=True)
class EnvelopeFinding:
    """An envelope mistake that does not stop reading (wrong count, mismatched trailer).

    ``code`` is stable and machine-readable (see :data:`ENVELOPE_CODES`); ``message`` is
    plain English without element values other than control numbers and counts.
    """

    source: str
    code: str
    message: str
    position: int | None
    segment_id: str | None
    isa13: str = ""
    gs06: str = ""
    st02: str = ""


ENVELOPE_CODES = {
    "SE_COUNT": "SE01 does not equal the number of segments from ST to SE",
    "SE_CONTROL": "SE02 does not equal ST02",
    "SE_MISSING": "transaction set ended without SE",
    "GE_COUNT": "GE01 does not equal the number of transaction sets in the group",
    "GE_CONTROL": "GE02 does not equal GS06",
    "GE_MISSING": "functional group ended without GE",
    "IEA_COUNT": "IEA01 does not equal the number of functional groups in the interchange",
    "IEA_CONTROL": "IEA02 does not equal ISA13",
    "IEA_MISSING": "interchange ended without IEA",
    "OUTSIDE": "segment outside any transaction set",
    "DUPLICATE_CONTROL": "control number repeated in the same envelope",
    "SEGMENT_ID": "segment skipped: its ID is not 2-3 letters or digits",
    "BEFORE_ISA": "text before the first ISA skipped",
}
"""Every :class:`EnvelopeFinding` code and what it means."""


# -- segment stream ---------------------------------------------------------------------

Source = str | bytes | bytearray | IO[str] | IO[bytes] | Iterable[str]


def _chunks(source: Source) -> Iterator[str]:
    """Yield the decoded text of ``source`` in pieces of about :data:`CHUNK_CHARS`."""
    if isinstance(source, str):
        for start in range(0, len(source), CHUNK_CHARS):
            yield source[start : start + CHUNK_CHARS]
        return
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    if hasattr(source, "read"):
        decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        while True:
            data = source.read(CHUNK_CHARS)
            if not data:
                break
            yield decoder.decode(data) if isinstance(data, bytes | bytearray) else data
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail
        return
    yield from source  # an iterable of str pieces, e.g. lines of a text file


def _repetition(isa11: str) -> str:
    """The repetition separator ISA11 names, or '' for 4010's standards ID ``U``."""
    if len(isa11) != 1 or isa11.isalnum() or isa11 in _WHITESPACE:
        return ""
    return isa11


def _same_isa(raw: str, elements: list[str], delims: Delimiters) -> bool:
    """Whether a segment split with ``delims`` is an ISA declaring those same delimiters."""
    return (
        len(elements) == _ISA_ELEMENTS + 1
        and raw.upper() == "ISA"
        and elements[16] == delims.component
        and _repetition(elements[11]) == delims.repetition
    )


def _offset(start: int, raw: str) -> int:
    """Character offset of a segment whose raw text ``raw`` starts at ``start``: where its
    ID starts, after the line breaks before it."""
    return start + len(raw) - len(raw.lstrip(_WHITESPACE))


def _is_id(text: str) -> bool:
    return 2 <= len(text) <= 3 and text.isascii() and text.isalnum() and text[0].isalpha()


_PROSE_CHARS = 1 << 16
"""How much text before the first ISA is skipped (with a finding) rather than refused."""
_ISA_START = re.compile(r"(?:^|(?<=\s))ISA(?=[^0-9A-Za-z\s])")

Skipped = Callable[[str, int | None, int], None]
"""Told of what the tokenizer skips: (code of :data:`ENVELOPE_CODES`, position, offset)."""


class _Tokenizer:
    """Cut the input into regions of whole segments and read each region at once.

    Per chunk, the text up to its last terminator is cut by
    :func:`edi.x12.texts.cut_texts`, or with ``columns`` by
    :func:`edi.x12.blocks.cut_columns`; IDs are checked and upper-cased once per distinct
    spelling.  :meth:`items` yields the ordinary segments as blocks
    (:class:`~edi.x12.texts.TextBlock` or :class:`~edi.x12.blocks.SegmentBlock` runs)
    and the envelope segments (ISA, GS, ST, SE, GE, IEA) as element lists, which is
    what the envelope walker needs;
    :meth:`elements` yields element lists only.  ``position``, ``offset`` and
    ``delimiters`` describe the item last yielded (for a block: its last segment).
    With ``skipped``, a segment whose ID is not one and text before the first ISA are
    skipped and reported to it; without, they raise :class:`X12ParseError`.
    """

    def __init__(
        self, source: Source, name: str, skipped: Skipped | None = None, columns: bool = False
    ) -> None:
        self.name = name
        self.skipped = skipped
        if columns:  # NumPy and Arrow: about 0.2 s of start-up, for column readers only
            from edi.x12.blocks import cut_columns

            self._cut = cut_columns
        else:
            self._cut = cut_texts
        self._chunks = _chunks(source)
        self._ids: dict[str, str] = {}  # spelling -> upper-cased ID, checked
        self.vocabulary: list[str] = []  # the IDs a block's ``ids`` codes stand for
        self._codes: dict[str, int] = {}
        self.position = 0
        self.delimiters = Delimiters()
        self._start = 0  # offset of the raw text of the segment last yielded
        self._raw = ""  # that raw text, line breaks before it included
        self._source_region: TextRegion | Region | None = None  # and the segment it is in
        self._row = -1

    def _error(self, reason: str, position: int | None, offset: int | None, sid=None):
        return X12ParseError(self.name, reason, position, offset, sid)

    def code(self, sid: str) -> int:
        """The code of segment ID ``sid`` in blocks' ``ids`` (stable for this reader)."""
        code = self._codes.get(sid)
        if code is None:
            code = self._codes[sid] = len(self.vocabulary)
            self.vocabulary.append(sid)
        return code

    def _read_isa(self, buf: str, base: int, position: int) -> tuple[str, int, Delimiters, int]:
        """Find the ISA at the start of ``buf`` (after whitespace) and its delimiters.

        Returns the buffer (extended with more chunks when needed), the index where
        the ISA starts, the delimiters and the index just after its terminator.
        """
        while True:
            start = len(buf) - len(buf.lstrip(_WHITESPACE))
            if len(buf) - start >= 4:
                break
            more = next(self._chunks, None)
            if more is None:
                break
            buf += more
        if buf[start : start + 3].upper() != "ISA" and position == 1 and self.skipped:
            buf, start = self._skip_prose(buf, start)
        if buf[start : start + 3].upper() != "ISA" or len(buf) < start + 4:
            seen = "the end of the input" if start >= len(buf) else "something else"
            raise self._error(f"expected an ISA segment, found {seen}", position, base + start)
        sep = buf[start + 3]
        if sep.isalnum() or sep in _WHITESPACE:
            raise self._error(
                "ISA element separator must not be a letter, digit or space",
                position,
                base + start,
                "ISA",
            )
        # ISA16 follows the 16th separator; the terminator is the next character.  Counting
        # separators instead of assuming 106 fixed columns accepts unpadded ISAs.
        while True:
            pos = start
            for _ in range(_ISA_ELEMENTS):
                pos = buf.find(sep, pos + 1, start + 400)
                if pos < 0:
                    break
            if pos >= 0 and len(buf) >= pos + 3:
                break
            more = next(self._chunks, None)
            if more is None or len(buf) - start > 400:
                raise self._error(
                    "ISA must have 16 elements followed by the segment terminator",
                    position,
                    base + start,
                    "ISA",
                )
            buf += more
        component, terminator = buf[pos + 1], buf[pos + 2]
        repetition = _repetition(buf[start:pos].split(sep)[11])
        specials = [sep, component, terminator] + ([repetition] if repetition else [])
        if (
            len(set(specials)) != len(specials)
            or component.isalnum()
            or component in _WHITESPACE
            or terminator.isalnum()
            or terminator == " "
        ):
            raise self._error(
                "ISA separators must be distinct and neither letters, digits nor spaces",
                position,
                base + start,
                "ISA",
            )
        return buf, start, Delimiters(sep, component, repetition, terminator), pos + 3

    def _skip_prose(self, buf: str, start: int) -> tuple[str, int]:
        """Skip the text before the input's first ISA, if one starts a line soon enough.

        Returns the buffer (extended with more chunks when needed) and where the ISA
        starts, or ``start`` unchanged when there is none (the caller then refuses).
        """
        while True:
            found = _ISA_START.search(buf, start, start + _PROSE_CHARS)
            if found or len(buf) - start >= _PROSE_CHARS:
                break
            more = next(self._chunks, None)
            if more is None:
                break
            buf += more
        if found is None or self.skipped is None:
            return buf, start
        self.skipped("BEFORE_ISA", None, start)
        return buf, found.start()

    @property
    def offset(self) -> int:
        """Character offset of the segment last yielded, leading line breaks skipped.

        Computed on demand: most segments never need it, and the hot loop should not pay.
        """
        if self._row >= 0:  # a segment of a block read as lists: found when asked
            region, row = self._source_region, self._row
            self._start, self._raw, self._row = region.starts()[row], region.parts()[row], -1
        return _offset(self._start, self._raw)

    def segment(self, elements: list[str]) -> Segment:
        """The :class:`Segment` of ``elements``, the element list last yielded."""
        return Segment(elements[0], elements, self.position, self.offset, self.delimiters)

    def texts(self, block: TextBlock | SegmentBlock) -> tuple[list[str], list[str], Sequence[int]]:
        """The IDs, texts and positions of ``block``'s segments, for a reader that keys
        what it learns by a segment's text and splits only the segments it must.

        A text is as written, line breaks before it included (stripped of the whitespace
        before its terminator when the region has some), so ``text.split(separator)`` is
        the segment's element list but for ``[0]``, which is its ID.  No list is made per
        segment, and no generator stands between the segments and the reader's loop.
        """
        region = block.region
        rows, sids, positions = block.lists(self.vocabulary)
        parts = region.parts()
        first, last = rows[0], rows[-1]
        if last - first == len(rows) - 1:  # no blank line among them: one slice
            texts = parts[first : last + 1]
        else:
            texts = list(map(parts.__getitem__, rows))
        if region.padded:
            strip = region.strip
            texts = [text.strip(strip) for text in texts]
        return sids, texts, positions

    def where(self, block: TextBlock | SegmentBlock, sids: Iterable[str]) -> list[int]:
        """The indexes in ``block`` of its segments whose ID is one of ``sids``, in order."""
        wanted = set(sids)
        return list(compress(count(), map(wanted.__contains__, block.lists(self.vocabulary)[1])))

    def segment_at(
        self, block: TextBlock | SegmentBlock, index: int, elements: list[str]
    ) -> Segment:
        """The :class:`Segment` of segment ``index`` of ``block``, whose element list is
        ``elements`` (for the few a reader of :meth:`texts` needs as objects)."""
        region, (rows, _, positions) = block.region, block.lists(self.vocabulary)
        offset = _offset(region.starts()[rows[index]], region.parts()[rows[index]])
        return Segment(elements[0], elements, positions[index], offset, region.delimiters)

    def elements(self) -> Iterator[list[str]]:
        """Yield each segment's element list (``[0]`` the upper-cased ID)."""
        for item in self.items():
            if type(item) is list:
                yield item
            else:
                yield from self.expand(item)

    def expand(self, block: TextBlock | SegmentBlock) -> Iterator[list[str]]:
        """The element lists of ``block``, ``position`` and ``offset`` following along."""
        region = self._source_region = block.region
        sep, strip, parts = region.delimiters.element, region.strip, region.parts()
        padded = region.padded  # else whitespace around a segment can only be before its
        rows, sids, positions = block.lists(self.vocabulary)  # ID, replaced anyway
        for row, position, sid in zip(rows, positions, sids, strict=True):
            elements = (parts[row].strip(strip) if padded else parts[row]).split(sep)
            elements[0] = sid
            self.position, self._row = position, row
            yield elements

    def items(self) -> Iterator[TextBlock | SegmentBlock | list[str]]:
        """Yield blocks of ordinary segments and element lists of envelope segments."""
        chunks = self._chunks
        buf = next(chunks, "")
        base = 0  # source offset of buf[0]
        while True:
            # -- an interchange starts: take its delimiters from the ISA -----------------
            buf, start, delims, end = self._read_isa(buf, base, self.position + 1)
            self.delimiters = delims
            term = delims.segment
            strip = _WHITESPACE.replace(term, "")
            elements = buf[start : end - 1].split(delims.element)
            elements[0] = "ISA"
            self.position += 1
            self._start, self._raw, self._row = base + start, "", -1
            yield elements
            base += end
            buf = buf[end:]
            # -- the segments that follow, a region of whole segments per chunk ---------
            restart = None
            while True:
                cut = buf.rfind(term) + 1
                if cut:
                    restart = yield from self._region(buf[:cut], base, delims, strip)
                    if restart is not None:  # a new interchange, perhaps other delimiters
                        buf, base = buf[restart:], base + restart
                        break
                    buf, base = buf[cut:], base + cut
                more = next(chunks, None)
                if more is None:
                    break
                buf += more
            if restart is not None:
                continue
            # -- end of input: a last segment may lack its terminator -------------------
            text = buf.strip(strip)
            if not text:
                return
            if text[:3].upper() == "ISA":
                lead = len(buf) - len(buf.lstrip(strip))
                buf, base = buf[lead:], base + lead
                continue  # _read_isa explains what is wrong with a truncated ISA
            yield from self._region(buf + term, base, delims, strip)
            return

    def _spelling(self, spelling: str) -> tuple[int, int]:
        """The code and kind of one ID spelling (:data:`edi.x12.texts.ORDINARY` or another)."""
        sid = self._ids.get(spelling)
        if sid is None:
            if spelling.upper() == "ISA" or (
                spelling[:3].upper() == "ISA" and len(spelling) > 3 and not spelling[3].isalnum()
            ):
                return -1, NEW_ISA  # the next interchange: its ISA decides
            if not _is_id(spelling):
                return -1, NOT_AN_ID
            sid = self._ids[spelling] = spelling.upper()
        return self.code(sid), ENVELOPE if sid in ENVELOPE_IDS else ORDINARY

    def _region(
        self, text: str, base: int, delims: Delimiters, strip: str
    ) -> Generator[TextBlock | SegmentBlock | list[str], None, int | None]:
        """Yield the segments of ``text``; return where a new interchange starts, if one does.

        Envelope segments, an ISA and a bad ID are handled one by one, exactly as a
        segment-at-a-time reader would; the runs between them go out as blocks.
        """
        cut = self._cut(text, base, delims, strip, self.position, self._spelling)
        done = 0
        for at in [*cut.specials, len(cut)]:
            block = cut.block(done, at)
            if block is not None:
                self.position = int(block.positions[-1])
                yield block
            if at == len(cut):
                return None
            done = at + 1
            part, start, position = cut.raw(at), cut.start(at), cut.position_of(at)
            elements = part.strip(strip).split(delims.element)
            kind = cut.kind_of(at)
            if kind == NEW_ISA:
                if not _same_isa(elements[0], elements, delims):
                    self.position = position - 1
                    return start - base
                elements[0] = "ISA"  # next interchange, same delimiters: no re-read
            elif kind == NOT_AN_ID:
                lead = len(part) - len(part.lstrip(strip))
                if self.skipped is None:
                    raise X12ParseError(
                        self.name,
                        f"expected a segment ID of 2-3 letters or digits before {delims.element!r}",
                        position,
                        start + lead,
                    )
                self.skipped("SEGMENT_ID", position, start + lead)
                self.position = position  # counted, as the trailers count it
                continue
            else:
                elements[0] = self.vocabulary[cut.code_of(at)]
            self.position, self._start, self._raw, self._row = position, start, part, -1
            yield elements
        return None


def iter_segments(source: Source, name: str = "<input>") -> Iterator[Segment]:
    """Yield every segment of ``source`` (text, bytes, or a stream the caller opened).

    Streams are read in chunks; nothing but the current chunk is kept.  Raises
    :class:`X12ParseError` when the input is not X12.
    """
    tokens = _Tokenizer(source, name)
    make = Segment
    for elements in tokens.elements():
        yield make(elements[0], elements, tokens.position, tokens.offset, tokens.delimiters)


# -- envelopes --------------------------------------------------------------------------


@dataclass(eq=False)
class Transaction:
    """One transaction set (ST..SE) with its envelope, or a run of segments outside any.

    Iterate it (once, in order) for the segments between ST and SE, both excluded, as
    :class:`Segment` objects; :meth:`elements` gives the same segments as bare element
    lists and :meth:`blocks` as blocks of columns (read it one way only).  A run of
    segments inside an interchange but outside ST/SE (a TA1, or stray segments) comes as a
    ``Transaction`` whose ``st`` is ``None``.  ``se``, ``segment_count`` and the findings
    about this transaction are known once it has been read to the end; moving on to the
    next transaction drains the rest of this one.
    """

    source: str
    isa: Segment
    gs: Segment | None
    st: Segment | None
    cursor: _Tokenizer = field(repr=False)
    """The reader's cursor: its ``position`` and ``offset`` are those of the segment
    last yielded; hot loops read ``cursor.position`` instead of :attr:`position`."""
    _body: Iterator[TextBlock | SegmentBlock | list[str]] = field(repr=False, default=iter(()))
    _walker: _EnvelopeWalker | None = field(repr=False, default=None)
    _first: int = field(repr=False, default=0)  # position of ST, or of a run's first segment
    se: Segment | None = None
    segment_count: int = 0
    findings: list[EnvelopeFinding] = field(default_factory=list)

    @property
    def code(self) -> str:
        """ST01 (``835``, ``277``, ``999``...), or ``''`` outside a transaction set."""
        return self.st.get(1) if self.st else ""

    @property
    def version(self) -> str:
        """The guide: ST03 when present, else GS08 (``005010X221A1``)."""
        return (self.st.get(3) if self.st else "") or (self.gs.get(8) if self.gs else "")

    @property
    def isa13(self) -> str:
        return self.isa.get(13)

    @property
    def gs06(self) -> str:
        return self.gs.get(6) if self.gs else ""

    @property
    def st02(self) -> str:
        return self.st.get(2) if self.st else ""

    @property
    def delimiters(self) -> Delimiters:
        return self.isa.delimiters

    @property
    def position(self) -> int:
        """Position in the file of the segment last yielded."""
        return self.cursor.position

    @property
    def offset(self) -> int:
        """Character offset of the segment last yielded, leading line breaks skipped."""
        return self.cursor.offset

    def segment(self, elements: list[str]) -> Segment:
        """The :class:`Segment` of ``elements``, the list :meth:`elements` last yielded."""
        tokens = self.cursor
        return Segment(elements[0], elements, tokens.position, tokens.offset, tokens.delimiters)

    def elements(self) -> Iterator[list[str]]:
        """The body as element lists (``[0]`` is the ID): no object per segment, and no
        generator of its own between a block's segments and the caller."""
        expand = self.cursor.expand
        return chain.from_iterable(
            [item] if type(item) is list else expand(item) for item in self._body
        )

    def blocks(self) -> Iterator[TextBlock | SegmentBlock]:
        """The body of a transaction set as blocks: every segment between ST and SE, in
        order, in a few blocks of many segments each.

        With :func:`iter_transactions`' ``columns``, the columnar view for readers of large
        transactions (the 835): :class:`~edi.x12.blocks.SegmentBlock` runs.
        """
        if self.st is None:
            raise ValueError("blocks() reads a transaction set; this run has no ST")
        return self._body

    def __iter__(self) -> Iterator[Segment]:
        tokens = self.cursor
        make = Segment
        for elements in self.elements():
            yield make(elements[0], elements, tokens.position, tokens.offset, tokens.delimiters)


ENVELOPE_IDS = frozenset({"SE", "GE", "IEA", "ISA", "GS", "ST"})
"""IDs of the segments that end a transaction's body."""


class _EnvelopeWalker:
    """Track ISA/GS/ST nesting over the token stream and check the trailers' counts."""

    def __init__(
        self,
        tokens: _Tokenizer,
        findings: list[EnvelopeFinding],
        items: Iterator[TextBlock | SegmentBlock | list[str]] | None = None,
    ) -> None:
        self.tokens = tokens
        self.raw = tokens.items() if items is None else items
        self._expansion: Iterator[list[str]] | None = None  # a block outside ST, as lists
        self.name = tokens.name
        self.findings = findings
        self.pending: Segment | None = None
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.groups = 0
        self.transactions = 0
        self.current: Transaction | None = None

    def _finding(
        self,
        code: str,
        seg: Segment | None,
        detail: str = "",
        tx: Transaction | None = None,
        position: int | None = None,
    ) -> None:
        message = ENVELOPE_CODES[code] + (f" ({detail})" if detail else "")
        finding = EnvelopeFinding(
            self.name,
            code,
            message,
            seg.position if seg else position,
            seg.id if seg else None,
            self.isa.get(13) if self.isa else "",
            self.gs.get(6) if self.gs else "",
            tx.st02 if tx else "",
        )
        self.findings.append(finding)
        if tx is not None:
            tx.findings.append(finding)

    def skipped(self, code: str, position: int | None, offset: int) -> None:
        """What the tokenizer skipped, as a finding of the transaction being read."""
        where = f"offset {offset}" if position is None else f"segment {position}, offset {offset}"
        self._finding(code, None, where, self.current, position)

    def _pull(self) -> TextBlock | SegmentBlock | list[str] | None:
        """The next item of the token stream (a block being read as lists comes first)."""
        if self._expansion is not None:
            elements = next(self._expansion, None)
            if elements is not None:
                return elements
            self._expansion = None
        return next(self.raw, None)

    def _body(self, tx: Transaction) -> Iterator[TextBlock | SegmentBlock | list[str]]:
        """The blocks (or lists) of ``tx`` up to its SE (ST/SE excluded)."""
        if self.pending is not None:  # the first segment of a run outside ST/SE
            first, self.pending = self.pending, None
            yield first.elements
        while (item := self._pull()) is not None:
            if type(item) is list and item[0] in ENVELOPE_IDS:
                self.close(tx, item)
                return
            yield item
        self.close(tx, None)

    def close(self, tx: Transaction, trailer: list[str] | None) -> None:
        """Count ``tx`` and check its SE; ``trailer`` is the envelope segment after it.

        Positions are consecutive, so the count is a difference of positions: the body's
        loop need not count.  ``None`` means the input ended.
        """
        in_st = tx.st is not None
        if trailer is None:
            count = self.tokens.position - tx._first + 1
            if in_st:
                self._finding("SE_MISSING", None, f"ST02 {tx.st02!r}, end of input", tx)
            tx.segment_count = count
            return
        seg = self.tokens.segment(trailer)
        count = seg.position - tx._first
        if seg.id == "SE" and in_st:
            count += 1
            tx.se = seg
            tx.segment_count = count
            if seg.get(1) != str(count):
                self._finding("SE_COUNT", seg, f"SE01 {seg.get(1)!r}, counted {count}", tx)
            if seg.get(2) != tx.st02:
                self._finding("SE_CONTROL", seg, f"SE02 {seg.get(2)!r}", tx)
            return
        if in_st:
            self._finding("SE_MISSING", seg, f"ST02 {tx.st02!r}", tx)
        tx.segment_count = count
        self.pending = seg

    def _close_group(self, ge: Segment | None) -> None:
        gs = self.gs
        if gs is None:
            return
        if ge is None:
            self._finding("GE_MISSING", None, f"GS06 {gs.get(6)!r}")
        else:
            if ge.get(1) != str(self.transactions):
                self._finding("GE_COUNT", ge, f"GE01 {ge.get(1)!r}, counted {self.transactions}")
            if ge.get(2) != gs.get(6):
                self._finding("GE_CONTROL", ge, f"GE02 {ge.get(2)!r}")
        self.gs = None

    def _close_interchange(self, iea: Segment | None) -> None:
        isa = self.isa
        if isa is None:
            return
        if self.gs is not None:
            self._close_group(None)
        if iea is None:
            self._finding("IEA_MISSING", None, f"ISA13 {isa.get(13)!r}")
        else:
            if iea.get(1) != str(self.groups):
                self._finding("IEA_COUNT", iea, f"IEA01 {iea.get(1)!r}, counted {self.groups}")
            if iea.get(2) != isa.get(13):
                self._finding("IEA_CONTROL", iea, f"IEA02 {iea.get(2)!r}")
        self.isa = None

    def _next(self) -> Segment | None:
        if self.pending is not None:
            seg, self.pending = self.pending, None
            return seg
        item = self._pull()
        if item is None:
            return None
        if type(item) is not list:  # segments outside ST/SE are walked one by one
            self._expansion = self.tokens.expand(item)
            item = next(self._expansion)
        return self.tokens.segment(item)

    def __iter__(self) -> Iterator[Transaction]:
        seen_gs: set[str] = set()
        seen_st: set[str] = set()
        while True:
            if self.current is not None:  # drain what the consumer left unread
                for _ in self.current._body:
                    pass
                self.current = None
            seg = self._next()
            if seg is None:
                self._close_interchange(None)
                return
            sid = seg.id
            if self.isa is None and sid not in ("ISA", "IEA", "GE", "SE"):
                reason = "expected ISA: the interchange ended with IEA"
                raise X12ParseError(self.name, reason, seg.position, seg.offset, seg.id)
            if sid == "ISA":
                self._close_interchange(None)
                self.isa, self.groups = seg, 0
                seen_gs = set()
            elif sid == "IEA" and self.isa is not None:
                self._close_interchange(seg)
            elif sid == "GS":
                if self.gs is not None:
                    self._close_group(None)
                self.gs, self.transactions = seg, 0
                self.groups += 1
                seen_st = set()
                if seg.get(6) in seen_gs:
                    self._finding("DUPLICATE_CONTROL", seg, f"GS06 {seg.get(6)!r}")
                seen_gs.add(seg.get(6))
            elif sid == "GE" and self.gs is not None:
                self._close_group(seg)
            elif sid in ("SE", "IEA", "GE"):
                self._finding("OUTSIDE", seg)
            else:
                st = seg if sid == "ST" else None
                if st is not None:
                    self.transactions += 1
                    if st.get(2) in seen_st:
                        self._finding("DUPLICATE_CONTROL", st, f"ST02 {st.get(2)!r}")
                    seen_st.add(st.get(2))
                else:
                    self.pending = seg
                tx = Transaction(self.name, self.isa, self.gs, st, self.tokens)
                tx._body, tx._walker, tx._first = self._body(tx), self, seg.position
                self.current = tx
                yield tx


def iter_transactions(
    source: Source,
    name: str = "<input>",
    findings: list[EnvelopeFinding] | None = None,
    listener: TokenListener | None = None,
    columns: bool = False,
) -> Iterator[Transaction]:
    """Yield the transaction sets of ``source`` in order, envelopes checked on the way.

    Envelope mistakes, segments skipped for a bad ID and text skipped before the first
    ISA are appended to ``findings`` (when given) and to the ``findings`` of the
    transaction they concern; they never stop the reading.  Only input that is not X12
    raises :class:`X12ParseError`.  ``listener`` is told of every token as it is read.
    ``columns`` makes :meth:`Transaction.blocks` columnar (:mod:`edi.x12.blocks`).
    """
    tokens = _Tokenizer(source, name, columns=columns)
    items = None if listener is None else _told(tokens, listener)
    walker = _EnvelopeWalker(tokens, findings if findings is not None else [], items)
    tokens.skipped = walker.skipped if listener is None else _both(listener.skipped, walker.skipped)
    return iter(walker)


class TokenListener(Protocol):
    """A second reader of the same text (the guide engine's
    :class:`~edi.validate.engine.Follower`), told of each item of the token stream before
    the first reader takes it, with the tokenizer's state at that item; and of what the
    tokenizer skips, as it skips it."""

    def take(self, item: TextBlock | SegmentBlock | list[str], tokens: _Tokenizer) -> None: ...

    def skipped(self, code: str, position: int | None, offset: int) -> None: ...


def _told(
    tokens: _Tokenizer, listener: TokenListener
) -> Iterator[TextBlock | SegmentBlock | list[str]]:
    take = listener.take
    for item in tokens.items():
        take(item, tokens)
        yield item


def _both(first: Skipped, then: Skipped) -> Skipped:
    def skipped(code: str, position: int | None, offset: int) -> None:
        first(code, position, offset)
        then(code, position, offset)

    return skipped
