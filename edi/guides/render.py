"""A described segment compiled into one straight-line function that writes it.

The builder writes tens of segments per claim and tens of thousands of claims a night, so
a segment's description is not interpreted per claim: like :mod:`dataclasses` builds
``__init__``, :func:`compile_segment` turns it into the source of a function that reads
exactly the fields the description binds, in element order, and formats them.  The
generated code is small and has no branches the description did not ask for; its text is
kept on the function (``render.source``) for whoever debugs it.

What the function does beyond the bindings is X12 syntax, not project choice: trailing
empty elements and components are dropped; a composite with no value is empty, qualifier
included; the guide's paired-element rules (``P0809``: NM108 only with NM109) drop a
fixed qualifier whose partner is empty; a situational segment with no value beyond its
fixed codes is not written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from edi.guides.model import Binding, ElementSpec, SegmentSpec
from edi.x12.delimiters import Delimiters

Values = Mapping[str, Any]
"""Values the builder supplies by name: ``@name`` builder values and field overrides."""
Render = Callable[[Any, Values, Callable[[str], str], Callable[[str], None]], None]
"""``render(subject, values, clean, add)``: see :func:`compile_segment`."""


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


class _Source:
    """The lines of one render function, with the names its values get."""

    def __init__(self, overrides: bool) -> None:
        self.overrides = overrides
        """Whether the builder passed values: without, no field is looked up in them."""
        self.lines: list[str] = []
        self.names: dict[str, str] = {}
        self.constants: dict[str, Any] = {}

    def emit(self, line: str) -> None:
        self.lines.append("    " + line)

    def name(self, key: str, prefix: str) -> str:
        if key not in self.names:
            self.names[key] = f"{prefix}{len(self.names)}"
        return self.names[key]

    def obj(self, path: str) -> str:
        """A variable holding the object at ``path`` of the subject (``None`` if absent)."""
        if not path:
            return "subject"
        if "obj:" + path in self.names:
            return self.names["obj:" + path]
        if path.endswith("]"):
            listed, _, index = path[:-1].rpartition("[")
            items, i = self.obj(listed), int(index)
            var = self.name("obj:" + path, "o")
            self.emit(
                f"{var} = {items}[{i}] if {items} is not None and len({items}) > {i} else None"
            )
            return var
        parent, _, name = path.rpartition(".")
        holder = self.obj(parent)
        var = self.name("obj:" + path, "o")
        if holder == "subject":  # the builder passes a subject wherever fields are bound
            self.emit(f"{var} = subject.{name}")
        else:
            self.emit(f"{var} = None if {holder} is None else {holder}.{name}")
        return var

    def field(self, path: str) -> str:
        """A variable holding the field's value: the builder's override, else the subject's."""
        if "field:" + path in self.names:
            return self.names["field:" + path]
        # a plain field is looked up only when not overridden: it may exist only as one
        nested = "." in path or path.endswith("]")
        found = self.obj(path) if nested else f"subject.{path}"
        var = self.name("field:" + path, "v")
        if self.overrides:
            self.emit(f"{var} = values[{path!r}] if {path!r} in values else {found}")
        else:
            self.emit(f"{var} = {found}")
        return var

    def value(self, element: ElementSpec) -> str:
        """An expression for the element's text."""
        binding: Binding = element.binding
        if binding.kind == "code":
            return repr(binding.value)
        if binding.kind == "builder":
            if not self.overrides:
                return "''"
            return f"fmt(values.get({'@' + binding.value!r}), clean)"
        first, *others = (self.field(f) for f in binding.alternatives)
        raw = first
        for other in others:
            raw = self.name(f"alt:{element.position}", "a")
            self.emit(f"{raw} = {first} if {first} is not None and {first} != '' else {other}")
        if binding.codes:
            table = self.name(f"codes:{element.position}", "codes")
            self.constants[table] = dict(binding.codes)
            return f"('' if {raw} is None else {table}.get({raw}, ''))"
        if binding.through:
            return f"period({raw}, {self.field(binding.through)})"
        if element.facts.data_type == "AN":
            text = f"(clean({raw}) if {raw} else '')"
        else:  # a code or number the model validated: letters and digits are safe as they are
            text = f"({raw} if {raw}.isalnum() else clean({raw}) if {raw} else '')"
        cls = f"{raw}.__class__"
        return (
            f"('' if {raw} is None else {text} if {cls} is str else decimal({raw}) "
            f"if {cls} is Decimal else day({raw}) if {cls} is date else str({raw}) if {cls} is int "
            f"else fmt({raw}, clean))"
        )


def _source(spec: SegmentSpec, overrides: bool) -> _Source:
    src = _Source(overrides)
    by_index: dict[int, list[ElementSpec]] = {}
    for element in spec.elements:
        by_index.setdefault(element.index, []).append(element)
    size = max(by_index, default=0)
    slots = []
    for index in range(1, size + 1):
        elements = by_index.get(index, [])
        var = f"e{index}"
        if not elements:
            slots.append("''")
            continue
        slots.append(var)
        if elements[0].component is None:
            src.emit(f"{var} = {src.value(elements[0])}")
            continue
        parts = {e.component: e for e in elements}
        components = []
        for number in range(1, max(parts) + 1):
            element = parts.get(number)
            components.append(f"{var}_{number}" if element else "''")
            if element:
                src.emit(f"{var}_{number} = {src.value(element)}")
        valued = [f"{var}_{e.component}" for e in elements if e.binding.kind != "code"]
        joined = f"sep.join(({', '.join(components)},)).rstrip(sep)"
        src.emit(f"{var} = {joined} if ({' or '.join(valued) or 'False'}) else ''")
    if spec.usage != "R":
        valued = [f"e{e.index}" for e in spec.elements if e.binding.kind != "code"]
        src.emit(f"if not ({' or '.join(dict.fromkeys(valued)) or 'False'}):")
        src.emit("    return")
    fixed = {e.index for e in spec.elements if e.binding.kind == "code" and not e.component}
    for rule in spec.facts.syntax:
        pair = [int(rule[i : i + 2]) for i in range(1, len(rule), 2)]
        codes = [i for i in pair if i in fixed]
        if rule.startswith("P") and codes and max(pair) <= size:
            src.emit(f"if not ({' and '.join(slots[i - 1] for i in pair)}):")
            src.emit(f"    {' = '.join(f'e{i}' for i in codes)} = ''")
    src.emit(f"out = [{spec.segment_id!r}, {', '.join(slots)}]")
    src.emit("while not out[-1]:")
    src.emit("    out.pop()")
    src.emit("add(element.join(out) + end)")
    return src


def compile_segment(spec: SegmentSpec, delimiters: Delimiters, end: str) -> Render:
    """``render(subject, values, clean, add)`` writes the segment's text (``end``
    terminates it) with ``add``, or nothing when a situational segment has nothing to
    say; ``clean`` makes text X12-safe."""
    given, plain = _source(spec, overrides=True), _source(spec, overrides=False)
    text = "\n".join(
        [
            "def render(subject, values, clean, add):",
            "    if values:",
            *("    " + line for line in given.lines),
            "        return",
            *plain.lines,
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
        "sep": delimiters.component,
        "element": delimiters.element,
        "end": end,
        **given.constants,
        **plain.constants,
    }
    exec(compile(text, f"<guide segment {spec.name}>", "exec"), namespace)
    render = namespace["render"]
    render.source = text
    return render
