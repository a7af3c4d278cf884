"""The facts pyx12's XML maps already hold: loops, segments and their elements.

pyx12 ships one map per implementation guide (``pyx12/map/837.5010.X222.A1.xml``) and a
data element dictionary (``dataele.xml``) with each element's type and size.  They are read
here, once per guide, so that no loop, usage, size or code list is typed twice.  Only the
standard library's XML parser is used: pyx12's own map objects validate whole files and
are far heavier than the few facts a builder and a reader need.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # parsed only when a guide is not in the cache (edi.guides.model)
    import xml.etree.ElementTree as ET

_MAPS = files("pyx12") / "map"


@dataclass(frozen=True, slots=True)
class MapElement:
    """One simple element (``NM109``) or component (``CLM05-01``) as the map states it."""

    xid: str
    name: str
    usage: str
    data_element: str
    data_type: str
    min_length: int
    max_length: int
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MapSegment:
    """One segment of a loop; ``elements`` keyed by xid, components as ``CLM05-01``."""

    segment_id: str
    name: str
    usage: str
    max_use: str
    syntax: tuple[str, ...]
    elements: dict[str, MapElement]

    def qualifiers(self) -> tuple[str, ...]:
        """The codes the segment's first element allows: what tells its variants apart.

        When that element is a composite (the 837I's HI segments), its first component's
        codes do: ``ABK`` principal diagnosis, ``BH`` occurrence, ``BE`` value..."""
        first = self.elements.get(f"{self.segment_id}01")
        if first and first.codes:
            return first.codes
        component = self.elements.get(f"{self.segment_id}01-01")
        return component.codes if component else ()


@dataclass(frozen=True, slots=True)
class MapLoop:
    loop_id: str
    name: str
    usage: str
    repeat: str
    parent: str | None
    segments: tuple[MapSegment, ...]

    @property
    def first_segment(self) -> str:
        """The segment that opens the loop (its first, by the X12 loop rules)."""
        return self.segments[0].segment_id if self.segments else ""


@cache
def data_elements() -> dict[str, tuple[str, int, int]]:
    """``dataele.xml``: element number → (type, min length, max length)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring((_MAPS / "dataele.xml").read_bytes())
    return {
        e.get("ele_num", ""): (
            e.get("data_type", ""),
            int(e.get("min_len", 0)),
            int(e.get("max_len", 0)),
        )
        for e in root.iter("data_ele")
    }


def _text(node: ET.Element, tag: str) -> str:
    return (node.findtext(tag) or "").strip()


def _element(node: ET.Element) -> MapElement:
    number = _text(node, "data_ele")
    data_type, low, high = data_elements().get(number, ("AN", 0, 0))
    codes = tuple(c.text.strip() for c in node.iterfind("valid_codes/code") if c.text)
    return MapElement(
        node.get("xid", ""),
        _text(node, "name"),
        _text(node, "usage"),
        number,
        data_type,
        low,
        high,
        codes,
    )


def _segment(node: ET.Element) -> MapSegment:
    elements: dict[str, MapElement] = {}
    for child in node:
        if child.tag == "element":
            element = _element(child)
            elements[element.xid] = element
        elif child.tag == "composite":
            for component in child.iterfind("element"):
                element = _element(component)
                elements[element.xid] = element
            composite = _element(child)
            elements[composite.xid] = composite
    return MapSegment(
        node.get("xid", ""),
        _text(node, "name"),
        _text(node, "usage"),
        _text(node, "max_use"),
        tuple(s.text.strip() for s in node.iterfind("syntax") if s.text),
        elements,
    )


@cache
def map_loops(map_name: str) -> dict[str, MapLoop]:
    """Every loop of one pyx12 map by ID; a loop that appears twice (the 837's 2300 under
    both 2000B and 2000C) is kept as first met: its segments are the same."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring((_MAPS / map_name).read_bytes())
    loops: dict[str, MapLoop] = {}

    def walk(node: ET.Element, parent: str | None) -> None:
        for child in node.iterfind("loop"):
            loop_id = child.get("xid", "")
            segments = tuple(_segment(s) for s in child.iterfind("segment"))
            if loop_id not in loops:
                loops[loop_id] = MapLoop(
                    loop_id,
                    _text(child, "name"),
                    _text(child, "usage"),
                    _text(child, "repeat"),
                    parent,
                    segments,
                )
            walk(child, loop_id)

    walk(root, None)
    return loops
