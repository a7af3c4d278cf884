"""A described segment compiled into one straight-line function that writes it.

The builder writes tens of segments per claim and tens of thousands of claims a night, so
a segment's description is not interpreted per claim: like :mod:`dataclasses` builds
``__init__``, :func:`compile_segment` turns it into the source of a function that reads
exactly the fields the description binds, in element order, and formats them.  The
generated code is small and has no branches the description did not ask for; its text is
kept on the function that makes it (``make.source``) for whoever debugs it.

What the function does beyond the bindings is X12 syntax, not project choice: trailing
empty elements and components are dropped; a composite with no value is empty, qualifier
included; the guide's paired-element rules (``P0809``: NM108 only with NM109) drop a
fixed qualifier whose partner is empty; a situational segment with no value beyond its
fixed codes is not written.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from edi.guides.model import Binding, ElementSpec, GuideError, SegmentSpec
from edi.x12.delimiters import Delimiters

Render = Callable[..., None]
"""``render(subject=None, **given)``: see :func:`compile_segment`."""
MakeRender = Callable[[Callable[[str], str], Callable[[str], None]], Render]
"""``make(clean, add)``: a segment's render function for one writer."""
SUBJECT: Any = type("Subject", (), {"__repr__": lambda _: "SUBJECT"})()
"""The default of a field parameter: take the field from the subject."""


@lru_cache(maxsize=4096)
def x12_decimal(value: Decimal) -> str:
    """X12 ``R`` type: no exponent, no needless trailing zeros (``150.00`` → ``150``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@lru_cache(maxsize=4096)
def d8(value: date) -> str:
    """X12 ``D8`` date: ``CCYYMMDD``."""
    return value.strftime("%Y%m%d")


def _fmt(value: Any, clean: Callable[[str], str]) -> str:
    """An element's text: decimals and dates in X12 form, anything else cleaned."""
    if value is None:
        return ""
    cls = value.__class__
    if cls is str:
        return clean(value) if value else ""
    if cls is int:
        return str(value)
    if cls is Decimal:
        return x12_decimal(value)
    if cls is date:
        return d8(value)
    return clean(str(value))


def _period(start: date | None, end: date | None) -> str:
    """``CCYYMMDD``, or ``CCYYMMDD-CCYYMMDD`` (RD8) when the period ends on another day."""
    if start is None:
        return ""
    if end is None or end == start:
        return d8(start)
    return f"{d8(start)}-{d8(end)}"


def _range(start: date | None, end: date | None) -> str:
    """``CCYYMMDD-CCYYMMDD`` always: a period whose format is fixed ``RD8`` (the 837I's
    statement dates, occurrence spans) repeats the day when it ends where it starts."""
    if start is None:
        return ""
    return f"{d8(start)}-{d8(end or start)}"


class _Source:
    """The lines of one render function, with the names its values get."""

    def __init__(self, spec: SegmentSpec | None = None) -> None:
        self.widths: dict[str, int] = {}
        """Each list the segment reads (``modifiers``) → how many of its items."""
        for element in spec.elements if spec else ():
            for path in element.binding.fields:
                for item in _INDEX.finditer(path):
                    listed, width = path[: item.start()], int(item[1]) + 1
                    self.widths[listed] = max(self.widths.get(listed, 0), width)
        self.ranged = spec.ranged if spec else False
        """A fixed ``RD8`` format: each period is written as a range (:func:`_range`)."""
        self.lines: list[str] = []
        self.names: dict[str, str] = {}
        self.constants: dict[str, Any] = {}
        self.params: dict[str, str] = {}
        """Keyword parameter → its default: builder values (``None``) and the plain
        fields the builder may give instead of the subject's (``SUBJECT``)."""

    def emit(self, line: str) -> None:
        self.lines.append("        " + line)

    def name(self, key: str, prefix: str) -> str:
        if key not in self.names:
            self.names[key] = f"{prefix}{len(self.names)}"
        return self.names[key]

    def param(self, name: str, default: str, where: str) -> str:
        if name in _RESERVED or keyword.iskeyword(name):
            raise GuideError(f"{where}: {name!r} is a reserved name; rename the binding")
        if self.params.setdefault(name, default) != default:
            raise GuideError(f"{where}: {name!r} is both a field and a builder value; rename one")
        return name

    def obj(self, path: str) -> str:
        """A variable holding the object at ``path`` of the subject (``None`` if absent)."""
        if not path:
            return "subject"
        if "obj:" + path in self.names:
            return self.names["obj:" + path]
        if path.endswith("]"):
            listed, _, index = path[:-1].rpartition("[")
            var = self.name("obj:" + path, "o")
            self.emit(f"{var} = {self.padded(listed)}[{index}]")
            return var
        parent, _, name = path.rpartition(".")
        holder = self.obj(parent)
        var = self.name("obj:" + path, "o")
        if holder == "subject":  # the builder passes a subject wherever fields are bound
            self.emit(f"{var} = subject.{name}")
        else:
            self.emit(f"{var} = None if {holder} is None else {holder}.{name}")
        return var

    def padded(self, path: str) -> str:
        """A variable holding the list at ``path`` padded with ``None`` to the widest index
        the segment reads, so that each item is one subscript."""
        if "list:" + path not in self.names:
            items, var = self.obj(path), self.name("list:" + path, "p")
            nones = ", ".join(["None"] * self.widths[path])
            self.emit(f"{var} = (*({items} or ()), {nones})")
        return self.names["list:" + path]

    def field(self, path: str, where: str) -> str:
        """A variable holding the field's value: the builder's, else the subject's."""
        if "field:" + path in self.names:
            return self.names["field:" + path]
        if "." in path or path.endswith("]"):
            return self.obj(path)
        var = self.name("field:" + path, "v")
        # looked up only when not given: it may exist only as a builder's value
        given = self.param(path, "SUBJECT", where)
        self.emit(f"{var} = subject.{path} if {given} is SUBJECT else {given}")
        return var

    def plain(self, element: ElementSpec, path: str, where: str) -> str:
        """A variable holding a plain field's text: the subject's cleaned, or the builder's
        as it is (the subject's is looked up only when not given: it may exist only as a
        builder's value)."""
        given, raw = self.param(path, "SUBJECT", where), self.name("subject:" + path, "v")
        text = self.name(f"text:{element.position}", "t")
        self.emit(f"if {given} is SUBJECT:")
        self.emit(f"    {raw} = subject.{path}")
        self.emit(f"    {text} = {_text(raw, element)}")
        self.emit("else:")
        self.emit(f"    {text} = {_given(given)}")
        return text

    def value(self, element: ElementSpec, where: str) -> str:
        """An expression for the element's text."""
        binding: Binding = element.binding
        if binding.kind == "code":
            return repr(binding.value)
        if binding.kind == "builder":
            return _given(self.param(binding.value, "None", where))
        path = binding.value
        simple = binding.alternatives == (path,) and not (binding.codes or binding.through)
        if simple and "." not in path and not path.endswith("]"):
            return self.plain(element, path, where)
        first, *others = (self.field(f, where) for f in binding.alternatives)
        raw = first
        for other in others:
            raw = self.name(f"alt:{element.position}", "a")
            self.emit(f"{raw} = {first} if {first} is not None and {first} != '' else {other}")
        if binding.codes:
            table = self.name(f"codes:{element.position}", "codes")
            self.constants[table] = dict(binding.codes)
            return f"('' if {raw} is None else {table}.get({raw}, ''))"
        if binding.through:
            function = "date_range" if self.ranged else "period"
            return f"{function}({raw}, {self.field(binding.through, where)})"
        return _text(raw, element)


_INDEX = re.compile(r"\[(\d+)\]")
"""A list index in a field path (``modifiers[1]``): what precedes it is the list."""
_RESERVED = frozenset({"subject", "clean", "add", "render", "make"})
"""Names of the generated code that a field or builder value may not take."""


def _text(raw: str, element: ElementSpec) -> str:
    """The expression formatting variable ``raw``: the common types inline, in the order
    the element's data type makes likely, anything else through :func:`_fmt`."""
    if element.facts.data_type == "AN":
        text = f"(clean({raw}) if {raw} else '')"
    else:  # a code or number the model validated: letters and digits are safe as they are
        text = f"({raw} if {raw}.isalnum() else clean({raw}) if {raw} else '')"
    cls = f"{raw}.__class__"
    cases = {
        "str": f"{text} if {cls} is str",
        "Decimal": f"decimal({raw}) if {cls} is Decimal",
        "date": f"day({raw}) if {cls} is date",
        "int": f"str({raw}) if {cls} is int",
    }
    first = _LIKELY.get(element.facts.data_type, "str")
    order = [first, *(kind for kind in cases if kind != first)]
    chain = " else ".join(cases[kind] for kind in order)
    return f"('' if {raw} is None else {chain} else fmt({raw}, clean))"


def _given(raw: str) -> str:
    """The expression formatting a builder's value ``raw``: text is already X12-safe."""
    cls = f"{raw}.__class__"
    return (
        f"('' if {raw} is None else {raw} if {cls} is str else str({raw}) if {cls} is int "
        f"else decimal({raw}) if {cls} is Decimal else day({raw}) if {cls} is date "
        f"else fmt({raw}, clean))"
    )


_LIKELY = {"R": "Decimal", "DT": "date", "N0": "int"}
"""Which Python type an element of an X12 data type most often gets."""


def _source(spec: SegmentSpec) -> _Source:
    src = _Source(spec)
    where = f"segment {spec.name!r}"
    by_index: dict[int, list[ElementSpec]] = {}
    for element in spec.elements:
        by_index.setdefault(element.index, []).append(element)
    size = max(by_index, default=0)
    fixed = {e.index for e in spec.elements if e.binding.kind == "code" and not e.component}
    paired: dict[tuple[int, ...], list[int]] = {}  # P rule → its fixed codes (NM108) to drop
    for rule in spec.facts.syntax:
        pair = [int(rule[i : i + 2]) for i in range(1, len(rule), 2)]
        codes = [i for i in pair if i in fixed]
        if rule.startswith("P") and codes and max(pair) <= size:
            paired[tuple(pair)] = codes
    keep = {i for codes in paired.values() for i in codes}
    slots = [
        _slot(src, index, by_index.get(index, []), index in keep, where)
        for index in range(1, size + 1)
    ]
    if spec.usage != "R":
        valued = [f"e{e.index}" for e in spec.elements if e.binding.kind != "code"]
        src.emit(f"if not ({' or '.join(dict.fromkeys(valued)) or 'False'}):")
        src.emit("    return")
    for pair, codes in paired.items():
        src.emit(f"if not ({' and '.join(slots[i - 1] for i in pair)}):")
        src.emit(f"    {' = '.join(f'e{i}' for i in codes)} = ''")
    # no value holds a separator, so stripping them drops exactly the trailing empty elements
    src.emit(f"add(element.join(({spec.segment_id!r}, {', '.join(slots)})).rstrip(element) + end)")
    return src


def _slot(src: _Source, index: int, elements: list[ElementSpec], keep: bool, where: str) -> str:
    """The expression of element ``index``: a fixed code inline, else a variable holding
    its text (``keep``: a code that a paired rule may drop lives in one too)."""
    var = f"e{index}"
    if not elements:
        return "''"
    if elements[0].component is None:
        value = src.value(elements[0], where)
        if elements[0].binding.kind == "code" and not keep:
            return value
        src.emit(f"{var} = {value}")
        return var
    parts = {e.component: e for e in elements}
    components, valued = [], []
    for number in range(1, max(parts) + 1):
        element = parts.get(number)
        if element is None:
            components.append("''")
        elif element.binding.kind == "code":
            components.append(src.value(element, where))
        else:
            components.append(f"{var}_{number}")
            valued.append(f"{var}_{number}")
            src.emit(f"{var}_{number} = {src.value(element, where)}")
    joined = f"sep.join(({', '.join(components)},)).rstrip(sep)"
    src.emit(f"{var} = {joined} if ({' or '.join(valued) or 'False'}) else ''")
    return var


def _constant(spec: SegmentSpec, delimiters: Delimiters, end: str) -> str | None:
    """The text of a required segment that is only fixed codes (``NM1*87*2~``), else
    ``None``: a situational one with nothing but codes is never written."""
    if spec.usage != "R" or any(e.binding.kind != "code" for e in spec.elements):
        return None
    out = [spec.segment_id]
    for element in spec.elements:
        out += [""] * (element.index - len(out) + 1)
        components = out[element.index].split(delimiters.component) if out[element.index] else []
        if element.component is None:
            out[element.index] = element.binding.value
            continue
        components += [""] * (element.component - len(components))
        components[element.component - 1] = element.binding.value
        out[element.index] = delimiters.component.join(components)
    return delimiters.element.join(out) + end


def compile_segment(spec: SegmentSpec, delimiters: Delimiters, end: str) -> MakeRender:
    """``make(clean, add)`` returns ``render(subject=None, **given)``, which writes the
    segment's text (``end`` terminates it) with ``add``, or nothing when a situational
    segment has nothing to say; ``clean`` makes the subject's text X12-safe.  ``given``
    are the description's ``@name`` builder values and plain fields given instead of the
    subject's (``render(enc, encounter_id=clm01)``): numbers, decimals and dates are
    formatted, but text is written as it is, so the builder gives only text it has
    cleaned or the model validated (the hot path must not clean twice)."""
    constant = _constant(spec, delimiters, end)
    src = _source(spec) if constant is None else _Source()
    if constant is not None:
        src.emit(f"add({constant!r})")
    params = ", ".join(f"{name}={default}" for name, default in src.params.items())
    text = "\n".join(
        [
            "def make(clean, add):",
            f"    def render(subject=None{', *, ' + params if params else ''}):",
            *src.lines,
            "    return render",
            "",
        ]
    )
    namespace: dict[str, Any] = {
        "fmt": _fmt,
        "decimal": x12_decimal,
        "day": d8,
        "Decimal": Decimal,
        "date": date,
        "period": _period,
        "date_range": _range,
        "SUBJECT": SUBJECT,
        "sep": delimiters.component,
        "element": delimiters.element,
        "end": end,
        **src.constants,
    }
    exec(compile(text, f"<guide segment {spec.name}>", "exec"), namespace)
    make = namespace["make"]
    make.source = text
    return make
