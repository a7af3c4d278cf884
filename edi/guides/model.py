"""An implementation guide as data: which element carries which encounter field.

A guide description (``x222a1.yaml``) names each segment the project writes or reads: its
loop, its segment ID, the encounter object it describes (``subject``) and what each of its
elements holds.  Everything the X12 guide itself says about those elements (usage, type,
size, code list, names) is taken from pyx12's map of the same guide
(:mod:`edi.guides.pyx12_maps`), so the description only adds the project's own part: the
binding of encounter fields to elements.

An element's binding, as written in the description:

``=CODE``
    a fixed code (a qualifier such as ``NM101 =85``);
``@name``
    a value the builder supplies that is not an encounter field (HL numbers, the BHT
    reference, an entity type); a reader ignores it;
``field``
    the encounter field, relative to the segment's ``subject`` (``npi``, ``address.city``,
    ``modifiers[0]`` for the first of a list); ``a|b`` writes the first that has a value
    and reads back by the entity type (NM102 ``2``, an organisation, is ``a``);
``{field: F, codes: {value: CODE}}``
    a field written as a code (``EIN`` → ``EI``, ``true`` → ``Y``), read back the same way;
``{field: F, through: G}``
    a date period: ``CCYYMMDD`` alone, or ``CCYYMMDD-CCYYMMDD`` when ``G`` differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from edi import package_cache
from edi.guides import pyx12_maps
from edi.guides.pyx12_maps import MapElement, MapSegment, map_loops

X222A1 = files("edi.guides") / "x222a1.yaml"
X223A2 = files("edi.guides") / "x223a2.yaml"


class GuideError(ValueError):
    """A guide description that contradicts pyx12's map or itself; names the entry and fix."""


@dataclass(frozen=True, slots=True)
class Binding:
    kind: str
    """``code``, ``builder`` or ``field``."""
    value: str = ""
    """The code, the builder's value name, or the field relative to the subject."""
    alternatives: tuple[str, ...] = ()
    codes: tuple[tuple[Any, str], ...] = ()
    through: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """The encounter fields this binding carries, relative to the subject."""
        if self.kind != "field":
            return ()
        return self.alternatives + ((self.through,) if self.through else ())


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One element or component the project uses, with the map's facts about it."""

    position: str
    """``NM109`` or ``CLM05-3``: the notation of the guides' own tables."""
    index: int
    component: int | None
    binding: Binding
    facts: MapElement

    def paths(self, subject: str) -> tuple[str, ...]:
        """The full encounter field paths this element carries (``billing_provider.npi``)."""
        return tuple(f"{subject}.{f}" if subject else f for f in self.binding.fields)


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    """One segment of the guide as the project uses it (``2010AA NM1*85``)."""

    name: str
    loop: str
    segment_id: str
    subject: str
    """The encounter object the segment describes (``billing_provider``,
    ``service_lines[]`` for each line); ``""`` for the claim itself."""
    facts: MapSegment
    elements: tuple[ElementSpec, ...]

    @property
    def usage(self) -> str:
        return self.facts.usage

    @property
    def qualifier_element(self) -> ElementSpec | None:
        """The element that tells this segment from its siblings in the loop: the first of
        its first three simple elements with a fixed code or a code list (NM101, REF01,
        HL03, LIN02)."""
        for element in self.elements[:3]:
            if element.component is None and (
                element.binding.kind == "code" or element.binding.codes
            ):
                return element
        return None

    @property
    def qualifier(self) -> str:
        """The fixed code that names the variant (``85`` of NM1*85), if any."""
        element = self.qualifier_element
        return element.binding.value if element and element.binding.kind == "code" else ""

    @property
    def ranged(self) -> bool:
        """Whether a period's format is fixed ``RD8`` here (the 837I's statement dates,
        occurrence spans): every period is then written, and read, as a range."""
        return any(e.binding.kind == "code" and e.binding.value == "RD8" for e in self.elements)

    def label(self) -> str:
        return f"{self.loop} {self.segment_id}" + (f"*{self.qualifier}" if self.qualifier else "")


@dataclass(frozen=True, slots=True)
class Loop:
    loop_id: str
    name: str
    parent: str | None
    first_segment: str


@dataclass(frozen=True, slots=True, eq=False)
class Guide:
    version: str
    transaction: str
    title: str
    segments: dict[str, SegmentSpec]
    loops: dict[str, Loop]

    def __getitem__(self, name: str) -> SegmentSpec:
        return self.segments[name]


_FIELD = re.compile(r"[a-z_][a-z0-9_]*(\[\d+\])?(\.[a-z_][a-z0-9_]*(\[\d+\])?)*")
"""A field path: ``npi``, ``address.city``, ``modifiers[0]`` (and nothing else: the
builder's render functions are generated from these names)."""


def _binding(raw: Any, where: str) -> Binding:
    if isinstance(raw, dict):
        field = str(raw.get("field", ""))
        codes = tuple((value, str(code)) for value, code in (raw.get("codes") or {}).items())
        binding = Binding("field", field, (field,), codes, str(raw.get("through", "")))
    elif str(raw).startswith("="):
        return Binding("code", str(raw)[1:])
    elif str(raw).startswith("@"):
        binding = Binding("builder", str(raw)[1:])
        if not _FIELD.fullmatch(binding.value):
            raise GuideError(f"{where}: {raw!r} is not a builder value name like @reference")
        return binding
    else:
        binding = Binding("field", str(raw), tuple(str(raw).split("|")))
    for field in binding.fields:
        if not _FIELD.fullmatch(field):
            raise GuideError(
                f"{where}: {field!r} is not a field path like address.city or modifiers[0]"
            )
    return binding


def _split_position(position: str, segment_id: str, where: str) -> tuple[int, int | None, str]:
    """``CLM05-3`` → (5, 3, pyx12's ``CLM05-03``)."""
    element, _, component = position.partition("-")
    if not element.startswith(segment_id) or not element[len(segment_id) :].isdigit():
        raise GuideError(f"{where}: {position!r} is not an element of {segment_id}")
    index = int(element[len(segment_id) :])
    if not component:
        return index, None, element
    return index, int(component), f"{element}-{int(component):02d}"


def _map_segment(loop: Any, segment_id: str, qualifier: str, where: str) -> MapSegment:
    candidates = [s for s in loop.segments if s.segment_id == segment_id]
    for segment in candidates:
        if not qualifier or qualifier in segment.qualifiers() or not segment.qualifiers():
            return segment
    raise GuideError(
        f"{where}: pyx12's map has no {segment_id} with code {qualifier!r} in loop {loop.loop_id}"
    )


def _segment(name: str, raw: dict[str, Any], loops: dict[str, Any]) -> SegmentSpec:
    where = f"segment {name!r}"
    loop_id, segment_id = str(raw.get("loop", "")), str(raw.get("segment", ""))
    if loop_id not in loops:
        raise GuideError(
            f"{where}: loop {loop_id!r} is not in pyx12's map; use one of its loop IDs"
        )
    elements_raw: dict[str, Any] = raw.get("elements") or {}
    first = elements_raw.get(f"{segment_id}01", elements_raw.get(f"{segment_id}01-1"))
    qualifier = str(first)[1:] if isinstance(first, str) and first.startswith("=") else ""
    facts = _map_segment(loops[loop_id], segment_id, qualifier, where)
    elements = []
    for position, raw_binding in elements_raw.items():
        index, component, xid = _split_position(str(position), segment_id, where)
        element = facts.elements.get(xid)
        if element is None:
            raise GuideError(f"{where}: pyx12's map has no {xid} in {loop_id} {segment_id}")
        if element.usage == "N":
            raise GuideError(f"{where}: {position} is not used in this guide (usage N); remove it")
        binding = _binding(raw_binding, f"{where} {position}")
        if binding.kind == "code" and element.codes and binding.value not in element.codes:
            allowed = ", ".join(element.codes)
            raise GuideError(f"{where}: {position} code {binding.value!r} is not one of {allowed}")
        elements.append(ElementSpec(str(position), index, component, binding, element))
    elements.sort(key=lambda e: (e.index, e.component or 0))
    return SegmentSpec(
        name, loop_id, segment_id, str(raw.get("subject", "")), facts, tuple(elements)
    )


def load_guide(path: Path | str | None = None) -> Guide:
    """Read a guide description; ``None`` is the 837P (X222A1) shipped with the package.

    Use :func:`x222a1` for the shipped one: it is read once per process."""
    text = Path(path).read_text(encoding="utf-8") if path else X222A1.read_text(encoding="utf-8")
    return _guide(text)


def _guide(text: str) -> Guide:
    import yaml  # only when the cache has no guide: importing PyYAML costs a start 15 ms

    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    map_name = str(raw["pyx12_map"])
    loops = map_loops(map_name)
    segments = {name: _segment(name, body, loops) for name, body in raw["segments"].items()}
    return Guide(
        str(raw["version"]),
        str(raw["transaction"]),
        str(raw.get("title", "")),
        segments,
        {k: Loop(k, v.name, v.parent, v.first_segment) for k, v in loops.items()},
    )


def _shipped(description: Traversable) -> Guide:
    """A description shipped with the package, read through the user's cache
    (:mod:`edi.package_cache`): reading it means reading pyx12's map, longer than a small
    file's whole validation.  Keyed by the description, pyx12's and PyYAML's versions (the
    map is pyx12's package data) and the source of this module and the map reader."""
    import pyx12

    text = description.read_text(encoding="utf-8")
    key = package_cache.key_of(
        pyx12.__version__,
        version("PyYAML"),
        text,
        Path(__file__).read_bytes(),
        Path(pyx12_maps.__file__).read_bytes(),
    )
    return package_cache.cached(f"description-{description.name}", key, lambda: _guide(text))


@cache
def x222a1() -> Guide:
    """The 837P guide description, loaded on first use and kept for the process."""
    return _shipped(X222A1)


@cache
def x223a2() -> Guide:
    """The 837I guide description (over pyx12's X223A1 map), loaded on first use."""
    return _shipped(X223A2)


def guide_for(code: str, version: str) -> Guide | None:
    """The description a transaction set is read by: any 5010 837P (X222) by X222A1's, any
    5010 837I (X223) by X223A2's (the errata change no element the project reads); None
    for anything else."""
    if code != "837":
        return None
    if version.startswith("005010X222"):
        return x222a1()
    if version.startswith("005010X223"):
        return x223a2()
    return None
