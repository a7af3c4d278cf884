"""One segment of a guide description, read back: which variant a segment is, and the
fields it carries as a record (plain dicts, the encounter-v1 shape).

The other direction, writing, is :mod:`edi.guides.render`: the same bindings, so what the
builder writes into an element is what is read from it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from edi.guides.model import Binding, ElementSpec, SegmentSpec
from edi.x12.reader import Segment


class SegmentReader:
    """Read segments of one description: recognise them, and take their fields."""

    def __init__(self, spec: SegmentSpec) -> None:
        self.spec = spec
        self.segment_id = spec.segment_id
        coded = [e for e in spec.elements if e.component and e.binding.kind == "code"]
        self._code_at = {e.index: e.component for e in coded}
        """Composite → which of its components is a fixed code (HI01-1)."""
        self._codes = frozenset(e.binding.value for e in coded)
        """The fixed codes the segment's composites carry; a composite read back must
        carry one of them."""
        first = next((e for e in coded if e.index == 1 and e.component == 1), None)
        self.composite_qualifier = first.binding.value if first else ""
        """HI01-1's fixed code (``ABK``, ``BH``): what tells the 837I's HI segments apart."""
        self._ranged = spec.ranged
        """A period's end is read even when it is its start (the model requires it there)."""
        qualifier = spec.qualifier_element
        self.qualifier_index = qualifier.index if qualifier else 0
        """The element that tells this variant from its siblings (NM101: 1), 0 if none."""
        self._qualifier_codes = (
            frozenset()
            if qualifier is None
            else frozenset((qualifier.binding.value,))
            if qualifier.binding.kind == "code"
            else frozenset(code for _, code in qualifier.binding.codes)
        )
        """The qualifier's codes this variant takes."""
        self._read = tuple(
            (e, e.binding, self._code_at.get(e.index))
            for e in spec.elements
            if e.binding.kind in ("field", "builder")
        )
        """The elements :meth:`read` takes (fields, builder values), with the composite
        component that must carry a fixed code, if any."""

    def matches(self, seg: Segment, strict: bool = False) -> bool:
        """Whether ``seg`` is this variant: its qualifier (NM101, REF01, HL03...) agrees;
        ``strict`` also asks the first composite's fixed code (HI01-1) to agree, which
        tells the 837I's HI segments apart (a loose match still places an 837P's ICD-9
        ``BK``, so the rules can count it)."""
        if not self.qualifier_index:
            if strict and self.composite_qualifier:
                return seg.component(1, 1) == self.composite_qualifier
            return True
        return seg.get(self.qualifier_index) in self._qualifier_codes

    def read(self, seg: Segment, builder: bool = False) -> dict[str, Any]:
        """The fields ``seg`` carries, relative to the subject: ``{'address.city': 'X'}``;
        lists (``modifiers[0]``...) gathered in order under their name.  A composite is
        read only when its fixed code is one the description writes there (HI's ABK/ABF,
        not ICD-9's BK).  ``builder`` adds the ``@`` values (``{'@reference': ...}``)."""
        out: dict[str, Any] = {}
        items: dict[tuple[str, int], dict[str, Any]] = {}
        for element, binding, coded in self._read:
            if binding.kind == "builder":
                if builder:
                    out["@" + binding.value] = seg.get(element.index)
                continue
            if element.component is None:
                raw = seg.get(element.index)
            elif coded is None or seg.component(element.index, coded) in self._codes:
                raw = seg.component(element.index, element.component)
            else:
                continue
            if raw:
                self._read_into(_Out(out, items), raw, element, binding, seg)
        return out

    def _read_into(
        self, out: _Out, raw: str, element: ElementSpec, binding: Binding, seg: Segment
    ) -> None:
        field = binding.value
        if len(binding.alternatives) > 1:  # NM103: an organisation's name when NM102 is 2
            field = binding.alternatives[0] if seg.get(2) == "2" else binding.alternatives[-1]
        if binding.through:
            start, _, end = raw.partition("-")
            out.put(field, _date(start))
            if end and (end != start or self._ranged):
                out.put(binding.through, _date(end))
            return
        out.put(field, _read_value(raw, element, binding))


class _Out:
    """One segment's values by field path: ``modifiers[1]`` appends to ``modifiers``;
    ``occurrences[2].date`` fills the ``date`` of the segment's third occurrence (one
    item per index, appended when first met), so lists of objects read back whole."""

    def __init__(self, out: dict[str, Any], items: dict[tuple[str, int], dict[str, Any]]):
        self.out, self.items = out, items

    def put(self, field: str, value: Any) -> None:
        name, bracket, rest = field.partition("[")
        if not bracket:
            self.out[field] = value
            return
        index, _, attribute = rest.partition("]")
        if not attribute:
            self.out.setdefault(name, []).append(value)
            return
        item = self.items.get((name, int(index)))
        if item is None:
            item = self.items[name, int(index)] = {}
            self.out.setdefault(name, []).append(item)
        item[attribute.lstrip(".")] = value


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
