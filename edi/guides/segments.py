"""One segment of a guide description, read back: which variant a segment is, and the
fields it carries as a record (plain dicts, the encounter-v1 shape).

The other direction, writing, is :mod:`edi.guides.render`: the same bindings, so what the
builder writes into an element is what is read from it.

Each element's reading is worked out once, when the reader is made (where the value
sits, what it becomes, which field it fills): a file's claims repeat the same few
segments by the hundred thousand, and the description does not change between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from edi.guides.model import Binding, ElementSpec, SegmentSpec
from edi.x12.reader import Segment

_Field = tuple[str, int, str]
"""A field path as :func:`_field` parses it: (name, list index or -1, item attribute)."""


class SegmentReader:
    """Read segments of one description: recognise them, and take their fields."""

    def __init__(self, spec: SegmentSpec) -> None:
        self.spec = spec
        self.segment_id = spec.segment_id
        coded = [e for e in spec.elements if e.component and e.binding.kind == "code"]
        code_at = {e.index: e.component for e in coded}
        """Composite → which of its components is a fixed code (HI01-1)."""
        self._codes = frozenset(e.binding.value for e in coded)
        """The fixed codes the segment's composites carry; a composite read back must
        carry one of them."""
        first = next((e for e in coded if e.index == 1 and e.component == 1), None)
        self.composite_qualifier = first.binding.value if first else ""
        """HI01-1's fixed code (``ABK``, ``BH``): what tells the 837I's HI segments apart."""
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
        takes = [_Take.of(e, spec.ranged) for e in spec.elements if e.binding.kind == "field"]
        self._elements = tuple(
            (index, _plain(mine), any(t.component for t in mine), code_at.get(index, 0), mine)
            for index in sorted({t.index for t in takes})
            for mine in [tuple(t for t in takes if t.index == index)]
        )
        """(element index, its :func:`_plain` reading or None, whether components of it
        are read, the component that must then carry a fixed code or 0, the takes of its
        fields) for each element :meth:`values` reads, in order."""
        self._plain = (
            tuple((index, *plain) for index, plain, *_ in self._elements)
            if all(plain is not None for _, plain, *_ in self._elements)
            else None
        )
        """(element index, field, converter) of each element :meth:`values` reads, when
        all are :func:`_plain` (most segments: names, IDs, addresses, amounts), else None:
        those it reads by a loop that asks no more of each element."""
        self._builders = tuple(
            (e.index, "@" + e.binding.value) for e in spec.elements if e.binding.kind == "builder"
        )
        """(element index, ``@name``) of the builder's values."""
        read = [
            field
            for take in takes
            for field in (*take.fields, *([take.through] if take.through else []))
        ]
        self.fields = tuple(dict.fromkeys(field[0] for field in read))
        """The keys :meth:`values` may return (``modifiers`` for ``modifiers[0]``...)."""
        self.lists = tuple(dict.fromkeys(field[0] for field in read if field[1] >= 0))
        """Those of them whose values are lists."""
        self.records = tuple(
            dict.fromkeys(field[0] for field in read if field[1] >= 0 and field[2])
        )
        """Those of the lists whose items are dicts (``occurrences[2].date``), not codes or
        numbers (``modifiers[1]``): a reader of the values must copy those items to own them."""

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
        return self.values(seg.elements, seg.delimiters.component, builder)

    def values(self, elements: list[str], component: str, builder: bool = False) -> dict[str, Any]:
        """:meth:`read` of a bare element list (``[0]`` the ID) and its component
        separator, for readers that make no :class:`Segment` per segment (the builder's
        values come last)."""
        out: dict[str, Any] = {}
        count = len(elements)
        if self._plain is None:
            self._read(out, elements, component)
        else:
            for index, name, convert in self._plain:
                if index >= count:
                    break
                raw = elements[index]
                if raw:
                    out[name] = convert(raw) if convert is not None else raw
        if builder:
            for index, name in self._builders:
                out[name] = elements[index] if index < count else ""
        return out

    def _read(self, out: dict[str, Any], elements: list[str], component: str) -> None:
        """What :meth:`values` reads of a segment some of whose elements are not plain
        (components, lists, periods, a choice by NM102), into ``out``."""
        items: dict[tuple[str, int], dict[str, Any]] = {}
        count = len(elements)
        for index, plain, composite, coded, takes in self._elements:
            if index >= count:
                break
            raw = elements[index]
            if not raw:
                continue
            if plain is not None:  # most elements: one field, no choice
                name, convert = plain
                out[name] = convert(raw) if convert is not None else raw
                continue
            parts = raw.split(component) if composite else []
            known = not coded or (parts[coded - 1] if coded <= len(parts) else "") in self._codes
            for take in takes:
                sub = take.component
                if sub:
                    if not known:
                        continue
                    text = parts[sub - 1] if sub <= len(parts) else ""
                    if not text:
                        continue
                else:
                    text = raw
                fields = take.fields
                if len(fields) > 1:  # NM103: an organisation's name when NM102 is 2
                    field = fields[0] if count > 2 and elements[2] == "2" else fields[-1]
                else:
                    field = fields[0]
                if take.through is not None:
                    start, _, end = text.partition("-")
                    _put(out, items, field, _date(start))
                    if end and (end != start or take.ranged):
                        _put(out, items, take.through, _date(end))
                    continue
                convert = take.convert
                value = convert(text) if convert is not None else text
                if field[1] < 0:
                    out[field[0]] = value
                else:
                    _put(out, items, field, value)


@dataclass(frozen=True, slots=True)
class _Take:
    """How one element (or component) is read: where it sits, what it becomes, where."""

    index: int
    component: int
    """The component read (1-based), 0 for a simple element."""
    fields: tuple[_Field, ...]
    """The field it fills; two when NM102 chooses (organisation first)."""
    through: _Field | None
    """A period's end field (``CCYYMMDD-CCYYMMDD``), None when not a period."""
    ranged: bool
    convert: Callable[[str], Any] | None
    """Text → value (a code's meaning, a date, a number), None to keep the text."""

    @classmethod
    def of(cls, element: ElementSpec, ranged: bool) -> _Take:
        binding = element.binding
        fields = binding.alternatives if len(binding.alternatives) > 1 else (binding.value,)
        return cls(
            element.index,
            element.component or 0,
            tuple(_field(f) for f in fields),
            _field(binding.through) if binding.through else None,
            ranged,
            _converter(element, binding),
        )


def _plain(takes: tuple[_Take, ...]) -> tuple[str, Callable[[str], Any] | None] | None:
    """(field, converter) when an element is read as a whole into one plain field (no
    component, no list, no period, no choice by NM102); else None."""
    if len(takes) != 1:
        return None
    take = takes[0]
    if take.component or len(take.fields) != 1 or take.through is not None:
        return None
    name, index, _ = take.fields[0]
    return (name, take.convert) if index < 0 else None


def _field(path: str) -> _Field:
    """``modifiers[1]`` → (modifiers, 1, ''); ``occurrences[2].date`` → (occurrences, 2,
    'date'); a plain field ``npi`` → (npi, -1, '')."""
    name, bracket, rest = path.partition("[")
    if not bracket:
        return path, -1, ""
    index, _, attribute = rest.partition("]")
    return name, int(index), attribute.lstrip(".")


def _put(
    out: dict[str, Any], items: dict[tuple[str, int], dict[str, Any]], field: _Field, value: Any
) -> None:
    """One segment's value by field path: ``modifiers[1]`` appends to ``modifiers``;
    ``occurrences[2].date`` fills the ``date`` of the segment's third occurrence (one
    item per index, appended when first met), so lists of objects read back whole."""
    name, index, attribute = field
    if index < 0:
        out[name] = value
    elif not attribute:
        out.setdefault(name, []).append(value)
    else:
        item = items.get((name, index))
        if item is None:
            item = items[name, index] = {}
            out.setdefault(name, []).append(item)
        item[attribute] = value


def _date(text: str) -> str:
    """``CCYYMMDD`` → ISO; anything else is passed on for the model to reject."""
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def _decimal(text: str) -> Decimal | str:
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _whole(text: str) -> int | str:
    return int(text) if text.isdigit() else text


_DATE_ELEMENTS = frozenset({"373", "1251"})
"""A date (DT), and the date-time-period element (AN) that DTP03 and DMG02 use."""


def _converter(element: ElementSpec, binding: Binding) -> Callable[[str], Any] | None:
    """What an element's text becomes: the value its code stands for (an unknown code is
    kept as written), a date, a decimal or a whole number; None keeps the text."""
    if binding.codes:
        table: dict[str, Any] = {}
        for value, code in binding.codes:
            table.setdefault(code, value)  # the first value written as the code wins
        return lambda raw: table.get(raw, raw)
    facts = element.facts
    if facts.data_element in _DATE_ELEMENTS or facts.data_type == "DT":
        return _date
    if facts.data_type == "R":
        return _decimal
    if facts.data_type == "N0":
        return _whole
    return None
