"""Where each segment sits in the guide: pyx12's map walk, memoised as plans.

pyx12 (``map_walker.walk_tree``) finds the map node of each segment by scanning the
current loop's children from the current position, then its parents', entering loops
whose first segment matches; on the way it notes required segments and loops skipped,
and on arrival it counts the segment or the loop entered.  Which node matches, and which
counters it reads or bumps, depend only on the node it starts from, the segment ID and
the qualifier values the candidates match on; only the *outcome* of a check depends on
the counters.  So the scan is run once per (start node, ID, qualifiers) and kept as a
*plan*: the node found and a short list of counter operations, which :func:`replay`
applies to the live counters for every later segment with the same key.  This is the
state machine; it agrees with pyx12's walk step for step, including its quirks.

Plan operations (tuples, first item the kind):

- ``(MISSING_SEG, node)``: a required segment skipped; missing if never counted;
- ``(MISSING_LOOP, loop, first)``: a required loop skipped; missing if never entered;
- ``(COUNT_SEG, node)``: the segment found: count it, check not-used and max use;
- ``(ENTER_LOOP, loop, first)``: a loop entered: check use and repeat, count it;
- ``(NOT_FOUND,)``: no node matches (IK3 ``1``).
"""

from __future__ import annotations

from edi.validate.compiled import LOOP, ROOT, SEGMENT, Guide

MISSING_SEG, MISSING_LOOP, COUNT_SEG, ENTER_LOOP, NOT_FOUND = range(5)
NO_NODE = -1

Plan = tuple[int, tuple[tuple, ...]]


class _Planner:
    """A line-by-line port of ``walk_tree.walk_errors`` that records instead of counting."""

    def __init__(self, g: Guide, sid: str, values: dict[tuple[int, int], str | None]) -> None:
        self.g = g
        self.sid = sid
        self.values = values
        self.ops: list[tuple] = []

    def match(self, n: int) -> bool:
        g = self.g
        if g.ids[n] != self.sid:
            return False
        key = g.key[n]
        return key is None or self.values.get((key[0], key[1])) in key[2]

    def parent_loop(self, n: int) -> int:
        g = self.g
        if g.kind[n] == ROOT:
            return n
        p = g.parent[n]
        while g.kind[p] not in (LOOP, ROOT):
            p = g.parent[p]
        return p

    def walk(self, start: int) -> int:
        g = self.g
        node, node_pos = start, g.pos[start]
        if g.kind[node] == SEGMENT:
            node = self.parent_loop(node)
        while True:
            found = self.scan(node, node_pos, start)
            if found is not None:
                return found
            if g.kind[node] == ROOT:
                self.ops.append((NOT_FOUND,))
                return NO_NODE
            node_pos = g.pos[node]
            node = self.parent_loop(node)

    def scan(self, node: int, node_pos: int, start: int) -> int | None:
        g = self.g
        for ordinal, members in g.children[node]:
            if ordinal < node_pos:
                continue
            for child in members:
                if g.kind[child] == SEGMENT:
                    if self.match(child):
                        if g.kind[node] == LOOP and self.loop_match(node):
                            return self.goto(node)
                        self.ops.append((COUNT_SEG, child))
                        return child
                    if g.usage[child] == "R":
                        self.ops.append((MISSING_SEG, child))
                elif self.loop_match(child):
                    return self.goto(child)
        return None

    def loop_match(self, loop: int) -> bool:
        g = self.g
        first = g.first[loop]
        if first < 0:
            return False
        if g.kind[first] == LOOP:
            return any(
                g.kind[c] == LOOP and self.loop_match(c)
                for _, members in g.children[loop]
                for c in members
            )
        if g.kind[first] == SEGMENT and self.match(first):
            return True
        if g.usage[loop] == "R":
            self.ops.append((MISSING_LOOP, loop, first))
        return False

    def goto(self, loop: int) -> int:
        g = self.g
        first = g.first[loop]
        if first >= 0 and g.kind[first] == SEGMENT and self.match(first):
            self.ops.append((ENTER_LOOP, loop, first))
            return first
        for _, members in g.children[loop]:
            for child in members:
                if g.kind[child] == LOOP:
                    found = self.goto(child)
                    if found != NO_NODE:
                        return found
        return NO_NODE


def plan(g: Guide, start: int, sid: str, values: dict[tuple[int, int], str | None]) -> Plan:
    """The node a segment ``sid`` with qualifier ``values`` reaches from ``start``."""
    planner = _Planner(g, sid, values)
    found = planner.walk(start)
    return found, tuple(planner.ops)


def replay(g: Guide, ops: tuple[tuple, ...], counts: list[int], start: int) -> list[tuple]:
    """Apply a plan's operations to ``counts``; the walk errors, in pyx12's order.

    Each error is ``(code, node)``: ``node`` the map node the error is filed under (a
    skipped segment for ``3``), or ``None`` for an error pyx12 files under the segment
    before (a not-used segment or loop, ``2``); ``1`` is filed under ``start``.
    """
    errors: list[tuple] = []
    missing: list[int] = []
    slot, usage, maxr, pos = g.slot, g.usage, g.max_repeat, g.pos
    for op in ops:
        kind = op[0]
        if kind == COUNT_SEG:
            child = op[1]
            s = slot[child]
            counts[s] += 1
            if usage[child] == "N":
                errors.append(("2", None))
            elif counts[s] > maxr[child]:
                errors.append(("5", child))
            here = pos[child]
            errors.extend(("3", m) for m in missing if m != child and pos[m] != here)
        elif kind == MISSING_SEG:
            if counts[slot[op[1]]] < 1:
                missing.append(op[1])
        elif kind == MISSING_LOOP:
            if counts[slot[op[1]]] < 1:
                missing.append(op[2])
        elif kind == ENTER_LOOP:
            loop, first = op[1], op[2]
            if usage[loop] == "N":
                errors.append(("2", None))
            else:
                for s in g.below[loop]:
                    counts[s] = 0
                counts[slot[loop]] += 1
                if counts[slot[loop]] > maxr[loop]:
                    errors.append(("4", loop))
            counts[slot[first]] += 1
            errors.extend(("3", m) for m in missing)
            missing = []
        else:
            errors.append(("1", start))
    return errors
