"""One regular expression per segment node that matches only segments :func:`check` finds clean.

Most segments of a batch that the verdict cache has not seen differ from those before
only in their values (a claim ID, an amount, a name), so :func:`~edi.validate.elements.check`
walks all their element rules in Python.  An *acceptor* decides the usual case in one C
call.  It is conservative, never exact: a match means every element is one ``check``
accepts (its count, usage, size, characters, code list, data type, composite shape), and
no match only means "ask ``check``", so a value it cannot vouch for cheaply (a date after
the 28th, an element with the map's own pattern, a DTP date whose format is in DTP02)
costs what it cost before and the findings stay those of ``check``.  Values of long or
external code lists are captured and looked up in their sets; the elements syntax notes
read are captured too, and the notes checked on the match, so the text is never split.
An element the guide lets repeat matches up to its count of values joined by the
repetition separator, each one a value of the element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from edi.validate.elements import _CONTROL, _ID_E5, _judge

_TEXT = "".join(
    c for c in map(chr, range(32, 127)) if not _ID_E5.search(c) and not _CONTROL.search(c)
)
"""The characters an AN or ID value may hold (pyx12's extended 5010 set)."""
_DATE = (
    r"(?:1[89]|20)[0-9][0-9]"
    r"(?:(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])(?:29|30)|(?:0[13578]|1[02])31)"
)
"""A date of 1800-2099 (CCYYMMDD); February 29th is left to ``check`` (leap years)."""
_TIME = r"(?:[01][0-9]|2[0-3])[0-5][0-9]"
_FORMATS = {"D8": _DATE, "DT": _DATE, "TM": _TIME, "RD8": f"{_DATE}-{_DATE}"}
"""The values of a date format (a 1250 element's code) that ``valid_type`` accepts."""
_LISTED = 64
"""Code lists up to this size become alternatives in the pattern; longer ones are sets."""

Acceptor = Callable[[str], bool]


@cache
def _class(chars: str) -> str:
    """A character class of ``chars``, each run of consecutive characters as a range: the
    same set as one escape per character, in a pattern the regex parser reads three times
    faster (acceptors are compiled on first use, in every process)."""
    codes = sorted(set(map(ord, chars)))
    parts, start = [], 0
    for end in range(1, len(codes) + 1):
        if end == len(codes) or codes[end] != codes[end - 1] + 1:
            low, high = re.escape(chr(codes[start])), re.escape(chr(codes[end - 1]))
            parts.append(low if low == high else f"{low}-{high}")
            start = end
    return "[" + "".join(parts) + "]"


class _Builder:
    """The pattern of one segment node's elements for one set of delimiters."""

    def __init__(self, sep: str, comp: str, external: dict[str, frozenset], rep: str) -> None:
        text = self.text = "".join(c for c in _TEXT if c not in (sep, comp, rep, "^", "~"))
        self.any = _class(text)
        stops = (sep, comp, rep) if rep else (sep, comp)
        self.stop = "(?:" + "|".join(map(re.escape, stops)) + "|\\Z)"
        self.external = external
        self.rep = rep
        self.lookups: list[tuple[str, frozenset, str]] = []
        """Per value looked up: its group, the values ``check`` accepts, the separator of
        its repeats (none for an element that does not repeat)."""
        self.captured: dict[int, bool] = {}
        """The positions captured for the syntax notes: whether each is a composite."""

    def _repeated(self, body: str, repeat: int) -> str:
        """``body`` once, or up to ``repeat`` times joined by the repetition separator."""
        if repeat < 2 or not self.rep:
            return body
        return f"{body}(?:{re.escape(self.rep)}{body}){{0,{repeat - 1}}}"

    def value(self, rule: tuple, formats: tuple[str, ...] = ()) -> str | None:
        """A non-empty value of a simple element or component (each of its repeats, for
        one the guide lets repeat), or None: not expressible.  ``formats``: the date
        formats ``check`` holds a 1251 element (a date in the format a 1250 names) to,
        the codes of every 1250 element before it in the segment."""
        _seq, usage, _name, _de, dtype, low, high, codes, ext, rec, _is1250, is1251, repeat = rule
        if usage == "N":
            return ""
        if rec is not None or not dtype:
            return None
        low = max(low, 1)
        if high < low:
            return None
        if is1251 and formats:
            if codes is not None or ext is not None or repeat > 1:
                return None
            return self._formatted(dtype, low, high, formats)
        if codes is not None and ext is None and len(codes) <= _LISTED:
            ok = sorted((c for c in codes if self._clean(rule, c)), key=lambda c: (-len(c), c))
            alternatives = "(?:" + "|".join(map(re.escape, ok)) + ")"
            return self._repeated(alternatives, repeat) if ok else None
        body = self._typed(dtype, low, high)
        if body is None or (codes is None and ext is None):
            return None if body is None else self._repeated(body, repeat)
        name = f"v{len(self.lookups)}"
        split = self.rep if repeat > 1 else ""
        allowed = frozenset(codes or ()) | (self.external[ext] if ext is not None else frozenset())
        self.lookups.append((name, allowed, split))
        return f"(?P<{name}>{self._repeated(body, repeat)})"

    def _formatted(self, dtype: str, low: int, high: int, formats: tuple[str, ...]) -> str | None:
        """A value of the type and size that is a date in one of ``formats``, or None."""
        body = self._typed(dtype, low, high)
        dates = [_FORMATS[f] for f in formats if f in _FORMATS]
        if body is None or not dates:
            return None
        return f"(?=(?:{'|'.join(dates)}){self.stop}){body}"

    def _typed(self, dtype: str, low: int, high: int) -> str | None:
        """A value of the type and size, or None."""
        if dtype in ("AN", "ID"):
            return f"{self.any}{{{low},{high}}}(?<! )"  # the last character not a space
        if dtype[0] == "N":
            return f"-?[0-9]{{{low},{high}}}"
        if dtype == "R":
            return f"-?(?=(?:\\.?[0-9]){{{low},{high}}}{self.stop})[0-9]*(?:\\.[0-9]+)?"
        if dtype in ("DT", "D8") and low <= 8 <= high:
            return _DATE
        if dtype == "TM" and low <= 4 <= high:
            return _TIME
        return None

    def _clean(self, rule: tuple, code: str) -> bool:
        """A listed code that check() accepts and that holds no delimiter."""
        errors: list = []
        _judge(rule, code, (), self.external, errors)
        return bool(code) and not errors and all(c in self.text for c in code)

    def composite(self, rule: tuple, comp: str) -> str | None:
        _seq, usage, _name, _refdes, _, components, repeat = rule
        if usage == "N":
            return ""
        if usage == "R" and components[0][1] != "R":
            return None
        looked_up = len(self.lookups)
        parts = [(self.value(sub), sub[1] == "R") for sub in components]
        if any(p is None for p, _ in parts):
            return None
        if repeat > 1 and self.rep and len(self.lookups) > looked_up:
            return None  # a named group repeated keeps only its last value: check() decides
        return self._repeated(_chain(parts, re.escape(comp), lead=False), repeat)

    def segment(
        self, sid: str, rules: tuple, sep: str, comp: str, noted: frozenset[int]
    ) -> str | None:
        """The pattern of a whole segment; each element in ``noted`` (a position a syntax
        note reads) that may hold a value is captured as group ``e<position>``, and noted
        in ``captured``."""
        parts = []
        formats: tuple[str, ...] = ()
        for position, rule in enumerate(rules, 1):
            if rule[4] is None:
                part = self.composite(rule, comp)
            else:
                if rule[10]:  # a 1250 element: check() takes its codes as formats
                    if rule[-1] > 1:
                        return None  # unless it is split into repeats: check() decides
                    formats += tuple(rule[7] or ())
                part = self.value(rule, formats)
            if part is None:
                return None
            if position in noted and part:
                part = f"(?P<e{position}>{part})"
                self.captured[position] = rule[4] is None
            parts.append((part, rule[1] == "R"))
        return re.escape(sid) + _chain(parts, re.escape(sep), lead=True)


def _chain(parts: list[tuple[str, bool]], sep: str, lead: bool) -> str:
    """Elements (or components) in order: a trailing run without a required one may be
    cut off, an element not required may be empty.  The last ones that are never used
    are up to as many separators: one repeat, not as many nested groups to compile."""
    tail, required_after, unused = "", False, 0
    for i in range(len(parts) - 1, -1, -1):
        part, required = parts[i]
        if part == "" and unused == len(parts) - 1 - i and (lead or i > 0):
            unused += 1
            tail = f"(?:{sep}){{0,{unused}}}"
            continue
        one = part if required or part == "" else f"(?:{part})?"
        head = sep if lead or i > 0 else ""
        piece = head + one + tail
        required_after = required_after or required
        tail = piece if required_after or (not lead and i == 0) else f"(?:{piece})?"
    return tail


def acceptor(
    sid: str,
    rules: tuple,
    syntax: tuple,
    sep: str,
    comp: str,
    external: dict[str, frozenset],
    rep: str = "",
) -> Acceptor | None:
    """A test ``raw -> bool`` of a segment's text that is true only of segments ``check``
    finds clean (with the same repetition separator ``rep``), or None when the node's rules
    cannot be written as a pattern.  It reads the text alone, the elements its syntax
    notes read captured by the pattern: most segments the engine meets for the first
    time are accepted without being split into elements."""
    if sid == "DTP":  # DTP03's format is named by DTP02: check() decides
        return None
    build = _Builder(sep, comp, external, rep)
    noted = frozenset(s for _kind, positions in syntax for s in positions)
    source = build.segment(sid, rules, sep, comp, noted)
    if source is None:
        return None
    match = re.compile(source, re.ASCII | re.DOTALL).fullmatch
    lookups = tuple(build.lookups)
    notes = syntax_test(syntax, build.captured) if syntax else None

    if not lookups:  # the usual case, without a loop
        if notes is None:
            return lambda raw: match(raw) is not None
        return lambda raw: (m := match(raw)) is not None and notes(m, comp)

    def accepts(raw: str) -> bool:
        m = match(raw)
        if m is None:
            return False
        for name, allowed, split in lookups:
            found = m[name]
            if found is None:
                continue
            if not (allowed.issuperset(found.split(split)) if split else found in allowed):
                return False
        return notes is None or notes(m, comp)

    return accepts


def syntax_test(syntax: tuple, captured: dict[int, bool]) -> Callable[[re.Match, str], bool]:
    """All of a segment's syntax notes as one compiled test ``(match, comp)`` of the match
    of its acceptor's pattern, true when every note holds: the same tests as
    ``elements._syntax_ok``, without its loops.  Element ``s`` is present when its group
    ``e<s>`` holds a value (a simple element's group never matches an empty one) or, for
    a composite (``captured[s]``), more than component separators; one not ``captured``
    is always empty in a match (not used, or past the segment's last element)."""

    def has(s: int) -> str:
        if s not in captured:
            return "False"
        return f"(m['e{s}'] or '').rstrip(c) != ''" if captured[s] else f"m['e{s}'] is not None"

    terms = []
    for kind, idx in syntax:
        present = [f"({has(s)})" for s in idx]
        if len(idx) < 2 or kind not in "PRECL":
            terms.append("False")
        elif kind == "P":
            terms.append("(" + " == ".join(present) + ")")
        elif kind == "R":
            terms.append("(" + " or ".join(present) + ")")
        elif kind == "E":
            terms.append("(" + " + ".join(present) + " <= 1)")
        elif kind == "C":
            terms.append(f"(not {present[0]} or (" + " and ".join(present[1:]) + "))")
        else:  # L
            terms.append(f"(not {present[0]} or (" + " or ".join(present[1:]) + "))")
    return eval("lambda m, c: " + " and ".join(terms))  # our own text, from the map's notes
