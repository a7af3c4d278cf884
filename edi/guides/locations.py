"""Where an encounter field sits in the X12: the guide's bindings read backwards.

A finding on ``service_lines[2].charge`` names loop 2400, SV1, SV102 so a biller with an
X12 viewer, or a clearinghouse's report, finds it.  The answer comes from the same
description the builder writes from, so it cannot drift from what is actually sent.
"""

from __future__ import annotations

import re
from functools import cache

from edi.guides.model import Guide, SegmentSpec, x222a1

Location = tuple[str, str, str | None]
"""(loop, segment, element): ``('2400', 'SV1', 'SV102')``; element ``None`` for a whole
segment (a provider as a whole is its NM1)."""

_INDEX = re.compile(r"\[\d*\]")


def _bare(path: str) -> str:
    """``service_lines[2].modifiers[0]`` → ``service_lines.modifiers``."""
    return _INDEX.sub("", path)


@cache
def _index(guide: Guide) -> tuple[dict[str, Location], dict[str, Location]]:
    """Field path → its element; and every path prefix → the segment that stands for it:
    the subject's NM1 (a party is its name segment), else the first segment describing
    that subject, else the first holding any field under it."""
    fields: dict[str, Location] = {}
    wholes: dict[str, tuple[int, Location]] = {}
    for spec in guide.segments.values():
        for element in spec.elements:
            for path in element.paths(spec.subject):
                bare = _bare(path)
                fields.setdefault(bare, (spec.loop, spec.segment_id, element.position))
                _stand_for(wholes, bare, spec)
    return fields, {k: v for k, (_, v) in wholes.items()}


def _stand_for(wholes: dict[str, tuple[int, Location]], bare: str, spec: SegmentSpec) -> None:
    parts = bare.split(".")
    subject = _bare(spec.subject)
    for length in range(1, len(parts)):
        prefix = ".".join(parts[:length])
        rank = (prefix == subject) + (prefix == subject and spec.segment_id == "NM1")
        if prefix not in wholes or rank > wholes[prefix][0]:
            wholes[prefix] = (rank, (spec.loop, spec.segment_id, None))


@cache
def _sizes(guide: Guide) -> dict[str, int]:
    """Field path (no indexes) → the most characters its element holds."""
    sizes: dict[str, int] = {}
    for spec in guide.segments.values():
        for element in spec.elements:
            for path in element.paths(spec.subject):
                sizes.setdefault(_bare(path), element.facts.max_length)
    return sizes


def max_length(path: str, guide: Guide | None = None) -> int | None:
    """The most characters the element carrying ``path`` holds, or ``None`` if unknown."""
    return _sizes(guide or x222a1()).get(_bare(path)) or None


def x12_location(path: str, guide: Guide | None = None) -> Location | None:
    """Where an encounter field goes in the 837P, or ``None`` if nowhere."""
    fields, wholes = _index(guide or x222a1())
    bare = _bare(path)
    if bare in fields:
        return fields[bare]
    parts = bare.split(".")
    for length in range(len(parts), 0, -1):
        location = wholes.get(".".join(parts[:length]))
        if location is not None:
            return location
    return None
