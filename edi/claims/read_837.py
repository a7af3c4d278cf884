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

from collections.abc import Iterable, Iterator
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
    ``icd9_diagnoses`` (see :class:`FiledEncounter`); PHI, so kept out of ``repr``."""
    clm_position: int
    """1-based segment position in the file (as the reader counts)."""
    positions: dict[str, int] = field(default_factory=dict)
    """``'HI'``, ``'line3'`` (the SV1 of line 3) and field paths (``'subscriber'`` → its
    NM1, ``'billing_provider.address.city'`` → its N4) → file position."""
    st02: str = ""
    position: int = 0
    """Position of CLM in its transaction set (ST = 1), as a 999 IK302 counts."""
    end_position: int = 0
    """Position (ST = 1) of the claim's last segment."""

    def position_of(self, field_path: str | None) -> int:
        """The segment a finding on ``field_path`` is about (the CLM when unknown)."""
        if not field_path:
            return self.clm_position
        lines, bracket, rest = field_path.partition("[")
        if bracket and lines in ("service_lines", "revenue_lines"):  # SV1 or SV2
            index = int(rest[: rest.index("]")])
            return self.positions.get(f"line{index + 1}", self.clm_position)
        if field_path.startswith("diagnoses"):
            return self.positions.get("HI", self.clm_position)
        parts = field_path.split(".")
        for length in range(len(parts), 0, -1):
            position = self.positions.get(".".join(parts[:length]))
            if position:
                return position
        return self.clm_position


_LEVELS = ("2000A", "2000B", "2000C")
_AREAS = ("HEADER", *_LEVELS, "2300", "2400")
"""Where the reader stands: the header, a hierarchical level, a claim or a service line.
The loops below them (2010AA, 2310B...) are found within them."""
_OPENERS = frozenset({"HL", "CLM", "LX"})
_LINES = "service_lines[]"
_ICD9 = frozenset({"BK", "BF"})
_MEMO_SIZE = 50_000
"""Entries a walker remembers of each kind before it starts afresh (memory stays flat)."""


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class _Reading:
    by_id: dict[str, tuple[_Described, ...]]
    level_keys: dict[str, frozenset[str]]
    """Hierarchical level → the record keys read in it (forgotten when one opens)."""
    claim_type: str = "professional"
    """What every claim of the guide is: ``institutional`` for the 837I (X223)."""
    lines: str = _LINES
    """The subject of the guide's service lines: ``service_lines[]`` (837P),
    ``revenue_lines[]`` (837I)."""
    probes: dict[str, tuple[tuple[int, ...], bool]] = field(default_factory=dict)
    """Segment ID → the elements its variants are told apart by (NM101, HL03...) and
    whether HI01-1 tells some apart: all :meth:`_Walker._place` looks at in a segment."""

    @property
    def lines_key(self) -> str:
        return self.lines[:-2]


@cache
def _reading(guide: Guide) -> _Reading:
    def area(loop: str | None) -> str:
        while loop is not None and loop not in _AREAS:
            loop = guide.loops[loop].parent
        return loop or "HEADER"

    by_id: dict[str, list[_Described]] = {}
    keys: dict[str, set[str]] = {level: set() for level in _LEVELS}
    for spec in guide.segments.values():
        where = area(spec.loop)
        first = guide.loops[spec.loop].first_segment == spec.segment_id
        starts_item = first or spec.facts.max_use != "1"
        by_id.setdefault(spec.segment_id, []).append(
            _Described(SegmentReader(spec), spec.loop, where, first, starts_item)
        )
        if where in keys:
            keys[where].update(
                path.split(".")[0].split("[")[0]
                for element in spec.elements
                for path in element.paths(spec.subject)
            )
    lines = next(
        (s.subject for s in guide.segments.values() if s.loop == "2400" and s.subject), _LINES
    )
    probes = {
        sid: (
            tuple(sorted({d.reader.qualifier_index for d in variants} - {0})),
            any(d.reader.composite_qualifier for d in variants),
        )
        for sid, variants in by_id.items()
    }
    return _Reading(
        {k: tuple(v) for k, v in by_id.items()},
        {k: frozenset(v) for k, v in keys.items()},
        "institutional" if guide.version.startswith("005010X223") else "professional",
        lines.split(".")[0],
        probes,
    )


class _Walker:
    """Follow one 837's hierarchy and emit a :class:`FileClaim` per CLM."""

    def __init__(self, guide: Guide) -> None:
        self.reading = _reading(guide)
        self.st_position = 0
        self.st02 = ""
        self._placed: dict[tuple[str, ...], _Described | None] = {}
        """What :meth:`_place` decided, by all it looks at (segment ID, where the reader
        stands, the qualifiers): a claim's segments are placed as the last claim's were."""
        self._paths: dict[tuple[str, str, str], tuple[tuple[str, ...], str, str]] = {}
        self._values: dict[tuple[Any, ...], dict[str, Any]] = {}
        """What a described segment reads, by its text: claims repeat most segments
        (service lines, dates, providers, payers), so each is read once."""
        self._start()

    def _start(self) -> None:
        self.header: dict[str, Any] = {}
        """Record parts read above the claim (billing provider, subscriber, payer...)."""
        self.places: dict[str, int] = {}
        """Field path → file position, for the parts above the claim."""
        self.claim: FileClaim | None = None
        self.line: dict[str, Any] | None = None
        self.area = self.loop = "HEADER"
        self.sbr_position = 0

    def feed(self, seg: Segment) -> FileClaim | None:
        """Take one segment; returns the previous claim when a new one (or level) starts."""
        sid = seg.id
        done = None
        if self.claim is not None and sid in ("HL", "CLM", "SE", "ST"):
            done = self.claim
            self.claim = self.line = None
        if sid == "ST":
            self._start()
            self.st_position, self.st02 = seg.position, seg.get(2)
            return done
        if not self.st_position:
            self.st_position = seg.position - 1  # a transaction body, ST left out
        if self.claim is not None:
            self.claim.end_position = seg.position - self.st_position + 1
        described = self._place(seg)
        if described is not None:
            self._take(seg, described)
        return done

    def close(self) -> FileClaim | None:
        return self.claim

    def _place(self, seg: Segment) -> _Described | None:
        """The described segment ``seg`` is, from where the reader stands (None if none):
        a strict match first (HI01-1 agrees too), else a loose one."""
        probe = self.reading.probes.get(seg.id)
        if probe is None:
            return None
        indexes, composite = probe
        key = (seg.id, self.loop, self.area, *[seg.get(i) for i in indexes])
        if composite:
            key += (seg.component(1, 1),)
        try:
            return self._placed[key]
        except KeyError:
            pass
        found = self._find(seg, strict=True) or self._find(seg, strict=False)
        if len(self._placed) >= _MEMO_SIZE:  # qualifiers are codes, unless a file is damaged
            self._placed.clear()
        self._placed[key] = found
        return found

    def _read(self, seg: Segment, d: _Described) -> dict[str, Any]:
        """What ``seg`` carries as ``d`` (not to be changed: it is shared, see ``_values``)."""
        key = (d.reader, seg.delimiters.component, *seg.elements)
        values = self._values.get(key)
        if values is None:
            values = d.reader.read(seg)
            if seg.id == "SV1":
                _procedure(values)
            if len(self._values) >= _MEMO_SIZE:
                self._values.clear()
            self._values[key] = values
        return values

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

    def _take(self, seg: Segment, d: _Described) -> None:
        self.loop = d.loop
        sid = seg.id
        if sid == "HL":
            self._level(d.loop)
        elif sid == "CLM":
            self._claim(seg)
        elif sid == "LX" and self.claim is not None:
            self.line = {}
            self.claim.record[self.reading.lines_key].append(self.line)
            self.area = "2400"
        elif sid == "SBR" and d.area == "2000B":
            self.sbr_position = seg.position
        spec = d.reader.spec
        values = self._read(seg, d)
        if (
            sid == "SBR" and d.area == "2000B" and "subscriber_relationship" not in values
        ):  # an empty SBR02 says the patient is someone else (2000C follows)
            values = {**values, "subscriber_relationship": ""}
        subject = spec.subject
        lines = self.reading.lines
        if subject.startswith(lines):
            if self.line is None or self.claim is None:
                return
            target, rest, prefix = _item(self.line, subject[len(lines) + 1 :], d.starts_item)
            places = {}  # findings on a line point at its SV1 (SV2)
            if sid in ("SV1", "SV2"):
                number = len(self.claim.record[self.reading.lines_key])
                self.claim.positions[f"line{number}"] = seg.position
        elif d.area in ("2300", "2400"):
            if self.claim is None:  # a claim's segment with no CLM before it: nothing to fill
                return
            target, rest, prefix = _item(self.claim.record, subject, d.starts_item)
            places = self.claim.positions
            if sid == "HI":
                self._diagnoses(seg, bool(values))
        else:
            target, rest, prefix, places = self.header, subject, subject, self.places
        position = seg.position
        if prefix and d.opens_loop:
            places[prefix] = position
        for name, value in values.items():
            parents, last, place = self._path(rest, prefix, name)
            node = target
            for part in parents:
                node = node.setdefault(part, {})
            if type(value) is list:  # shared by every segment spelled the same: copied
                node.setdefault(last, []).extend(_copy(value))
            else:
                node[last] = value
            places[place] = position
        if prefix and values:
            places.setdefault(prefix, position)

    def _path(self, rest: str, prefix: str, name: str) -> tuple[tuple[str, ...], str, str]:
        """Where field ``name`` of a segment goes: the parents and key of ``rest.name``
        in the target, and the place ``prefix.name`` (worked out once each)."""
        key = (rest, prefix, name)
        path = self._paths.get(key)
        if path is None:
            *parents, last = (f"{rest}.{name}" if rest else name).split(".")
            path = (tuple(parents), last, f"{prefix}.{name}" if prefix else name)
            if len(self._paths) >= _MEMO_SIZE:
                self._paths.clear()
            self._paths[key] = path
        return path

    def _level(self, level: str) -> None:
        """A new HL: forget what this level and the ones below it had read."""
        self.area = level
        below = _LEVELS[_LEVELS.index(level) :]
        keys = tuple(key for lv in below for key in self.reading.level_keys[lv])
        self.header = {k: v for k, v in self.header.items() if k not in keys}
        self.places = {k: v for k, v in self.places.items() if not k.startswith(keys)}

    def _claim(self, seg: Segment) -> None:
        record = _copy(self.header)
        record.update({"diagnoses": [], "service_lines": [], self.reading.lines_key: []})
        places = {"patient": self.sbr_position, **self.places}
        if self.reading.claim_type != "professional":
            record["claim_type"] = self.reading.claim_type
            places[self.reading.claim_type] = seg.position  # its CLM05, until more is read
        clm_in_st = seg.position - self.st_position + 1
        self.claim = FileClaim(
            seg.get(1), record, seg.position, places, self.st02, clm_in_st, clm_in_st
        )
        self.area, self.line = "2300", None

    def _diagnoses(self, seg: Segment, any_read: bool) -> None:
        """ICD-9-CM codes (BK/BF) are counted, not read: the rules reject them by count."""
        assert self.claim is not None
        icd9 = sum(1 for i in range(1, len(seg.elements)) if seg.component(i, 1) in _ICD9)
        if icd9:
            record = self.claim.record
            record["icd9_diagnoses"] = record.get("icd9_diagnoses", 0) + icd9
        if any_read or icd9:
            self.claim.positions.setdefault("HI", seg.position)
            self.claim.positions.setdefault("icd9_diagnoses", seg.position)


def _copy(value: Any) -> Any:
    """A copy of record data (dicts and lists of strings, numbers and dates), which every
    claim under a level takes of the level's header: what ``copy.deepcopy`` makes of it,
    at a fraction of the cost (nothing to memoise: the reader never shares a part)."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value


def _item(root: dict[str, Any], subject: str, new: bool) -> tuple[dict[str, Any], str, str]:
    """The dict a segment about ``subject`` fills, the path within it, and the concrete
    path of the whole (``other_payers[1].subscriber``, where findings point).

    ``other_payers[].subscriber`` is the subscriber of the last other payer read;
    ``other_payers[].adjustments[]`` with ``new`` appends one adjustment to it.  A subject
    without lists is ``root`` itself at ``subject``."""
    if "[]" not in subject:
        return root, subject, subject
    parts = subject.split(".")
    last = max(i for i, part in enumerate(parts) if part.endswith("[]"))
    target, path = root, []
    for i, part in enumerate(parts[: last + 1]):
        if not part.endswith("[]"):
            target = target.setdefault(part, {})
            path.append(part)
            continue
        items = target.setdefault(part[:-2], [])
        if not items or (new and i == last == len(parts) - 1):
            items.append({})
        target = items[-1]
        path.append(f"{part[:-2]}[{len(items) - 1}]")
    rest = ".".join(parts[last + 1 :])
    return target, rest, ".".join(path + parts[last + 1 :])


def _procedure(values: dict[str, Any]) -> None:
    """The code set is not in the 837P (SV101-1 is HC for both): it follows from the code."""
    code = values.get("procedure_code")
    if code:
        values["code_set"] = "HCPCS" if procedure_kind(code) == "hcpcs_level_ii" else "CPT"


def file_claims(segments: Iterable[Segment], guide: Guide | None = None) -> Iterator[FileClaim]:
    """The claims of 837P segments: one transaction set's body, or whole interchanges."""
    walker = _Walker(guide or x222a1())
    for seg in segments:
        done = walker.feed(seg)
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
