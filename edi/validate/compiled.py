"""A pyx12 map compiled once into flat tables the walker and the element checks index.

pyx12's knowledge of each implementation guide is data (its XML maps); its engine is
what is slow: it walks a tree of node objects, keys its counters by path objects and
builds several objects per element of every segment.  Here a map is read once (with
pyx12's own loader, so positions, paths, usages, repeats, element types and code lists
are exactly those pyx12 judges by) and flattened into lists indexed by node number:

- every loop and segment is a node; ``children[n]`` are a loop's children in position
  order, grouped by position as pyx12 groups them (``pos_map``);
- counters are *slots*: nodes with the same path share one, as pyx12's path-keyed
  counter makes them do, and entering a loop clears the slots below it (``below``);
- a segment's element rules are one tuple per element (:data:`ElementRule`), its
  syntax notes a tuple of ``(kind, positions)``.

The compiled form is cached per map file for the life of the process, and between
processes in the user's cache folder.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from edi import package_cache

ROOT, LOOP, SEGMENT = 0, 1, 2
FIRST = ((0, -1),)
"""The usual qualifier of a segment: its first element, whole (REF01, NM101, DTP01...);
``key_paths`` holds this very tuple for it, so the hot path tests it by identity."""
MAXINT = 2**31 - 1

ElementRule = tuple
"""``(seq, usage, name, data_ele, type, min, max, codes, external, regex, is_1250, is_1251,
repeat)`` for a simple element; ``(seq, usage, name, refdes, None, components, repeat)`` for
a composite, ``components`` being element rules.  ``repeat`` is how many times the guide
lets the element occur, separated by the interchange's repetition separator (ISA11): the
map's ``<repeat>`` (EB03's 99 service types), 1 where it says nothing."""

Repeats = dict[tuple[str, str, str], int]
"""``(loop ID, segment ID, element ID) -> repeat`` for the elements a map lets repeat."""


@dataclass(slots=True)
class Guide:
    """One compiled map: node tables, slot tables and the segment rules."""

    map_file: str
    map_id: str
    kind: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    usage: list[str] = field(default_factory=list)
    pos: list[int] = field(default_factory=list)
    max_repeat: list[int] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    slot: list[int] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    children: list[list[tuple[int, tuple[int, ...]]]] = field(default_factory=list)
    """Per loop (or root): ``[(pos, (child, ...)), ...]`` sorted by pos."""
    first: list[int] = field(default_factory=list)
    """Per loop: its first child node (-1 when empty)."""
    key: list[tuple[int, int, frozenset] | None] = field(default_factory=list)
    """Per segment: ``(element, component or -1, codes)`` that tells variants apart."""
    rules: list[tuple[ElementRule, ...]] = field(default_factory=list)
    syntax: list[tuple[tuple[str, tuple[int, ...]], ...]] = field(default_factory=list)
    below: list[tuple[int, ...]] = field(default_factory=list)
    """Per loop: the slots whose paths lie under its path (cleared when it is entered)."""
    below_range: list[tuple[int, int]] = field(default_factory=list)
    """Per loop: ``below`` as a slice ``(lo, hi)`` when contiguous, else ``(0, -1)``."""
    slots: int = 0
    key_paths: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    """Per segment ID: every (element, component) any node of that ID matches on."""
    by_path: dict[str, int] = field(default_factory=dict)
    external: dict[str, frozenset] = field(default_factory=dict)
    labels: list[str | None] = field(default_factory=list)
    """Per node: the loop the pyx12 wrapper names for it (its parent, unless ``*_LOOP``)."""
    acceptors: dict = field(default_factory=dict)
    """Per (node, element separator, component separator): its acceptor (accept.py)."""
    plans: dict = field(default_factory=dict)
    """Walk plans found so far, by (start node, segment ID, qualifiers): see walk.py."""


def _max(value: str | None) -> int:
    if value is None or value in (">1", "&gt;1"):
        return MAXINT
    return int(value)


def _repeats(xml) -> Repeats:
    """The ``<repeat>`` of every element and composite of a map's XML that has one.

    pyx12 reads it for composites only and judges a repeated element as one value; the
    engine splits on the repetition separator and checks each repeat (IK403 ``12``, "Too
    Many Repetitions", past the count)."""
    out: Repeats = {}
    for loop in xml.iter("loop"):
        for seg in loop.findall("segment"):
            for ele in seg:
                if ele.tag not in ("element", "composite"):
                    continue
                text = ele.get("repeat") or ele.findtext("repeat")
                if text and text.strip().isdigit() and int(text) > 1:
                    key = (loop.get("xid") or "", seg.get("xid") or "", ele.get("xid") or "")
                    out[key] = max(out.get(key, 1), int(text))
    return out


def _element_rule(node, root, external: dict[str, frozenset], repeat: int = 1) -> ElementRule:
    data = node._resolve_data_ele()
    codes = frozenset(node.valid_codes) if node.valid_codes else None
    ext = node.external_codes
    if ext is not None and ext not in external:
        if ext in root.ext_codes.exclude_list:
            external[ext] = frozenset()
        else:
            external[ext] = frozenset(root.ext_codes.codes[ext]["codes"])
    return (
        node.seq,
        node.usage,
        node.name,
        node.data_ele,
        data["data_type"],
        data["min_len"],
        data["max_len"],
        codes,
        ext,
        node.rec,
        node.data_ele == "1250",
        node.data_ele == "1251",
        repeat,
    )


def _key(seg) -> tuple[int, int, frozenset] | None:
    """Where pyx12's ``is_match`` reads the qualifier of a segment node."""
    found = seg._resolve_unique_key_field(seg.id, with_qual=False)
    if found is None:
        return None
    child, ele_idx, sub_idx = found
    return (ele_idx - 1, (sub_idx - 1) if sub_idx else -1, child._valid_codes_set)


def _add(g: Guide, node, kind: int, parent: int) -> int:
    n = len(g.kind)
    g.kind.append(kind)
    g.ids.append(node.id or "")
    g.names.append(node.name or "")
    g.usage.append(node.usage or "")
    g.pos.append(getattr(node, "pos", 0) or 0)
    g.parent.append(parent)
    path = node.get_path()
    g.paths.append(path)
    g.by_path.setdefault(path, n)
    g.children.append([])
    g.first.append(-1)
    g.key.append(None)
    g.rules.append(())
    g.syntax.append(())
    g.below.append(())
    if kind == LOOP:
        g.max_repeat.append(_max(node.repeat))
    elif kind == SEGMENT:
        g.max_repeat.append(node.get_max_repeat())
    else:
        g.max_repeat.append(MAXINT)
    return n


def _walk(g: Guide, node, kind: int, parent: int, root, repeats: Repeats) -> int:
    from pyx12.map_if import composite_if

    n = _add(g, node, kind, parent)
    if kind == SEGMENT:
        g.key[n] = _key(node)
        rules = []
        for child in node.children:
            repeat = repeats.get((g.ids[parent], node.id, child.id), 1)
            if isinstance(child, composite_if):
                comps = tuple(_element_rule(c, root, g.external) for c in child.children)
                rules.append(
                    (child.seq, child.usage, child.name, child.refdes, None, comps, repeat)
                )
            else:
                rules.append(_element_rule(child, root, g.external, repeat))
        g.rules[n] = tuple(rules)
        g.syntax[n] = tuple((s[0], tuple(int(i) for i in s[1:])) for s in node.syntax)
        return n
    groups = []
    for ordinal in sorted(node.pos_map):
        members = []
        for child in node.pos_map[ordinal]:
            child_kind = LOOP if child.is_loop() else SEGMENT
            members.append(_walk(g, child, child_kind, n, root, repeats))
        groups.append((ordinal, tuple(members)))
    g.children[n] = groups
    g.first[n] = groups[0][1][0] if groups else -1
    return n


def _slots(g: Guide) -> None:
    """One counter slot per distinct path; per loop, the slots under it."""
    numbers: dict[str, int] = {}
    for path in g.paths:
        g.slot.append(numbers.setdefault(path, len(numbers)))
    g.slots = len(numbers)
    for n, kind in enumerate(g.kind):
        if kind != LOOP:
            continue
        head = g.paths[n].split("/")
        below = [
            s
            for p, s in numbers.items()
            if len(p.split("/")) > len(head) and p.split("/")[: len(head)] == head
        ]
        g.below[n] = tuple(sorted(below))
    g.below_range = [
        (b[0], b[-1] + 1) if b and b[-1] - b[0] + 1 == len(b) else (0, -1) for b in g.below
    ]


OWN_MAPS = Path(__file__).with_name("maps")
"""Guides described here, in pyx12's map format, for versions pyx12 does not index."""
OWN_INDEX = {
    ("00501", "005010X212", "HN"): "277.5010.X212.xml",
    ("00501", "005010X212", "HR"): "276.5010.X212.xml",
    ("00501", "005010X279A1", "HS"): "270.5010.X279.A1.xml",
    ("00501", "005010X279A1", "HB"): "271.5010.X279.A1.xml",
}
"""(ISA12, GS08, GS01) -> our map file.  pyx12 ships a 277 X212 map but leaves it out of
its index: an unfinished wrapper loop (Table 2 Area 3, no repeat, holding the footer and
SE) stops its loader; ours is that map with the wrapper taken out and SE in the
transaction set, as in pyx12's other 5010 maps.  pyx12 has no 5010 270/271 (X279A1) map;
ours are its 4010 X092A1 maps, whose loops 5010 keeps, with the 5010 envelope and changes
and the 5010 code lists of x12sdk's models (tests/validate/test_code_lists.py)."""


def _map_bytes(map_file: str) -> bytes:
    """A map file's XML: ours (``OWN_MAPS``) or one pyx12 ships."""
    from importlib.resources import files

    ours = OWN_MAPS / map_file
    if map_file in OWN_INDEX.values() and ours.is_file():
        return ours.read_bytes()
    if map_file != Path(map_file).name:
        raise ValueError(f"not a map file name: {map_file}")
    return files("pyx12").joinpath("map", map_file).read_bytes()


def _load(data: bytes):
    """pyx12's map object for a map file's XML, and that XML, read as its
    ``load_map_file`` reads it: with pyx12's own data elements and external code lists."""
    import pyx12.map_if
    import pyx12.params
    from defusedxml.ElementTree import fromstring

    logging.getLogger("pyx12").setLevel(logging.CRITICAL + 1)
    xml = fromstring(data)
    return pyx12.map_if.map_if(xml, pyx12.params.params()), xml


@cache
def compiled(map_file: str) -> Guide:
    """The compiled form of one map file (``837.5010.X222.A1.xml``), cached.

    Compiling takes longer than a small file's whole validation, so the result is also kept
    in the user's cache (:mod:`edi.package_cache`), keyed by pyx12's version, the map's
    bytes and this module's source: any of them changing compiles it afresh."""
    import pyx12

    data = _map_bytes(map_file)
    key = package_cache.key_of(pyx12.__version__, data, Path(__file__).read_bytes())
    g = package_cache.cached(f"guide-{map_file}", key, lambda: _compile(map_file, data))
    g.key_paths = {sid: FIRST if p == FIRST else p for sid, p in g.key_paths.items()}
    return g


def _compile(map_file: str, data: bytes) -> Guide:
    root, xml = _load(data)
    repeats = _repeats(xml)
    g = Guide(map_file, root.id or "")
    n = _add(g, root, ROOT, -1)
    groups = []
    for ordinal in sorted(root.pos_map):
        members = tuple(
            _walk(g, c, LOOP if c.is_loop() else SEGMENT, n, root, repeats)
            for c in root.pos_map[ordinal]
        )
        groups.append((ordinal, members))
    g.children[n] = groups
    g.first[n] = groups[0][1][0] if groups else -1
    _slots(g)
    g.labels = [
        g.ids[p] if p >= 0 and g.kind[p] == LOOP and not g.ids[p].endswith("_LOOP") else None
        for p in g.parent
    ]
    paths: dict[str, set[tuple[int, int]]] = {}
    for i, kind in enumerate(g.kind):
        if kind == SEGMENT:
            k = g.key[i]
            paths.setdefault(g.ids[i], set())
            if k is not None:
                paths[g.ids[i]].add((k[0], k[1]))
    g.key_paths = {sid: tuple(sorted(p)) for sid, p in paths.items()}
    return g


MapIndex = dict[tuple[str | None, str | None, str | None], str | None]
"""pyx12's map index: ``(ISA12, GS08, GS01) -> map file``."""


@cache
def map_file_for(icvn: str, version: str, functional_id: str) -> str | None:
    """The map file for an ISA12/GS08/GS01: ours (``OWN_INDEX``), or as pyx12's own index
    names it."""
    own = OWN_INDEX.get((icvn, version, functional_id))
    return own or pyx12_map_file(icvn, version, functional_id)


def pyx12_map_file(icvn: str, version: str, functional_id: str) -> str | None:
    """The map file pyx12's own index (``maps.xml``) names for an ISA12/GS08/GS01, as its
    ``map_index.get_filename`` would."""
    return _pyx12_index().get((icvn, version, functional_id))


@cache
def _pyx12_index() -> MapIndex:
    """pyx12's map index, kept in the user's cache like the compiled maps: importing its
    reader and parsing the index cost more than reading it back."""
    from importlib.resources import files

    import pyx12

    data = files("pyx12").joinpath("map", "maps.xml").read_bytes()
    key = package_cache.key_of(pyx12.__version__, data, Path(__file__).read_bytes())
    return package_cache.cached("pyx12-map-index", key, _read_pyx12_index)


def _read_pyx12_index() -> MapIndex:
    """Each entry as pyx12's ``map_index.get_filename`` answers it: the first listed."""
    import pyx12.map_index

    index: MapIndex = {}
    for entry in pyx12.map_index.map_index().maps:
        index.setdefault((entry["icvn"], entry["vriic"], entry["fic"]), entry["map_file"])
    return index


def control_map(icvn: str) -> Guide:
    """The envelope map (ISA, GS) of an interchange version."""
    return compiled("x12.control.00501.xml" if icvn == "00501" else "x12.control.00401.xml")
