"""Validate an X12 document against its guides (SNIP 1-2), error for error as pyx12 does.

The document is read by the project's columnar reader (:mod:`edi.x12.reader`): the runs
of ordinary segments come as blocks whose segment IDs are already integer codes, so the
dispatch per segment is a list lookup, and each segment's text is split once.  Over that
stream this module keeps the state pyx12's reader and error handler keep (envelope
stack, control numbers, HL and LX numbering, which segment an error is filed under) and
asks :mod:`edi.validate.walk` where each segment sits in the compiled guide and
:mod:`edi.validate.elements` what is wrong with its elements.  Both answers are cached:
walk plans per (node, ID, qualifiers) for the process, element verdicts per (node,
segment text) for the document and per (element rule, value) for the process, so a
segment seen before costs a few dictionary lookups.

The result is a :class:`~edi.x12.pyx12_validator.Pyx12Report`, the shape the pyx12
wrapper returns, so everything that reads pyx12's verdict (findings, 999/TA1) reads the
engine's unchanged.  Errors carry the 999's codes: IK304 for segments, IK403 for
elements, IK502 for transaction sets, AK905 for groups and the TA1 note code.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, BinaryIO

from edi.validate.accept import Acceptor, acceptor
from edi.validate.compiled import FIRST, Guide, compiled, control_map, map_file_for
from edi.validate.elements import check
from edi.validate.walk import (
    COUNT_SEG,
    ENTER_LOOP,
    MISSING_LOOP,
    MISSING_SEG,
    NO_NODE,
    plan,
    replay,
)
from edi.x12.pyx12_validator import (
    GroupSeen,
    Pyx12Report,
    Pyx12Unavailable,
    TransactionSeen,
    X12Error,
)
from edi.x12.reader import X12ParseError, _Tokenizer

if TYPE_CHECKING:
    from edi.x12.blocks import SegmentBlock
    from edi.x12.texts import TextBlock

_ISA_TA1 = {1: "010", 2: "011", 3: "012", 4: "013", 5: "005", 6: "006", 7: "007", 8: "008",
            9: "014", 10: "015", 11: "016", 12: "017", 13: "018", 14: "019", 15: "020",
            16: "027"}  # fmt: skip
_IEA_TA1 = {1: "021", 2: "018"}
_UNKNOWN = object()
_ENVELOPE = object()
"""The error cursor on an ISA, GS or ST: pyx12 drops segment and element errors there."""
_CACHE_LIMIT = 50_000
_SPECIAL = frozenset({"HL", "CLM", "LX", "ST", "SE", "GE", "IEA"})
_NUMBERED = frozenset({"HL", "CLM", "LX"})
"""The ordinary segments pyx12's reader numbers (see :meth:`_Document._number`)."""
_TRAILERS = frozenset({"SE", "GE", "IEA"})


def _plan(g: Guide, start: int, sid: str, values: dict) -> tuple:
    """A walk plan, compiled for the hot path:
    ``(found, missing, slot, top, loop, numbered, ops, final)``.

    ``missing`` are the counter slots of the required segments and loops the walk
    skips: when each was counted before (the usual case), nothing is missing and only
    ``final``, the last operation (count the segment, or enter its loop), is applied
    inline; otherwise the whole plan is replayed.  ``slot`` and ``top`` are the counter
    ``final`` bumps and its maximum, ``loop`` (for a loop entered) the counters it clears
    ``(lo, hi, zeros, below, first's slot)``, ``zeros`` the list copied over ``lo:hi``;
    ``slot`` is -1 when ``final`` is always an error (a segment or loop not used) or
    there is none.  ``numbered``: the segment is one whose HL or LX numbering the block
    loop follows (see :meth:`_Document._number`), so that loop needs no lookup by ID."""
    found, ops = plan(g, start, sid, values)
    missing = tuple(g.slot[op[1]] for op in ops if op[0] in (MISSING_SEG, MISSING_LOOP))
    final = ops[-1] if ops and ops[-1][0] in (COUNT_SEG, ENTER_LOOP) else None
    if final is None and ops:  # NOT_FOUND: always replayed
        missing = (-1,)
    slot, top, loop = -1, 0, None
    if final is not None and g.usage[final[1]] != "N":
        target = final[1]
        slot, top = g.slot[target], g.max_repeat[target]
        if final[0] == ENTER_LOOP:
            lo, hi = g.below_range[target]
            zeros = [0] * (hi - lo) if hi >= 0 else None
            loop = (lo, hi, zeros, g.below[target], g.slot[final[2]])
    return found, missing, slot, top, loop, sid in _NUMBERED, ops, final


class EngineUnavailable(Pyx12Unavailable):
    """The engine cannot judge this input (no guide for its version, not X12)."""


def _int(text: str | None) -> int | None:
    try:
        return int(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class _Interchange:
    __slots__ = ("codes", "isa13", "line", "ta1", "ta1_req")

    def __init__(self, isa13: str, line: int, ta1_req: str) -> None:
        self.isa13, self.line, self.ta1_req = isa13, line, ta1_req
        self.codes: list[str] = []
        self.ta1: list[str] = []


class _Group:
    __slots__ = ("codes", "fic", "gs06", "isa", "transactions", "version")

    def __init__(self, isa: _Interchange, gs06: str, fic: str, version: str) -> None:
        self.isa, self.gs06, self.fic, self.version = isa, gs06, fic, version
        self.codes: list[str] = []
        self.transactions: list[_Transaction] = []


class _Transaction:
    __slots__ = ("code", "codes", "errors", "group", "st02", "version")

    def __init__(self, group: _Group, st02: str, code: str, version: str) -> None:
        self.group, self.st02, self.code, self.version = group, st02, code, version
        self.codes: list[str] = []
        self.errors: list[X12Error] = []


class _Document:
    """pyx12's reader state, walker state and error handler, for one document."""

    # Slots: past 30 attributes CPython 3.11 gives an instance a dict of its own, and
    # every attribute and method the hot loop reads is looked up in it (1.5% of the engine).
    __slots__ = (
        "accepts", "check_lx", "clean", "comp", "counts", "cursor", "groups", "gs",
        "gs_count", "gs_ids", "guide", "hl_count", "hl_stack", "icvn", "interchanges",
        "isa", "isa_ids", "judged_with", "kept", "known", "last_plan", "loops", "lx_count",
        "map_file", "node", "pending", "prev_line", "rep", "seg_count", "sep", "st",
        "st_count", "st_ids", "term", "verdicts",
    )  # fmt: skip

    def __init__(self) -> None:
        self.interchanges: list[_Interchange] = []
        self.groups: list[_Group] = []
        self.isa: _Interchange | None = None
        self.gs: _Group | None = None
        self.st: _Transaction | None = None
        self.cursor: object = _ENVELOPE
        self.pending: list[tuple[str, str]] = []
        self.loops: list[tuple[str, str]] = []
        self.isa_ids: list[str] = []
        self.gs_ids: list[str] = []
        self.st_ids: list[str] = []
        self.gs_count = self.st_count = self.seg_count = 0
        self.hl_count = self.lx_count = 0
        self.hl_stack: list[int] = []
        self.check_lx = False
        self.icvn = ""
        self.guide: Guide | None = None
        self.map_file = ""
        self.node = -1
        self.counts: list[int] = []
        """Per counter slot of the guide in use: a list (CPython reads and writes a list's
        items by index faster than an array's), so that entering a loop clears the slots
        below it with one slice copy."""
        self.clean = True
        self.verdicts: dict[tuple[int, str], list[tuple]] = {}
        self.known: list[dict[str, tuple]] = []
        """Segments already judged clean: per node before, their plans by text (see
        :meth:`block`); ``kept`` of them in all."""
        self.kept = 0
        self.accepts: dict[int, Acceptor | None] = {}
        """The acceptor of each node judged so far, for the guide and delimiters in use."""
        self.last_plan: tuple = ()
        self.comp = ":"
        self.sep = "*"
        self.rep = ""
        """The repetition separator (ISA11) of a 5010 interchange; none before 5010."""
        self.judged_with: tuple[str, str, str] | None = None
        """The delimiters (component, element, repetition) ``verdicts`` and ``known`` were
        made with: a segment's text means something else under others."""
        self.prev_line = 0
        self.term = "~"

    # -- pyx12's error handler: where an error is filed ---------------------------------

    def _loop_id(self, kind: str) -> str:
        return next((v for k, v in self.loops if k == kind), "")

    def _seg_error(self, code: str) -> None:
        cursor = self.cursor
        if cursor is _ENVELOPE or self.st is None:
            self.clean = False
            return
        sid, count, line, name = cursor  # type: ignore[misc]
        t = self.st
        t.errors.append(
            X12Error("segment", code, t.group.isa.isa13, t.group.gs06, t.st02, sid, line,
                     count, name=name)
        )  # fmt: skip

    def _handle(self) -> None:
        pending, self.pending = self.pending, []
        for level, code in pending:
            if level == "seg":
                self._seg_error(code)
            elif level == "st" and self.st is not None:
                self.st.codes.append(code)
            elif level == "gs" and self.gs is not None:
                self.gs.codes.append(code)
            elif level == "isa" and self.isa is not None:
                self.isa.codes.append(code)

    # -- counters follow the guide in use -----------------------------------------------

    def _use(self, guide: Guide) -> None:
        """Switch to ``guide``, carrying the counts of paths both guides have."""
        old = self.guide
        counts = [0] * guide.slots
        if old is not None:
            for path, n in old.by_path.items():
                c = self.counts[old.slot[n]]
                m = guide.by_path.get(path)
                if c and m is not None:
                    counts[guide.slot[m]] = c
        self.guide, self.counts = guide, counts
        self.known, self.kept = [{} for _ in guide.ids], 0
        self.accepts.clear()

    def _force(self, loop_path: str, seg_path: str) -> None:
        g = self.guide
        loop = g.by_path[loop_path]
        for s in g.below[loop]:
            self.counts[s] = 0
        self.counts[g.slot[loop]] += 1
        self.counts[g.slot[g.by_path[seg_path]]] += 1

    # -- segments -----------------------------------------------------------------------

    def open_isa(self, elements: list[str], line: int, sep: str, rep: str) -> None:
        """An ISA: a new interchange, its version and repetition separator (5010's ISA11;
        4010's ISA11 is a standards ID, and the reader gives none for a letter)."""
        isa13 = elements[13] if len(elements) > 13 else ""
        if isa13 in self.isa_ids:
            self.pending.append(("isa", "025"))
        self.loops.append(("ISA", isa13))
        self.isa_ids.append(isa13)
        self.gs_count, self.gs_ids = 0, []
        self.icvn = elements[12] if len(elements) > 12 else ""
        self.rep = rep if self.icvn >= "00501" else ""
        delimiters = (self.comp, sep, self.rep)
        if delimiters != self.judged_with:  # verdicts made before are not this one's
            self.judged_with = delimiters
            self.verdicts.clear()
            self._forget()
        self.accepts.clear()  # the delimiters may be others
        control = control_map(self.icvn)
        if self.guide is not control:  # pyx12 walks on from the control map's ISA
            self._use(control)
        self.map_file = self.map_file or control.map_file
        self._force("/ISA_LOOP", "/ISA_LOOP/ISA")
        self.node = control.by_path["/ISA_LOOP/ISA"]
        record = _Interchange(isa13, line, elements[14] if len(elements) > 14 else "")
        self.interchanges.append(record)
        self.isa, self.cursor = record, _ENVELOPE
        self._handle()
        node = control.by_path["/ISA_LOOP/ISA"]
        found = check(control.rules[node], control.syntax[node], elements, sep, control.external)
        record.ta1 += [_ISA_TA1[e[2]] for e in found if e[0] == "ele" and e[2] in _ISA_TA1]
        self.clean &= not found

    def open_gs(self, elements: list[str], line: int) -> None:
        gs06 = self._get(elements, 6) or ""
        if gs06 in self.gs_ids:
            self.pending.append(("gs", "6"))
        self.gs_count += 1
        self.gs_ids.append(gs06)
        self.loops.append(("GS", gs06))
        self.st_count, self.st_ids = 0, []
        self._force("/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
        fic = self._get(elements, 1) or ""
        version = self._get(elements, 8) or ""
        map_file = map_file_for(self.icvn, version, fic)
        if map_file != self.map_file:
            if map_file is None:
                raise EngineUnavailable(f"no guide for version {version}")
            self.map_file = map_file
        g = compiled(self.map_file)
        if self.guide is not g:
            self._use(g)
        self.check_lx = g.map_id == "837"
        self.node = g.by_path["/ISA_LOOP/GS_LOOP/GS"]
        record = _Group(self.isa, self._loop_id("GS"), fic, version)  # type: ignore[arg-type]
        self.groups.append(record)
        self.gs, self.cursor = record, _ENVELOPE
        self._handle()

    def _number(self, sid: str, elements: list[str]) -> None:
        """The HL and LX numbering pyx12's reader follows (an HL, CLM or LX): counted, and
        a number out of sequence noted."""
        n, comp = len(elements), self.comp
        if sid == "HL":
            count = self.hl_count = self.hl_count + 1
            if count != _int(elements[1].rstrip(comp) if n > 1 else None):
                self.pending.append(("seg", "HL1"))
            stack = self.hl_stack
            if n > 2 and elements[2].rstrip(comp):
                parent = _int(elements[2].rstrip(comp))
                if parent not in stack:
                    self.pending.append(("seg", "HL2"))
                while stack and parent != stack[-1]:
                    del stack[-1]
            stack.append(count)
        elif sid == "CLM" and self.check_lx:
            self.lx_count = 0
        elif sid == "LX" and self.check_lx:
            self.lx_count += 1
            if (elements[1].rstrip(comp) if n > 1 else None) != str(self.lx_count):
                self.pending.append(("seg", "LX"))

    def _special(self, sid: str, elements: list[str]) -> None:
        """What pyx12's reader counts and checks on HL, CLM, LX, ST, SE, GE and IEA."""
        if sid in _NUMBERED:
            self._number(sid, elements)
        elif sid == "ST":
            self.hl_stack, self.hl_count = [], 0
            st02 = self._get(elements, 2) or ""
            if st02 in self.st_ids:
                self.pending.append(("st", "23"))
            self.st_count += 1
            self.st_ids.append(st02)
            self.loops.append(("ST", st02))
            self.seg_count = 1
            return
        elif sid in ("SE", "GE", "IEA"):
            self._trailer(sid, elements)
            return
        self.seg_count += 1

    def _trailer(self, sid: str, elements: list[str]) -> None:
        one, two = self._get(elements, 1), self._get(elements, 2)
        loops = self.loops
        if not loops:
            raise EngineUnavailable(f"{sid} outside any envelope")
        if sid == "SE":
            if loops[-1][0] != "ST" or loops[-1][1] != two:
                self.pending.append(("st", "3"))
            if _int(one) != self.seg_count + 1:
                self.pending.append(("st", "4"))
            del loops[-1]
            return
        head, level, unterminated, mismatch, count, counted = (
            ("GS", "gs", "3", "4", "5", self.st_count)
            if sid == "GE"
            else ("ISA", "isa", "024", "001", "021", self.gs_count)
        )
        if loops[-1][0] != head:
            self.pending.append((level, unterminated))
            del loops[-1]
        if not loops:
            raise EngineUnavailable(f"{sid} outside any envelope")
        if loops[-1][1] != two:
            self.pending.append((level, mismatch))
        if _int(one) != counted:
            self.pending.append((level, count))
        del loops[-1]

    def segment(
        self, sid: str, elements: list[str], raw: str, line: int, spaced: bool,
        numbered: bool = False,
    ) -> None:  # fmt: skip
        """Any segment but ISA and GS: read, walk, file the errors, check the elements.

        ``raw`` is the segment as pyx12 reads it (``spaced``: it was written after a
        space; ``numbered``: its HL or LX numbering is followed already, see
        :meth:`block`).  Errors get the loop of the node each line ended on, as the pyx12
        wrapper gives them (only errors pay for that)."""
        t = self.st
        before = len(t.errors) if t is not None else 0
        previous = self.node  # where the line before ended: its errors' loop
        sid = self._note(sid, elements, raw, spaced, numbered)
        found = self._walk(sid, elements, line)
        if found != NO_NODE:
            self.node = found
            if sid in _TRAILERS:
                self._close(sid, found, elements)
            elif sid == "ST":
                self._open_st(elements)
            else:
                self.cursor = (sid, self.seg_count, line, self.guide.names[found])
                if self.pending:
                    self._handle()
                verdict = self.verdicts.get((found, raw))
                if verdict is None:
                    verdict = self._verdict(found, elements, raw)
                if verdict:
                    self._file(verdict, elements[0], self.seg_count, line)
        if self.st is not None and len(self.st.errors) > (before if self.st is t else 0):
            self._label(before if self.st is t else 0, line, previous)
        self.prev_line = line

    def block(
        self, parts: list[str], rows: Sequence[int], lines: Sequence[int], sids: list[str], sep: str
    ) -> None:
        """A run of ordinary segments, the usual one without a method call.

        A segment's text and the node the walk stands on decide everything the walk and
        the element checks say, except the outcome of the counter checks (a required
        segment skipped, a repeat over its maximum) and of the HL and LX numbering,
        which are tested here.  So a segment judged clean (no reader note, a plan found,
        an empty element verdict) is kept in ``known`` by its text, and a new text whose
        plan is known is judged by :meth:`_new`; while the counter checks pass, either
        one costs a lookup or two and its counts.  Anything else goes through
        :meth:`segment`.  The cursor pyx12 files later errors under is written back
        before that, from the node, count and line: a clean segment's ID is its node's."""
        g = self.guide
        known, counts = self.known, self.counts
        node, seg_count, prev_line = self.node, self.seg_count, self.prev_line
        fast = False  # the last segment was judged here: the cursor is not written yet
        busy = bool(self.pending)
        for row, line, sid in zip(rows, lines, sids, strict=True):
            part = parts[row]
            p = None if busy else known[node].get(part) or self._new(part, sid, sep, node)
            if p is not None:
                found, missing, slot, top, loop, numbered, _ops, _final = p
                if numbered:  # _number reads the first two elements
                    self._number(sid, part.split(sep, 3))
                if not (numbered and self.pending):  # out of sequence: segment() files it
                    for m in missing:  # each counted before, or segment() files it
                        if not counts[m]:
                            break
                    else:
                        c = counts[slot] + 1
                        if c <= top:
                            if loop is not None:  # a loop entered: clear below, count first
                                lo, hi, zeros, below, first = loop
                                if hi >= 0:
                                    counts[lo:hi] = zeros
                                else:
                                    for s in below:
                                        counts[s] = 0
                                counts[first] += 1
                            counts[slot] = c
                            node, prev_line, fast = found, line, True
                            seg_count += 1
                            continue
            else:
                numbered = False
            if fast:
                self.cursor = (g.ids[node], seg_count, prev_line, g.names[node])
            self.node, self.seg_count, self.prev_line = node, seg_count, prev_line
            self._slow(part, line, sid, sep, busy, numbered)
            node, seg_count, prev_line, fast = self.node, self.seg_count, line, False
            busy = bool(self.pending)
        if fast:
            self.cursor = (g.ids[node], seg_count, prev_line, g.names[node])
        self.node, self.seg_count, self.prev_line = node, seg_count, prev_line

    def _new(self, part: str, sid: str, sep: str, node: int) -> tuple | None:
        """The plan of an ordinary segment whose text is not known from ``node``, when its
        plan from there was made before and its element verdict is empty (then the text
        is known from now on); else None.  Most such texts are a name, an ID or an address
        met once: the text is split only as far as the plan's key reads, and the acceptor
        judges it unsplit."""
        raw = part.lstrip("\r\n") if part[0] < "!" else part  # as pyx12 reads it
        if raw[-1] == sep or sep not in raw:
            return None  # a trailing separator, or no element: pyx12 notes them
        g = self.guide
        paths = g.key_paths.get(sid, ())
        if not paths:
            p = g.plans.get((node, sid))
        elif paths is FIRST:
            p = g.plans.get((node, sid, raw.split(sep, 2)[1].rstrip(self.comp)))
        elif len(paths) == 1:
            e, s = paths[0]
            p = g.plans.get((node, sid, self._value(raw.split(sep, e + 2), e, s)))
        else:
            elements = raw.split(sep)
            p = g.plans.get((node, sid, *(self._value(elements, e, s) for e, s in paths)))
        if p is None or p[2] < 0:
            return None
        found = p[0]
        accepts = self.accepts.get(found, _UNKNOWN)
        if accepts is _UNKNOWN:
            accepts = self._acceptor(found)
        if accepts is None or not accepts(raw):  # (a match starts with the ID)
            if raw[0] < "!" or not raw.startswith(sid):
                return None  # written after a space, or in lower case: pyx12 notes them
            verdict = self.verdicts.get((found, raw))
            if verdict is None:
                elements = raw.split(sep)  # the last is not empty: not all are, as pyx12 wants
                elements[0] = sid
                verdict = self._verdict(found, elements, raw)
            if verdict:
                return None
        if self.kept >= _CACHE_LIMIT:  # as _keep does, without a call (2% of the engine)
            self._forget()
        self.known[node][part] = p
        self.kept += 1
        return p

    def _slow(self, part: str, line: int, sid: str, sep: str, busy: bool, numbered: bool) -> None:
        """One segment of a block through :meth:`segment`; then kept in ``known`` when it
        is clean (and not read with notes pending from before)."""
        raw, spaced = part, False
        if raw[0] < "!":  # a line break before it, or a space
            raw = raw.lstrip("\r\n")  # as pyx12 reads it: trailing spaces kept
            spaced = raw[:1] == " "
            if spaced:
                raw = raw.lstrip()
        elements = raw.split(sep)
        elements[0] = sid
        start = self.node
        self.segment(sid, elements, raw, line, spaced, numbered)
        if busy or spaced or self.pending:
            return
        p = self.last_plan
        if (
            p[2] < 0
            or raw[: len(sid)] != sid
            or raw[-1] == sep
            or self.verdicts.get((p[0], raw)) != []
            or len(elements) == 1
            or (not elements[1] and not any(elements[2:]))
        ):
            return
        self._keep(start, part, p)

    def _keep(self, node: int, part: str, p: tuple) -> None:
        """Know the segment ``part`` from ``node`` as clean, with its plan ``p``."""
        if self.kept >= _CACHE_LIMIT:
            self._forget()
        self.known[node][part] = p
        self.kept += 1

    def _forget(self) -> None:
        """Forget every segment known (in place: :meth:`block` holds the list)."""
        for texts in self.known:
            texts.clear()
        self.kept = 0

    def _note(self, sid: str, elements: list[str], raw: str, spaced: bool, numbered: bool) -> str:
        """What pyx12's reader notes about a segment before the walk; the ID as it reads it."""
        pending = self.pending
        if raw[: len(sid)] != sid:  # written in lower case: pyx12 takes the ID as written
            sid = elements[0] = raw.split(self.sep, 1)[0]
            pending.append(("seg", "1"))
        if spaced:
            pending.append(("seg", "1"))
        if raw[-1] == self.sep:
            pending.append(("seg", "SEG1"))
        if len(elements) == 1 or (not elements[1] and not any(elements[2:])):
            pending.append(("seg", "8"))
        if sid in _SPECIAL and not numbered:
            self._special(sid, elements)
        else:
            self.seg_count += 1
        return sid

    def _walk(self, sid: str, elements: list[str], line: int) -> int:
        """The node the segment reaches (its plan, memoised), its walk errors filed."""
        g = self.guide
        start = self.node
        paths = g.key_paths.get(sid, ())
        if not paths:
            key: tuple = (start, sid)
        elif paths is FIRST:
            key = (start, sid, elements[1].rstrip(self.comp) if len(elements) > 1 else None)
        else:
            key = (start, sid, *(self._value(elements, e, s) for e, s in paths))
        found_plan = g.plans.get(key)
        if found_plan is None:
            values = dict(zip(paths, key[2:], strict=True))
            found_plan = g.plans[key] = _plan(g, start, sid, values)
        self.last_plan = found_plan
        found, missing, _slot, _top, _loop, _numbered, ops, final = found_plan
        count = self.seg_count
        counts = self.counts
        slow = False
        for m in missing:  # usually one or two slots, each counted before
            if m < 0 or counts[m] < 1:
                slow = True
                break
        if slow:
            for code, at in replay(g, ops, counts, start):
                if at is not None:
                    name_sid = g.ids[at] if code == "3" else sid
                    self.cursor = (name_sid, count, line, g.names[at])
                self._seg_error(code)
        elif final is not None:
            if final[0] == COUNT_SEG:
                self._count(g, final[1], sid, count, line)
            else:
                self._enter(g, final[1], final[2], sid, count, line)
        return found

    def _count(self, g: Guide, node: int, sid: str, count: int, line: int) -> None:
        """The segment found: counted; not used, or over its maximum use, is an error."""
        slot = g.slot[node]
        self.counts[slot] += 1
        if g.usage[node] == "N":
            self._seg_error("2")
        elif self.counts[slot] > g.max_repeat[node]:
            self.cursor = (sid, count, line, g.names[node])
            self._seg_error("5")

    def _enter(self, g: Guide, loop: int, first: int, sid: str, count: int, line: int) -> None:
        """A loop entered: its counters below cleared, its repeat counted and checked."""
        counts = self.counts
        if g.usage[loop] == "N":
            self._seg_error("2")
        else:
            lo, hi = g.below_range[loop]
            if hi >= 0:
                counts[lo:hi] = [0] * (hi - lo)
            else:
                for s in g.below[loop]:
                    counts[s] = 0
            counts[g.slot[loop]] += 1
            if counts[g.slot[loop]] > g.max_repeat[loop]:
                self.cursor = (sid, count, line, g.names[loop])
                self._seg_error("4")
        counts[g.slot[first]] += 1

    def _label(self, first: int, line: int, previous: int) -> None:
        """Give the errors filed since ``first`` the loop the pyx12 wrapper names: that of
        the node their line ended on (this line's, or the line before's)."""
        labels = self.guide.labels
        here, there = labels[self.node], labels[previous] if previous >= 0 else None
        errors = self.st.errors  # type: ignore[union-attr]
        for i in range(first, len(errors)):
            e = errors[i]
            where = here if e.position == line else there if e.position == self.prev_line else None
            if where is not None:
                errors[i] = replace(e, loop=where)

    def _get(self, elements: list[str], i: int) -> str | None:
        """Element ``i`` as pyx12's ``get_value`` gives it: empty trailing components off."""
        return elements[i].rstrip(self.comp) if i < len(elements) else None

    def _value(self, elements: list[str], e: int, s: int) -> str | None:
        if e + 1 >= len(elements):
            return None
        raw = elements[e + 1]
        if s < 0:
            return raw.rstrip(self.comp)
        parts = raw.split(self.comp)
        return parts[s] if s < len(parts) else None

    def _open_st(self, elements: list[str]) -> None:
        record = _Transaction(
            self.gs,  # type: ignore[arg-type]
            self._loop_id("ST"),
            self._get(elements, 1) or "",
            self._get(elements, 3) or "",
        )
        self.gs.transactions.append(record)  # type: ignore[union-attr]
        self.st, self.cursor = record, _ENVELOPE
        self._handle()

    def _close(self, sid: str, node: int, elements: list[str]) -> None:
        self._handle()
        self.cursor = _ENVELOPE
        g = self.guide
        found = check(g.rules[node], g.syntax[node], elements, self.comp, g.external)
        self.clean &= not found
        if sid == "IEA" and self.isa is not None:
            self.isa.ta1 += [_IEA_TA1[e[2]] for e in found if e[0] == "ele" and e[2] in _IEA_TA1]

    def _acceptor(self, node: int) -> Acceptor | None:
        """The acceptor of ``node`` for the delimiters in use (made once per process)."""
        try:
            return self.accepts[node]
        except KeyError:
            pass
        g = self.guide
        key = (node, self.sep, self.comp, self.rep)
        if key not in g.acceptors:
            g.acceptors[key] = acceptor(
                g.ids[node], g.rules[node], g.syntax[node], self.sep, self.comp, g.external,
                self.rep,
            )  # fmt: skip
        accepts = self.accepts[node] = g.acceptors[key]
        return accepts

    def _verdict(self, node: int, elements: list[str], raw: str) -> list[tuple]:
        """The element errors of a segment not seen before: its node's acceptor vouches for
        the usual clean one, :func:`check` finds the errors of any other."""
        accepts = self._acceptor(node)
        if accepts is not None and accepts(raw):
            found: list[tuple] = []
        else:
            g = self.guide
            found = check(g.rules[node], g.syntax[node], elements, self.comp, g.external, self.rep)
        if len(self.verdicts) > _CACHE_LIMIT:
            self.verdicts.clear()
        self.verdicts[(node, raw)] = found
        return found

    def _file(self, found: list[tuple], sid: str, count: int, line: int) -> None:
        """File a segment's element verdict under the current transaction set."""
        t = self.st
        if t is None:
            return
        isa13, gs06, st02 = t.group.isa.isa13, t.group.gs06, t.st02
        for kind, code, ele, sub, ref, name, repeat in found:
            if kind == "seg":
                self._seg_error(code)
            else:
                t.errors.append(
                    X12Error("element", code, isa13, gs06, st02, sid, line, count,
                             None, ele, sub, repeat, ref, name)
                )  # fmt: skip

    def finish(self) -> None:
        for kind, _ in self.loops:
            level, code = {"ST": ("st", "2"), "GS": ("gs", "3"), "ISA": ("isa", "023")}[kind]
            self.pending.append((level, code))
        self._handle()

    def report(self) -> Pyx12Report:
        out: list[X12Error] = []
        # pyx12's TA1 (for the last interchange, when ISA14 asks for one) carries one note
        # code out of its envelope errors and ISA/IEA element errors, picked in set order
        # (which varies from process to process); the engine picks the smallest.
        last = self.interchanges[-1] if self.interchanges else None
        ta1 = []
        if last is not None and last.ta1_req == "1" and (last.codes or last.ta1):
            ta1 = [min(set(last.codes) | set(last.ta1))]
        for ic in self.interchanges:
            codes = list(ic.codes) + [c for c in ta1 if c not in ic.codes]
            out += [X12Error("interchange", c, ic.isa13, position=ic.line) for c in codes]
            for gs in (g for g in self.groups if g.isa is ic):
                out += [X12Error("group", c, ic.isa13, gs.gs06) for c in gs.codes]
                for t in gs.transactions:
                    out += [X12Error("transaction", c, ic.isa13, gs.gs06, t.st02) for c in t.codes]
                    out += t.errors
        groups = tuple(
            GroupSeen(
                g.isa.isa13,
                g.fic,
                g.gs06,
                g.version,
                tuple(TransactionSeen(t.code, t.st02, t.version) for t in g.transactions),
            )
            for g in self.groups
        )
        return Pyx12Report(self.clean and not out, tuple(out), groups)


def validate(data: bytes | str | BinaryIO, name: str = "<input>") -> Pyx12Report:
    """Every SNIP 1-2 error of an X12 document, located, with the 999's codes.

    ``data`` is the document, or a binary stream positioned at its start (read in
    chunks: memory stays flat in the file's size).  Raises :class:`EngineUnavailable`
    where the input is not X12 or names a version no guide describes (as
    :func:`~edi.x12.pyx12_validator.validate_x12` raises
    :class:`~edi.x12.pyx12_validator.Pyx12Unavailable`).
    """
    if isinstance(data, bytes | str):
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
        head, source = text[:106], text
    else:
        first = data.read(106)
        head = first.decode("utf-8", errors="replace")
        source, text = itertools.chain([first], iter(lambda: data.read(1 << 20), b"")), None
        source = _Stream(source)
    follower = Follower(head, text)
    tokens = _Tokenizer(source, name, follower.skipped)
    try:
        for item in tokens.items():
            follower.take(item, tokens)
            if follower.failure is not None:
                break
    except X12ParseError as exc:
        if follower.failure is None:
            raise EngineUnavailable(f"not X12: {exc.reason}") from None
    return follower.report()


class Follower:
    """The engine reading a document's token stream as it passes: :func:`validate` feeds
    it from a tokenizer of its own, and ``claims validate`` from the one that reads the
    claims (a :class:`~edi.x12.reader.TokenListener` of
    :func:`~edi.x12.reader.iter_transactions`), so that one pass tokenizes a file for both.

    ``head`` is the document's first 106 characters and ``text`` the whole of it, when
    known (a skipped segment's text is then read from it).  What the engine cannot judge
    stops it, not the reader it follows: :meth:`report` raises it.
    """

    def __init__(self, head: str, text: str | None) -> None:
        if head[:3] != "ISA" or head[84:89] not in ("00401", "00501"):
            raise EngineUnavailable("the input does not start with a fixed-width 4010/5010 ISA")
        self.doc = _Document()
        self.text = text
        self.failure: EngineUnavailable | None = None

    def take(self, item: TextBlock | SegmentBlock | list[str], tokens: _Tokenizer) -> None:
        """One item of the stream: a block of ordinary segments or an envelope segment's
        elements, which the reader reads after the engine (so it gets a copy of them)."""
        if self.failure is not None:
            return
        doc = self.doc
        try:
            if type(item) is list:
                sid, line, delims = item[0], tokens.position, tokens.delimiters
                doc.comp, doc.sep, doc.term = delims.component, delims.element, delims.segment
                if sid == "ISA":
                    doc.open_isa(item[:], line, delims.element, delims.repetition)
                elif sid == "GS":
                    doc.open_gs(item[:], line)
                else:
                    part = (tokens._raw or "").lstrip("\r\n")
                    doc.segment(sid, item[:], delims.element.join(item), line, part[:1] == " ")
                return
            region = item.region
            rows, sids, positions = item.lists(tokens.vocabulary)
            doc.block(region.parts(), rows, positions, sids, region.delimiters.element)
        except EngineUnavailable as exc:
            self.failure = exc

    def skipped(self, code: str, position: int | None, offset: int) -> None:
        """A segment whose ID is no ID: pyx12 reads it, finds no place for it, goes on."""
        if position is None or self.failure is not None:
            return
        doc, text = self.doc, self.text
        raw = "?"  # from a stream the text is gone: an ID no guide has
        if text is not None:
            end = text.find(doc.term, offset)
            raw = text[offset : end if end >= 0 else len(text)]
        elements = raw.split(doc.sep)
        doc.pending.append(("seg", "1"))
        try:
            doc.segment(elements[0], elements, raw or "?", position, False)
        except EngineUnavailable as exc:
            self.failure = exc

    def report(self) -> Pyx12Report:
        """Every error of the document, once the stream has been read to its end."""
        if self.failure is not None:
            raise self.failure
        self.doc.finish()
        return self.doc.report()


class _Stream:
    """Chunks of bytes as the reader's stream interface (``read``)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks

    def read(self, _size: int = -1) -> bytes:
        return next(self.chunks, b"")
