"""A seeded corpus of damaged X12 files: one mutation each, of the kinds real files carry.

Each mutation is made on the text of a good (or already imperfect) file: segments dropped,
duplicated, swapped or moved; elements blanked, made too long, given a code, date or number
the guide does not allow, or an element or component too many; envelope counts and control
numbers made wrong; HL and LX numbering broken; a leading space, a trailing separator, a
lower-case ID.  The same seed gives the same corpus, so a disagreement can be replayed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

_ENVELOPE = ("ISA", "GS", "ST", "SE", "GE", "IEA")


def _split(text: str) -> tuple[list[str], str, str, str]:
    """The segments of ``text`` (line breaks kept on each), and its delimiters."""
    sep, comp, term = text[3], text[104], text[105]
    parts = text.split(term)
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return parts, sep, comp, term


def _join(parts: list[str], term: str) -> str:
    return term.join(parts) + term


def _body(parts: list[str], sep: str) -> list[int]:
    return [i for i, p in enumerate(parts) if p.strip().split(sep, 1)[0] not in _ENVELOPE]


def _set(part: str, sep: str, index: int, value: str) -> str:
    lead = part[: len(part) - len(part.lstrip())]
    elements = part.strip().split(sep)
    while len(elements) <= index:
        elements.append("")
    elements[index] = value
    return lead + sep.join(elements)


def _elements(part: str, sep: str) -> list[str]:
    return part.strip().split(sep)


def _pick_element(rng: random.Random, part: str, sep: str) -> int | None:
    elements = _elements(part, sep)
    filled = [i for i in range(1, len(elements)) if elements[i]]
    return rng.choice(filled) if filled else None


def _drop(rng, parts, sep, comp):
    body = _body(parts, sep)
    del parts[rng.choice(body)]


def _duplicate(rng, parts, sep, comp):
    i = rng.choice(_body(parts, sep))
    parts.insert(i, parts[i])


def _swap(rng, parts, sep, comp):
    body = _body(parts, sep)
    i = rng.choice(body[:-1])
    parts[i], parts[i + 1] = parts[i + 1], parts[i]


def _move(rng, parts, sep, comp):
    body = _body(parts, sep)
    part = parts.pop(rng.choice(body))
    parts.insert(rng.choice(_body(parts, sep)), part)


def _element_edit(value_of):
    def mutate(rng, parts, sep, comp):
        for _ in range(20):
            i = rng.choice(_body(parts, sep))
            k = _pick_element(rng, parts[i], sep)
            if k is not None:
                old = _elements(parts[i], sep)[k]
                parts[i] = _set(parts[i], sep, k, value_of(rng, old, comp))
                return

    return mutate


_blank = _element_edit(lambda rng, old, comp: "")
_overlong = _element_edit(lambda rng, old, comp: old + "X" * rng.choice((1, 5, 40, 90)))
_bad_code = _element_edit(lambda rng, old, comp: rng.choice(("ZZ", "Q9", "XYZ", "0", "99")))
_bad_date = _element_edit(lambda rng, old, comp: rng.choice(("20261340", "2026023", "20260230")))
_bad_number = _element_edit(lambda rng, old, comp: rng.choice(("12A", "1.2.3", "-", "1,000")))
_bad_char = _element_edit(lambda rng, old, comp: old + rng.choice(("\t", " ", "\x07")))
_component = _element_edit(lambda rng, old, comp: old + comp + rng.choice(("X", "", "25")))


def _extra_element(rng, parts, sep, comp):
    i = rng.choice(_body(parts, sep))
    parts[i] = parts[i] + sep + rng.choice(("X", "1", ""))


def _trailer(rng, parts, sep, comp):
    trailers = [i for i, p in enumerate(parts) if p.strip()[:3].rstrip(sep) in ("SE", "GE", "IEA")]
    i = rng.choice(trailers)
    k = rng.choice((1, 2))
    old = _elements(parts[i], sep)[k] if len(_elements(parts[i], sep)) > k else ""
    parts[i] = _set(parts[i], sep, k, rng.choice((old + "1", "0", "", "999999999")))


def _header_control(rng, parts, sep, comp):
    heads = {"ST": 2, "GS": 6}
    found = [(i, heads[p.strip().split(sep, 1)[0]]) for i, p in enumerate(parts)
             if p.strip().split(sep, 1)[0] in heads]  # fmt: skip
    i, k = rng.choice(found)
    parts[i] = _set(parts[i], sep, k, rng.choice(("1", "0001", "X")))


def _hl(rng, parts, sep, comp):
    hls = [i for i, p in enumerate(parts) if p.strip().startswith("HL" + sep)]
    if not hls:
        return _drop(rng, parts, sep, comp)
    i = rng.choice(hls)
    parts[i] = _set(parts[i], sep, rng.choice((1, 2, 3)), rng.choice(("9", "", "1", "23", "A")))


def _lx(rng, parts, sep, comp):
    lxs = [i for i, p in enumerate(parts) if p.strip().startswith("LX" + sep)]
    if not lxs:
        return _swap(rng, parts, sep, comp)
    i = rng.choice(lxs)
    parts[i] = _set(parts[i], sep, 1, rng.choice(("0", "3", "7", "")))


def _leading_space(rng, parts, sep, comp):
    i = rng.choice(_body(parts, sep))
    part = parts[i]
    parts[i] = part[: len(part) - len(part.lstrip())] + " " + part.lstrip()


def _trailing_separator(rng, parts, sep, comp):
    i = rng.choice(_body(parts, sep))
    parts[i] = parts[i] + sep


def _lower_case(rng, parts, sep, comp):
    i = rng.choice(_body(parts, sep))
    part = parts[i]
    lead = part[: len(part) - len(part.lstrip())]
    sid, _, rest = part.lstrip().partition(sep)
    parts[i] = lead + sid.lower() + sep + rest


def _unknown_segment(rng, parts, sep, comp):
    i = rng.choice(_body(parts, sep))
    lead = parts[i][: len(parts[i]) - len(parts[i].lstrip())]
    parts.insert(i, lead + rng.choice(("ZZZ", "NTE", "AMT", "QTY")) + sep + "X")


MUTATIONS = {
    "drop": _drop,
    "duplicate": _duplicate,
    "swap": _swap,
    "move": _move,
    "blank": _blank,
    "overlong": _overlong,
    "bad_code": _bad_code,
    "bad_date": _bad_date,
    "bad_number": _bad_number,
    "bad_character": _bad_char,
    "component": _component,
    "extra_element": _extra_element,
    "trailer": _trailer,
    "header_control": _header_control,
    "hl": _hl,
    "lx": _lx,
    "leading_space": _leading_space,
    "trailing_separator": _trailing_separator,
    "lower_case": _lower_case,
    "unknown_segment": _unknown_segment,
}


def mutate(text: str, kind: str, rng: random.Random) -> str:
    """``text`` with one mutation of ``kind``."""
    parts, sep, comp, term = _split(text)
    MUTATIONS[kind](rng, parts, sep, comp)
    return _join(parts, term)


def corpus(bases: list[tuple[str, str]], count: int, seed: int = 18) -> Iterator[tuple[str, str]]:
    """``count`` mutants of the base texts, named ``BASE~KIND~N``, round robin over kinds."""
    rng = random.Random(seed)
    kinds = sorted(MUTATIONS)
    for n in range(count):
        name, text = bases[n % len(bases)]
        kind = (
            kinds[(n // len(bases)) % len(kinds)] if len(bases) < len(kinds) else rng.choice(kinds)
        )
        yield f"{name}~{kind}~{n}", mutate(text, kind, rng)
