"""The one 837 reader (837P and 837I): claims read back from any file, driven by the
guide description.

``claims validate`` judges files (ours or another system's) with the same rules as
encounters before building, and the sandbox clearinghouse answers uploads from the same
reading.  Each CLM with its hierarchy (billing provider, subscriber, patient) becomes an
encounter-v1 record (plain dicts); which element fills which field is the guide's binding
(:mod:`edi.guides`), the one the builder writes from.  What only a file can get wrong is
kept beside it: the total it *stated* in CLM02 (level 3 balancing), SBR02 (whether 2000C
must follow), ICD-9 codes, and where each part sits, so findings point at the segment a
person has to fix.

A segment is placed by its ID and qualifier (NM101, REF01, HL03...) within the current
hierarchical level, claim or service line: a segment that opens a loop (NM1 of 2010AA)
can start it there; any other (N3, DMG, PRV) continues the loop it follows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field

from edi.claims.cob_loops import LineAdjudication, OtherPayer
from edi.claims.models import Date, Encounter, RevenueLine, ServiceLine, Subscriber
from edi.codesets.procedures import procedure_kind
from edi.guides.model import Guide, guide_for, x222a1
from edi.guides.segments import SegmentReader
from edi.x12.delimiters import DEFAULT, Delimiters
from edi.x12.reader import (
    EnvelopeFinding,
    Segment,
    X12ParseError,
    iter_segments,
    iter_transactions,
)

# -- other coverage (COB, issue 13): the 2320/2430 loops as the file states them --------


class FiledServiceLine(ServiceLine):
    """A service line read from a file, with the 2430 loops under it."""

    adjudications: list[LineAdjudication] = Field(default_factory=list)


class FiledRevenueLine(RevenueLine):
    """An 837I revenue line read from a file, with the 2430 loops under it."""

    adjudications: list[LineAdjudication] = Field(default_factory=list)


# -- end of other coverage ---------------------------------------------------------------


class FiledSubscriber(Subscriber):
    """2010BA as a file has it: DMG is sent only when the subscriber is the patient, so a
    claim with a patient loop has no subscriber birth date or sex (rule
    SNIP4.SUBSCRIBER.DEMOGRAPHICS asks for them when the subscriber is the patient)."""

    birth_date: Date | None = None  # type: ignore[assignment]
    sex: Literal["M", "F", "U"] | None = None  # type: ignore[assignment]


class FiledEncounter(Encounter):
    """An encounter read from a file: CLM01 is not ours to shape (rule SNIP2.CLM01.FORMAT
    judges it), and the file's own statements are kept for the rules that check them."""

    encounter_id: Annotated[str, Field(min_length=1, max_length=38)]
    subscriber: FiledSubscriber  # type: ignore[assignment]
    stated_total: Decimal | None = None
    subscriber_relationship: str | None = None
    icd9_diagnoses: int = 0
    """ICD-9-CM codes (HI qualifiers BK/BF) the claim carried; not kept as diagnoses."""
    # -- other coverage (COB, issue 13): 2000B is the billed payer; 2320 the others --
    insurance_type: str | None = None
    other_payers: list[OtherPayer] = Field(default_factory=list)
    service_lines: Annotated[
        list[FiledServiceLine], Field(max_length=50, validate_default=True)
    ] = Field(default_factory=list)
    """At least one on a professional claim (:class:`Encounter`'s form check); none on an
    837I, whose lines are ``revenue_lines``."""
    revenue_lines: Annotated[
        list[FiledRevenueLine], Field(max_length=999, validate_default=True)
    ] = Field(default_factory=list)
    # -- end of other coverage --


@dataclass
class FileClaim:
    """One CLM of a file: its record, and the segment positions findings point at."""

    clm01: str
    record: dict[str, Any] = field(repr=False)
    """encounter-v1 fields as read, plus ``stated_total``, ``subscriber_relationship`` and
    ``icd9_diagnoses`` (see :class:`FiledEncounter`); PHI, so kept out of ``repr``.  The
    top dict is the claim's own; the parts read above the claim (subscriber, payer,
    patient...) are shared with the other claims of the same level, so copy one before
    changing it."""
    clm_position: int
    """1-based segment position in the file (as the reader counts)."""
    positions: dict[str, int] = field(default_factory=dict)
    """``'HI'``, ``'line3'`` (the SV1 of line 3) and field paths (``'rendering_provider'``
    → its NM1, ``'service_facility.address.city'`` → its N4) → file position, for what the
    claim's own segments read; what was read above it is in :attr:`above`."""
    st02: str = ""
    position: int = 0
    """Position of CLM in its transaction set (ST = 1), as a 999 IK302 counts."""
    end_position: int = 0
    """Position (ST = 1) of the claim's last segment."""
    above: tuple[dict[str, int], ...] = ()
    """The places of the parts read above the claim (``'subscriber'``,
    ``'billing_provider.address.city'``...), the deepest level's first: like those parts,
    they are shared with the other claims of the same levels (never changed once a claim
    holds them), so a claim is not given a copy of them all, which only a claim with
    findings would look into (see :meth:`position_of`)."""

    def position_of(self, field_path: str | None) -> int:
        """The segment a finding on ``field_path`` is about (the CLM when unknown)."""
        if not field_path:
            return self.clm_position
        lines, bracket, rest = field_path.partition("[")
        if bracket and lines in ("service_lines", "revenue_lines"):  # SV1 or SV2
            index = int(rest[: rest.index("]")])
            return self._place(f"line{index + 1}", self.clm_position)
        if field_path.startswith("diagnoses"):
            return self._place("HI", self.clm_position)
        parts = field_path.split(".")
        for length in range(len(parts), 0, -1):
            position = self._place(".".join(parts[:length]), 0)
            if position:
                return position
        return self.clm_position

    def _place(self, path: str, default: int) -> int:
        """The position of ``path``: the claim's own place for it, else the deepest
        level's that has one (as if :attr:`above`, then :attr:`positions` were merged)."""
        position = self.positions.get(path)
        if position is not None:
            return position
        for places in self.above:
            position = places.get(path)
            if position is not None:
                return position
        return default


_LEVELS = ("2000A", "2000B", "2000C")
_AREAS = ("HEADER", *_LEVELS, "2300", "2400")
"""Where the reader stands: the header, a hierarchical level, a claim or a service line.
The loops below them (2010AA, 2310B...) are found within them."""
_OPENERS = frozenset({"HL", "CLM", "LX"})
_CLOSERS = frozenset({"HL", "CLM", "SE", "ST"})
"""The segments that end the claim being read."""
_LINES = "service_lines[]"
_ICD9 = frozenset({"BK", "BF"})
"""The HI qualifiers of ICD-9-CM codes."""
_MEMO_SIZE = 50_000
"""Entries a walker remembers of each kind before it starts afresh (memory stays flat)."""
_HEADER, _CLAIM, _LINE = range(3)
"""What a described segment fills: the parts above the claim, the claim, its last line."""


@dataclass(frozen=True, slots=True, eq=False)
class _Described:
    """One described segment, compiled for reading, with where it may appear."""

    reader: SegmentReader
    loop: str
    area: str
    opens_loop: bool
    """Whether it is its loop's first segment (so it can start the loop)."""
    starts_item: bool
    """Whether, when its subject ends in a list (``other_payers[]``), it starts a new item
    of it: the segment that opens its loop (2320 SBR, 2430 SVD), or one that repeats
    within it (each CAS is one group)."""
    fills: int
    """:data:`_HEADER`, :data:`_CLAIM` or :data:`_LINE`."""
    subject: str
    """The subject within what it fills (a line's, without ``service_lines[].``)."""
    listed: bool
    """Whether ``subject`` passes through a list (``other_payers[].payer``): which item
    it fills is known only as the segment comes (see :func:`_item`)."""
    steps: tuple[tuple[str, bool], ...]
    """A listed subject up to its last list, as (key, whether a list) steps
    (``other_payers[].adjustments[]`` → (other_payers, True), (adjustments, True))."""
    rest: str
    """What follows the last list of a listed subject (``payer`` of ``other_payers[].payer``)."""
    role: str
    """What the walker does besides reading it: ``HL`` (a level opens), ``CLM`` (a claim),
    ``LX`` (a line), ``SBR`` (2000B's, whose position the patient takes), ``SV1``/``SV2``
    (the line's place; SV1's code set), ``HI`` (ICD-9 codes counted), else ''."""
    paths: dict[str, tuple[tuple[str, ...], str, int]]
    """Each key its reader's values may have → the parent keys and key it is written at
    in the item (``address.city`` of ``subscriber`` → (subscriber, address), city) and
    what its value is: :data:`_VALUE`, :data:`_CODES` or :data:`_ITEMS`."""
    places: dict[str, str]
    """Each key its reader's values may have → the place findings on it point at
    (``subscriber.address.city``; a listed subject's is relative to the item)."""
    parents: tuple[str, ...] | None
    """The parent keys of all its values, when they have the same and none is a list
    (N4: (subscriber, address)): the values are then written in one ``dict.update``."""
    tier: int = 0
    """Which of :attr:`ClaimWalker.places` takes the places of a segment read above the
    claim (see :func:`_tier`)."""


@dataclass(frozen=True, slots=True)
class _Reading:
    by_id: dict[str, tuple[_Described, ...]]
    level_keys: dict[str, frozenset[str]]
    """Hierarchical level → the record keys read in it and in the levels below it
    (forgotten when one opens)."""
    claim_keys: dict[str, bool]
    """The record keys a claim's own segments write into (``billing_provider`` by CLM07)
    → whether they write below the part's top dict: a claim takes its own copy of these
    parts of the level header (of the top dict only, when that is all they change), and
    shares the rest."""
    claim_type: str = "professional"
    """What every claim of the guide is: ``institutional`` for the 837I (X223)."""
    lines: str = _LINES
    """The subject of the guide's service lines: ``service_lines[]`` (837P),
    ``revenue_lines[]`` (837I)."""
    probes: dict[str, tuple[tuple[int, ...], bool]] = field(default_factory=dict)
    """Segment ID → the elements its variants are told apart by (NM101, HL03...) and
    whether HI01-1 tells some apart: all :meth:`ClaimWalker._place` looks at in a segment."""

    @property
    def lines_key(self) -> str:
        return self.lines[:-2]


def _key(path: str) -> str:
    """The record key a field path starts with: ``other_payers[].payer.name`` → ``other_payers``."""
    return path.split(".")[0].split("[")[0]


def _shallow(path: str) -> bool:
    """Whether a field path names a value of its record key's top dict
    (``billing_provider.clia_number``, not ``billing_provider.address.city``)."""
    return "[" not in path and path.count(".") == 1


_ADDED = {"SV1": ("code_set",), "SBR": ("subscriber_relationship",)}
"""Keys the walker adds to what a segment reads (see :func:`_procedure`,
:meth:`ClaimWalker._see`)."""


_VALUE, _CODES, _ITEMS = range(3)
"""What a segment's value is: one value, a list of codes or numbers, a list of dicts (see
:func:`_write`)."""


def _paths(
    rest: str, names: Iterable[str], reader: SegmentReader
) -> dict[str, tuple[tuple[str, ...], str, int]]:
    """:attr:`_Described.paths` of a segment read by ``reader`` whose values have
    ``names`` (``rest``: see :attr:`_Described.rest`)."""
    paths = {}
    for name in names:
        *parents, last = (f"{rest}.{name}" if rest else name).split(".")
        kind = _ITEMS if name in reader.records else _CODES if name in reader.lists else _VALUE
        paths[name] = (tuple(parents), last, kind)
    return paths


def _places(subject: str, names: Iterable[str]) -> dict[str, str]:
    """:attr:`_Described.places` of a segment about ``subject`` whose values have ``names``."""
    listed = "[]" in subject
    return {name: name if listed or not subject else f"{subject}.{name}" for name in names}


def _parents(
    paths: dict[str, tuple[tuple[str, ...], str, int]], lists: Iterable[str]
) -> tuple[str, ...] | None:
    """:attr:`_Described.parents`: the one parent path of all ``paths`` (in the subject's
    item, for a listed one), if they have one and their keys are the values' own (no list
    among them)."""
    if any(name in paths for name in lists):
        return None
    found = {parents for parents, last, _ in paths.values()}
    if len(found) != 1 or any(last != name for name, (_, last, _) in paths.items()):
        return None
    return found.pop()


def _role(sid: str, area: str) -> str:
    """:attr:`_Described.role` of a segment ``sid`` of ``area``."""
    if sid in ("HL", "CLM", "LX", "SV1", "SV2", "HI") or (sid == "SBR" and area == "2000B"):
        return sid
    return ""


@cache
def _reading(guide: Guide) -> _Reading:
    def area(loop: str | None) -> str:
        while loop is not None and loop not in _AREAS:
            loop = guide.loops[loop].parent
        return loop or "HEADER"

    lines = next(
        (s.subject for s in guide.segments.values() if s.loop == "2400" and s.subject), _LINES
    ).split(".")[0]
    by_id: dict[str, list[_Described]] = {}
    keys: dict[str, set[str]] = {level: set() for level in (*_LEVELS, "2300", "2400")}
    deep: set[str] = set()  # claim keys written below their top dict (see claim_keys)
    for spec in guide.segments.values():
        where = area(spec.loop)
        first = guide.loops[spec.loop].first_segment == spec.segment_id
        starts_item = first or spec.facts.max_use != "1"
        subject = spec.subject
        if subject.startswith(lines):
            fills, subject = _LINE, subject[len(lines) + 1 :]
        else:
            fills = _CLAIM if where in ("2300", "2400") else _HEADER
        reader = SegmentReader(spec)
        listed = "[]" in subject
        parts = subject.split(".")
        last = max((i for i, part in enumerate(parts) if part.endswith("[]")), default=-1)
        steps = tuple((part.removesuffix("[]"), part.endswith("[]")) for part in parts[: last + 1])
        rest = ".".join(parts[last + 1 :]) if listed else subject
        names = (*reader.fields, *_ADDED.get(spec.segment_id, ()))
        paths = _paths(rest, names, reader)
        by_id.setdefault(spec.segment_id, []).append(
            _Described(
                reader, spec.loop, where, first, starts_item, fills, subject, listed, steps, rest,
                _role(spec.segment_id, where), paths,
                _places(subject, names),
                _parents(paths, reader.lists),
            )
        )  # fmt: skip
        if where in keys:
            written = [path for element in spec.elements for path in element.paths(spec.subject)]
            keys[where].update(map(_key, written))
            if where in ("2300", "2400"):
                deep.update(_key(path) for path in written if not _shallow(path))
    probes = {
        sid: (
            tuple(sorted({d.reader.qualifier_index for d in variants} - {0})),
            any(d.reader.composite_qualifier for d in variants),
        )
        for sid, variants in by_id.items()
    }
    level_keys = {
        level: frozenset(key for below in _LEVELS[i:] for key in keys[below])
        for i, level in enumerate(_LEVELS)
    }
    return _Reading(
        {k: tuple(replace(d, tier=_tier(d, level_keys)) for d in v) for k, v in by_id.items()},
        level_keys,
        {key: key in deep for key in keys["2300"] | keys["2400"]},
        "institutional" if guide.version.startswith("005010X223") else "professional",
        lines,
        probes,
    )


def _tier(d: _Described, level_keys: dict[str, frozenset[str]]) -> int:
    """:attr:`_Described.tier`: 1 + the index in :data:`_LEVELS` of the deepest level that
    reads a record key the segment writes (an HL of that level or above forgets its
    places), or 0 if none does (the transaction header's places stay)."""
    keys = {_key(d.subject)} if d.subject else set(map(_key, d.places))
    return max(
        (i + 1 for i, level in enumerate(_LEVELS) if not keys.isdisjoint(level_keys[level])),
        default=0,
    )


_Seen = tuple[str, str, "_Described | None", dict[str, Any]]
"""See :attr:`ClaimWalker._seen`: (loop, area, described segment, values)."""


class ClaimWalker:
    """Follow one 837's hierarchy and emit a :class:`FileClaim` per CLM.

    It takes bare element lists (``[0]`` the ID) and their file positions, so a reader
    of a whole file makes no object per segment; ``delimiters`` are the interchange's.
    A reader of blocks of segments (:func:`edi.rules.file_validation._read`) hands it a
    block at a time as texts (:meth:`read`), so a segment met before is not even split.
    """

    def __init__(self, guide: Guide, delimiters: Delimiters = DEFAULT) -> None:
        self.reading = reading = _reading(guide)
        self._probes = reading.probes
        self._lines_key = reading.lines_key
        self.st_position = 0
        self.st02 = ""
        self._placed: dict[tuple[str, ...], _Described | None] = {}
        """What :meth:`_place` decided, by all it looks at (segment ID, where the reader
        stands, the qualifiers): a claim's segments are placed as the last claim's were."""
        self._seen: dict[str, _Seen] = {}
        """A segment's text → where the reader stood when it was last met, what it was
        placed as there, and what it reads: claims repeat most segments (service lines,
        dates, providers, payers), so each is placed and read once."""
        self._met: set[str] = set()
        """The segments met once (see :meth:`_see`)."""
        self._separator = delimiters.element
        self.delimiters = delimiters
        self._last = 0
        """File position of the last segment read (a claim's last, when a segment ends it)."""
        self._start()

    def use(self, delimiters: Delimiters) -> None:
        """Read on with another interchange's delimiters."""
        if delimiters != self.delimiters:
            self.delimiters, self._separator = delimiters, delimiters.element
            self._placed.clear()  # HI01-1 splits differently now
            self._seen.clear()
            self._met.clear()

    def _start(self) -> None:
        self.header: dict[str, Any] = {}
        """Record parts read above the claim (billing provider, subscriber, payer...)."""
        self.places: list[dict[str, int]] = [{} for _ in range(len(_LEVELS) + 1)]
        """Field path → file position, for the parts above the claim: the transaction
        header's, then those of each level (see :attr:`_Described.tier`), so an HL forgets
        the places of its level and the levels below it without looking at any."""
        self.claim: FileClaim | None = None
        self.line: dict[str, Any] | None = None
        self.area = self.loop = "HEADER"
        self.sbr_position = 0

    def feed(self, elements: list[str], position: int) -> FileClaim | None:
        """Take one segment (its element list and file position); returns the previous
        claim when a new one (or level) starts."""
        text = self._separator.join(elements)
        return next(self.read([elements[0]], [text], [position]), None)

    def read(
        self, sids: list[str], texts: list[str], positions: Sequence[int]
    ) -> Iterator[FileClaim]:
        """Read a run of segments, given as IDs, texts and file positions; yield each
        claim as soon as the segment that ends it has been read.

        A text is the segment's elements joined, or its text as written (see
        :meth:`edi.x12.reader._Tokenizer.texts`), which is all the walker remembers
        segments by; it splits a text only when it must read it, and writes what it read
        into the header, the claim or the line being read.  One loop takes the whole run:
        no Python call per segment but where a segment does more than be written."""
        memo, last = self._seen, self._last
        ended = None
        for sid, text, position in zip(sids, texts, positions, strict=True):
            if ended is not None:  # the claim the segment before ended: read to its end
                yield ended
            ended = self._end_claim(last) if sid in _CLOSERS else None
            last = position
            elements = None  # until split
            if sid == "ST":
                self._transaction(self._split(sid, text), position)
                continue
            if not self.st_position:
                self.st_position = position - 1  # a transaction body, ST left out
            seen = memo.get(text)
            if seen is None or seen[0] != self.loop or seen[1] != self.area:
                elements = self._split(sid, text)
                seen = self._see(sid, elements, position, text)
            _, _, d, values = seen
            if d is None:
                continue
            # ``values`` are shared with every segment spelled the same (not to be
            # changed); ``places`` (field path → position) note where each value was
            # read, none for a line, whose findings point at its SV1 or SV2.
            self.loop = d.loop
            if d.role:
                self._act(d, text, elements, position, bool(values))
            places: dict[str, int] | None
            if d.fills == _HEADER:
                target, places = self.header, self.places[d.tier]
            elif (claim := self.claim) is None:  # a claim's segment with no CLM before it
                continue
            elif d.fills == _CLAIM:
                target, places = claim.record, claim.positions
            elif self.line is None:
                continue
            else:
                target, places = self.line, None
            if d.listed:
                _fill_item(d, target, places, values, position)
                continue
            prefix = d.subject
            if places is not None and prefix and d.opens_loop:
                places[prefix] = position
            if not values:
                continue
            if d.parents is None:
                _write(d, target, values)
            else:  # the usual segment: one dict takes all its values
                for part in d.parents:
                    target = target.setdefault(part, {})
                target.update(values)
            if places is not None:  # each value's field path is placed at the segment
                for name in values:
                    places[d.places[name]] = position
                if prefix:
                    places.setdefault(prefix, position)
        self._last = last
        if ended is not None:
            yield ended

    def _end_claim(self, last: int) -> FileClaim | None:
        """The claim being read, if any, now ended: its last segment is at ``last``."""
        claim = self.claim
        if claim is not None:
            self.claim = self.line = None
            claim.end_position = last - self.st_position + 1
        return claim

    def _transaction(self, elements: list[str], position: int) -> None:
        """An ST (``elements``, at ``position``): a new transaction."""
        self._start()
        self.st_position, self.st02 = position, elements[2] if len(elements) > 2 else ""

    def _split(self, sid: str, text: str) -> list[str]:
        """The element list of segment ``sid`` written as ``text``."""
        elements = text.split(self._separator)
        elements[0] = sid
        return elements

    def close(self) -> FileClaim | None:
        """The claim being read when the input ends, if any."""
        return self._end_claim(self._last)

    def _see(self, sid: str, elements: list[str], position: int, text: str) -> _Seen:
        """Place and read segment ``text``, not met before where the reader stands; it is
        remembered when met the second time (names, IDs and amounts make a third of a
        file's segments unique: remembering those would only cost)."""
        described = self._place(sid, elements, position)
        values: dict[str, Any] = {}
        if described is not None:
            values = described.reader.values(elements, self.delimiters.component)
            if described.role == "SV1":
                _procedure(values)
            elif described.role == "SBR" and "subscriber_relationship" not in values:
                values["subscriber_relationship"] = ""  # an empty SBR02: 2000C follows
        seen = (self.loop, self.area, described, values)
        if text in self._met:
            if len(self._seen) >= _MEMO_SIZE:
                self._seen.clear()
            self._seen[text] = seen
        else:
            if len(self._met) >= _MEMO_SIZE:
                self._met.clear()
            self._met.add(text)
        return seen

    def _place(self, sid: str, elements: list[str], position: int) -> _Described | None:
        """The described segment ``elements`` is, from where the reader stands (None if
        none): a strict match first (HI01-1 agrees too), else a loose one."""
        probe = self._probes.get(sid)
        if probe is None:
            return None
        indexes, composite = probe
        count = len(elements)
        first = ""  # HI01-1, when it tells variants apart
        if composite and count > 1:
            first = elements[1].partition(self.delimiters.component)[0]
        key: tuple[str, ...]
        if not indexes:  # N3, N4, CLM, LX...: placed by where the reader stands alone
            key = (sid, self.loop, self.area, first)
        elif len(indexes) == 1:
            at = indexes[0]
            key = (sid, self.loop, self.area, elements[at] if at < count else "", first)
        else:
            qualifiers = [elements[i] if i < count else "" for i in indexes]
            key = (sid, self.loop, self.area, *qualifiers, first)
        try:
            return self._placed[key]
        except KeyError:
            pass
        seg = Segment(sid, elements, position, 0, self.delimiters)
        found = self._find(seg, strict=True) or self._find(seg, strict=False)
        if len(self._placed) >= _MEMO_SIZE:  # qualifiers are codes, unless a file is damaged
            self._placed.clear()
        self._placed[key] = found
        return found

    def _find(self, seg: Segment, strict: bool) -> _Described | None:
        found = None
        for d in self.reading.by_id.get(seg.id, ()):
            if not d.reader.matches(seg, strict):
                continue
            if d.loop == self.loop:
                return d
            if found is None and (
                (d.opens_loop and seg.id in _OPENERS)
                or (d.area == self.area and (d.opens_loop or d.loop == d.area))
            ):
                found = d
        return found

    def _act(
        self,
        d: _Described,
        text: str,
        elements: list[str] | None,
        position: int,
        any_read: bool,
    ) -> None:
        """What segment ``text`` (``elements``, if it was split) does besides being
        written, by its role (:attr:`_Described.role`)."""
        role = d.role
        if role == "HL":
            self._level(d.loop)
        elif role == "CLM":
            self._claim(elements or self._split(role, text), position)
        elif role == "LX" and self.claim is not None:
            self.line = {}
            self.claim.record[self._lines_key].append(self.line)
            self.area = "2400"
        elif role == "SBR":
            self.sbr_position = position
        claim = self.claim
        if claim is None:
            return
        if role in ("SV1", "SV2") and d.fills == _LINE and self.line is not None:
            claim.positions[f"line{len(claim.record[self._lines_key])}"] = position
        elif role == "HI" and d.fills == _CLAIM:
            self._diagnoses(claim, text, any_read, position)

    def _level(self, level: str) -> None:
        """A new HL: forget what this level and the ones below it had read."""
        self.area = level
        header = self.header
        for key in self.reading.level_keys[level].intersection(header):
            del header[key]  # the dict is the walker's own: claims copy what they take
        places = self.places
        for tier in range(_LEVELS.index(level) + 1, len(places)):
            places[tier] = {}  # not cleared: the claims read so far hold the old ones

    def _claim(self, elements: list[str], position: int) -> None:
        own = self.reading.claim_keys
        record = {
            k: v if k not in own else _copy(v) if own[k] or type(v) is not dict else dict(v)
            for k, v in self.header.items()
        }
        record.update({"diagnoses": [], "service_lines": [], self._lines_key: []})
        places: dict[str, int] = {}
        claim_type = self.reading.claim_type
        if claim_type != "professional":
            record["claim_type"] = claim_type
            places[claim_type] = position  # its CLM05, until more is read
        clm_in_st = position - self.st_position + 1
        clm01 = elements[1] if len(elements) > 1 else ""
        above = (*self.places[::-1], {"patient": self.sbr_position})
        self.claim = FileClaim(
            clm01, record, position, places, self.st02, clm_in_st, clm_in_st, above
        )
        self.area, self.line = "2300", None

    def _diagnoses(self, claim: FileClaim, text: str, any_read: bool, position: int) -> None:
        """ICD-9-CM codes (BK/BF) are counted, not read: the rules reject them by count.
        An HI that has no element starting BK or BF (the usual one) is not split."""
        icd9 = 0
        separator = self._separator
        if may_hold_icd9(text, separator):
            component = self.delimiters.component
            elements = text.split(separator)[1:]
            icd9 = sum(element.partition(component)[0] in _ICD9 for element in elements)
        if icd9:
            record = claim.record
            record["icd9_diagnoses"] = record.get("icd9_diagnoses", 0) + icd9
        if any_read or icd9:
            claim.positions.setdefault("HI", position)
            claim.positions.setdefault("icd9_diagnoses", position)


def may_hold_icd9(hi: str, separator: str) -> bool:
    """Whether HI segment text ``hi`` has an element that starts BK or BF (an ICD-9-CM
    code's qualifier): only such an HI is worth splitting for them, and the usual one has
    none.  (The qualifiers of :data:`_ICD9`, spelled out: this runs on every HI.)"""
    return separator + "BK" in hi or separator + "BF" in hi


def _fill_item(
    d: _Described,
    target: dict[str, Any],
    places: dict[str, int] | None,
    values: dict[str, Any],
    position: int,
) -> None:
    """Write what a segment about a listed subject read as ``d`` into its item in
    ``target`` (see :func:`_item`), and place each of ``values``' field paths in
    ``places`` (None for a line's) under the item's concrete path
    (``other_payers[1].subscriber``).  :meth:`ClaimWalker.read` does the same for an
    unlisted subject itself: other coverage's loops are the rare ones."""
    item, prefix = _item(target, d)
    if places is not None and d.opens_loop:
        places[prefix] = position
    if not values:
        return
    _write(d, item, values)
    if places is None:
        return
    place_of = d.places
    for name in values:
        places[f"{prefix}.{place_of[name]}"] = position
    places.setdefault(prefix, position)


def _write(d: _Described, target: dict[str, Any], values: dict[str, Any]) -> None:
    """Write what a segment read as ``d`` into ``target`` when its values go to several
    dicts, or to lists (:meth:`ClaimWalker.read` writes the usual segment itself)."""
    paths = d.paths
    node, at = target, ()
    for name, value in values.items():
        parents, last, kind = paths[name]
        if parents is not at:  # most of a segment's values share their parents
            node, at = target, parents
            for part in parents:
                node = node.setdefault(part, {})
        if not kind:
            node[last] = value
        else:  # a list, shared by every segment spelled the same: its items are copied
            node.setdefault(last, []).extend(value if kind == _CODES else _copy(value))


def _procedure(values: dict[str, Any]) -> None:
    """The code set is not in the 837P (SV101-1 is HC for both): it follows from the code."""
    code = values.get("procedure_code")
    if code:
        values["code_set"] = "HCPCS" if procedure_kind(code) == "hcpcs_level_ii" else "CPT"


def _copy(value: Any) -> Any:
    """A copy of record data (dicts and lists of strings, numbers and dates): what
    ``copy.deepcopy`` makes of it, at a fraction of the cost (nothing to memoise: the
    reader never shares a part within one record)."""
    if type(value) is dict:
        return {k: _copy(v) if type(v) in _NESTED else v for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) if type(v) in _NESTED else v for v in value]
    return value


_NESTED = (dict, list)


def _item(root: dict[str, Any], d: _Described) -> tuple[dict[str, Any], str]:
    """The dict a segment about a listed subject fills, and the concrete path of the
    subject (``other_payers[1].subscriber``, where findings point).

    ``other_payers[].subscriber`` is the subscriber of the last other payer read;
    ``other_payers[].adjustments[]``, by a segment that starts an item, appends one
    adjustment to it."""
    target, path = root, []
    last = len(d.steps) - 1
    for i, (key, listed) in enumerate(d.steps):
        if not listed:
            target = target.setdefault(key, {})
            path.append(key)
            continue
        items = target.setdefault(key, [])
        if not items or (d.starts_item and i == last and not d.rest):
            items.append({})
        target = items[-1]
        path.append(f"{key}[{len(items) - 1}]")
    if d.rest:
        path.append(d.rest)
    return target, ".".join(path)


def file_claims(segments: Iterable[Segment], guide: Guide | None = None) -> Iterator[FileClaim]:
    """The claims of 837P segments: one transaction set's body, or whole interchanges."""
    walker = ClaimWalker(guide or x222a1())
    for seg in segments:
        if seg.delimiters is not walker.delimiters:
            walker.use(seg.delimiters)
        done = walker.feed(seg.elements, seg.position)
        if done is not None:
            yield done
    last = walker.close()
    if last is not None:
        yield last


# -- whole uploads: envelopes and transaction sets --------------------------------------


@dataclass(frozen=True, slots=True)
class Transaction837:
    st02: str
    st03: str
    bht03: str
    segment_count: int
    claims: tuple[FileClaim, ...]


@dataclass(frozen=True, slots=True)
class Envelope837:
    """ISA/GS facts every answer needs: who sent it, to whom, and its control numbers."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    isa09: str
    isa10: str
    isa13: str
    usage: str
    gs02: str = ""
    gs03: str = ""
    gs06: str = ""
    gs08: str = ""
    submitter_name: str = ""
    submitter_id: str = ""


@dataclass(frozen=True, slots=True)
class Interchange837:
    envelope: Envelope837
    transactions: tuple[Transaction837, ...]
    findings: tuple[EnvelopeFinding, ...]
    group_count: int
    """Number of GS groups, each of which a 999 answers."""


def _header(body: list[Segment], guide: Guide) -> dict[str, str]:
    """The transaction header's builder values: ``@reference`` (BHT03), ``@submitter_id``."""
    out: dict[str, str] = {}
    plans = [SegmentReader(guide[name]) for name in ("transaction_start", "submitter_name")]
    for seg in body[:8]:
        for plan in plans:
            if plan.segment_id == seg.id and plan.matches(seg):
                out.update(plan.read(seg, builder=True))
    return out


def read_837(
    data: bytes | str, name: str = "<upload>", guide: Guide | None = None
) -> Interchange837:
    """Read every 837 transaction set of one upload; raises X12ParseError if it is not X12.

    Without ``guide``, each transaction set is read by the description its ST03 (else
    GS08) names: an 837I by X223A2's, anything else by the 837P's."""
    given = guide
    isa = next(iter_segments(data, name), None)
    if isa is None:
        raise X12ParseError(name, "the file is empty", 1, 0)
    envelope = Envelope837(
        sender_qualifier=isa.get(5).strip(),
        sender_id=isa.get(6).strip(),
        receiver_qualifier=isa.get(7).strip(),
        receiver_id=isa.get(8).strip(),
        isa09=isa.get(9),
        isa10=isa.get(10),
        isa13=isa.get(13),
        usage=isa.get(15),
    )
    findings: list[EnvelopeFinding] = []
    transactions: list[Transaction837] = []
    groups: set[str] = set()
    for tx in iter_transactions(data, name, findings):
        gs = tx.gs
        if gs is not None and not groups:
            envelope = replace(
                envelope, gs02=gs.get(2), gs03=gs.get(3), gs06=gs.get(6), gs08=gs.get(8)
            )
        if gs is not None:
            groups.add(gs.get(6))
        version = tx.st.get(3) if tx.st is not None else ""
        guide = given or guide_for("837", version or (gs.get(8) if gs else "")) or x222a1()
        if tx.st is None or tx.code != guide.transaction:
            for _ in tx:
                pass
            continue
        body = list(tx)
        header = _header(body, guide)
        if not envelope.submitter_id:
            envelope = replace(
                envelope,
                submitter_name=header.get("@submitter_name", ""),
                submitter_id=header.get("@submitter_id", ""),
            )
        claims = tuple(file_claims([tx.st, *body], guide))
        transactions.append(
            Transaction837(
                tx.st02, tx.st.get(3), header.get("@reference", ""), tx.segment_count, claims
            )
        )
    return Interchange837(envelope, tuple(transactions), tuple(findings), len(groups))
