"""One segment of a guide description, compiled for writing and for reading.

A :class:`SegmentPlan` is made once per segment description and process: the element
slots, their order, which are fixed codes, which fields they take from the encounter and
how each is formatted.  Writing a segment is then one pass over those slots, which keeps
the builder as fast as hand-written calls; reading one fills a record (plain dicts, the
encounter-v1 shape) by the same slots in the other direction.

What the slots do beyond the description's bindings is X12 syntax, not project choice:
trailing empty elements and components are dropped; a composite with no value is empty,
qualifier included; the guide's paired-element rules (``P0809``: NM108 only with NM109)
drop a fixed qualifier whose partner is empty; a situational segment with no value
beyond its fixed codes is not written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from edi.guides.model import Binding, ElementSpec, SegmentSpec
from edi.x12.reader import Segment

Values = Mapping[str, Any]
"""Values the builder supplies by name: ``@`` builder values and field overrides."""
Getter = Callable[[Any, Values], str]


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


def _field_getter(path: str) -> Callable[[Any], Any]:
    """``address.city`` or ``modifiers[1]`` of an object; ``None`` where absent."""
    name, _, rest = path.partition(".")
    index = None
    if name.endswith("]"):
        name, _, number = name[:-1].partition("[")
        index = int(number)

    def get(obj: Any) -> Any:
        value = getattr(obj, name, None)
        if index is not None:
            value = value[index] if value is not None and len(value) > index else None
        return value

    if not rest:
        return get
    inner = _field_getter(rest)
    return lambda obj: None if (value := get(obj)) is None else inner(value)


def _format(value: Any, clean: Callable[[str], str]) -> str:
    if value is None:
        return ""
    cls = value.__class__
    if cls is str:
        return clean(value) if value else ""
    if cls is Decimal:
        return x12_decimal(value)
    if cls is date:
        return d8(value)
    return clean(str(value))


class SegmentPlan:
    """Write and read one described segment."""

    def __init__(self, spec: SegmentSpec) -> None:
        self.spec = spec
        self.segment_id = spec.segment_id
        by_index: dict[int, list[ElementSpec]] = {}
        for element in spec.elements:
            by_index.setdefault(element.index, []).append(element)
        self._slots = tuple(
            (index, tuple(by_index.get(index, ())))
            for index in range(1, max(by_index, default=0) + 1)
        )
        self._pairs = tuple(
            tuple(int(rule[i : i + 2]) for i in range(1, len(rule), 2))
            for rule in spec.facts.syntax
            if rule.startswith("P")
        )
        coded = [e for e in spec.elements if e.component and e.binding.kind == "code"]
        self._code_at = {e.index: e.component for e in coded}
        """Composite → which of its components is a fixed code (HI01-1)."""
        self._codes = frozenset(e.binding.value for e in coded)
        """The fixed codes the segment's composites carry; a composite read back must
        carry one of them."""
        self._optional = spec.usage != "R"

    # -- writing --------------------------------------------------------------------------
    def compile(
        self, clean: Callable[[str], str], component: str
    ) -> Callable[[Any, Values], list[str] | None]:
        """A function (subject, values) → the segment's elements, or ``None`` when a
        situational segment has nothing to say; ``clean`` makes text X12-safe."""
        slots = tuple(
            tuple(
                (e.component, _getter(e.binding, clean), e.binding.kind == "code") for e in elements
            )
            for _index, elements in self._slots
        )
        pairs, segment_id = self._pairs, self.segment_id
        fixed_set = frozenset(
            e.index for e in self.spec.elements if e.binding.kind == "code" and e.component is None
        )
        skip_when_empty = self._optional
        value_slots = frozenset(e.index for e in self.spec.elements if e.binding.kind != "code")

        def render(subject: Any, values: Values) -> list[str] | None:
            out = [segment_id]
            for getters in slots:
                if not getters:
                    out.append("")
                elif getters[0][0] is None:
                    out.append(getters[0][1](subject, values))
                else:
                    out.append(_composite(getters, subject, values, component))
            if skip_when_empty and not any(out[i] for i in value_slots):
                return None
            for pair in pairs:
                if fixed_set.intersection(pair) and not all(
                    out[i] if i < len(out) else "" for i in pair
                ):
                    for i in pair:
                        if i in fixed_set and i < len(out):
                            out[i] = ""
            while not out[-1]:
                out.pop()
            return out

        return render

    # -- reading --------------------------------------------------------------------------
    def matches(self, seg: Segment) -> bool:
        """Whether ``seg`` is this variant: its qualifier (NM101, REF01, HL03...) agrees."""
        element = self.spec.qualifier_element
        if element is None:
            return True
        binding = element.binding
        if binding.kind == "code":
            return seg.get(element.index) == binding.value
        return seg.get(element.index) in {code for _, code in binding.codes}

    def read(self, seg: Segment, builder: bool = False) -> dict[str, Any]:
        """The fields ``seg`` carries, relative to the subject: ``{'address.city': 'X'}``;
        lists (``modifiers[0]``...) gathered in order under their name.  A composite is
        read only when its fixed code is one the description writes there (HI's ABK/ABF,
        not ICD-9's BK).  ``builder`` adds the ``@`` values (``{'@reference': ...}``)."""
        out: dict[str, Any] = {}
        for element in self.spec.elements:
            binding = element.binding
            if binding.kind == "builder" and builder:
                out["@" + binding.value] = seg.get(element.index)
            if binding.kind != "field":
                continue
            if element.component is None:
                raw = seg.get(element.index)
            elif element.index not in self._code_at or (
                seg.component(element.index, self._code_at[element.index]) in self._codes
            ):
                raw = seg.component(element.index, element.component)
            else:
                continue
            if raw:
                self._read_into(out, raw, element, binding, seg)
        return out

    def _read_into(
        self, out: dict[str, Any], raw: str, element: ElementSpec, binding: Binding, seg: Segment
    ) -> None:
        field = binding.value
        if len(binding.alternatives) > 1:  # NM103: an organisation's name when NM102 is 2
            field = binding.alternatives[0] if seg.get(2) == "2" else binding.alternatives[-1]
        if binding.through:
            start, _, end = raw.partition("-")
            out[field] = _date(start)
            if end and end != start:
                out[binding.through] = _date(end)
            return
        value = _read_value(raw, element, binding)
        name, bracket, _ = field.partition("[")
        if bracket:
            out.setdefault(name, []).append(value)
        else:
            out[field] = value


def _composite(getters: tuple, subject: Any, values: Values, separator: str) -> str:
    parts = []
    empty = True
    for number, get, is_code in getters:
        while len(parts) < number - 1:
            parts.append("")
        value = get(subject, values)
        parts.append(value)
        if value and not is_code:
            empty = False
    if empty:
        return ""
    return separator.join(parts).rstrip(separator)


def _getter(binding: Binding, clean: Callable[[str], str]) -> Getter:
    if binding.kind == "code":
        value = binding.value

        def code(subject: Any, values: Values) -> str:
            return value

        return code
    if binding.kind == "builder":
        name = "@" + binding.value

        def builder(subject: Any, values: Values) -> str:
            return _format(values.get(name), clean)

        return builder
    fields = [(f, _field_getter(f)) for f in binding.alternatives]
    codes = dict(binding.codes)
    through = _field_getter(binding.through) if binding.through else None

    def field(subject: Any, values: Values) -> str:
        for name, get in fields:
            value = values[name] if name in values else get(subject)
            if value is not None and value != "":
                break
        else:
            return ""
        if codes:
            return codes.get(value, "")
        if through is not None:
            end = through(subject)
            if end is not None and end != value:
                return f"{d8(value)}-{d8(end)}"
        return _format(value, clean)

    return field


def _date(text: str) -> str:
    """``CCYYMMDD`` → ISO; anything else is passed on for the model to reject."""
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


_DATE_ELEMENTS = frozenset({"373", "1251"})
"""A date (DT), and the date-time-period element (AN) that DTP03 and DMG02 use."""


def _read_value(raw: str, element: ElementSpec, binding: Binding) -> Any:
    if binding.codes:
        for value, code in binding.codes:
            if code == raw:
                return value
        return raw
    facts = element.facts
    if facts.data_element in _DATE_ELEMENTS or facts.data_type == "DT":
        return _date(raw)
    if facts.data_type == "R":
        try:
            return Decimal(raw)
        except InvalidOperation:
            return raw
    if facts.data_type == "N0" and raw.isdigit():
        return int(raw)
    return raw
