"""An acceptor never vouches for a segment that ``check`` finds an error in.

The acceptors (:mod:`edi.validate.accept`) only save time if they are sound: every
segment one accepts must be one :func:`~edi.validate.elements.check` finds clean.  Here
every node of six guides is fed seeded random segments built from its own rules (listed
codes, values at and past the size limits, odd characters, dates near month ends, stray
components, repeats of the elements that repeat, up to and past their count) and every
acceptance is checked against ``check``.
"""

from __future__ import annotations

import random
import re

import pytest

from edi.validate.accept import _TEXT, _class, acceptor
from edi.validate.compiled import SEGMENT, compiled
from edi.validate.elements import check

_ODD = ["", " ", "-", ".", "1.", ".5", "-0", "1-2", "A ", " A", "\t", "^", "a", "#", "~"]
_DATES = ["20260228", "20260229", "20240229", "20261301", "17991231", "2026011", "20260131",
          "20260431", "20260430", "20260230", "20261231", "20261232", "20260100"]  # fmt: skip
_RANGES = ["20260101-20260131", "20260131-20260101", "20260101-2026013", "20260229-20260301",
           "20260101-20260131-20260228"]  # fmt: skip


def _value(rng: random.Random, rule: tuple, comp: str, rep: str = "^") -> str:
    if rule[-1] > 1 and rng.random() < 0.5:  # an element that repeats: to past its count
        count = rng.choice((2, rule[-1], rule[-1] + 1))
        return rep.join(_one(rng, rule, comp) for _ in range(count))
    return _one(rng, rule, comp)


def _one(rng: random.Random, rule: tuple, comp: str) -> str:
    if rule[4] is None:  # a composite
        parts = [_value(rng, sub, comp) for sub in rule[5]]
        cut = rng.randrange(len(parts) + 2)
        return comp.join(parts[:cut] if cut <= len(parts) else [*parts, "X"])
    _seq, _usage, _name, _de, dtype, low, high, codes, _ext, _rec, _a, _b, _repeat = rule
    pick = rng.random()
    if codes and pick < 0.4:
        return rng.choice(sorted(codes))
    if pick < 0.55:
        return rng.choice(_ODD)
    if pick < 0.62 and dtype == "AN":  # a date range (RD8), for a 1251 element
        return rng.choice(_RANGES)
    if pick < 0.7 and dtype in ("DT", "D8", "TM", "AN"):
        return rng.choice(_DATES)[: 4 if dtype == "TM" else 8]
    size = rng.choice((low, high, high + 1, max(low - 1, 0), rng.randint(low, high)))
    alphabet = "0123456789" if dtype and dtype[0] in "NR" else "AZ09 .-"
    text = "".join(rng.choice(alphabet) for _ in range(size))
    if dtype == "R" and len(text) > 2 and rng.random() < 0.5:
        text = text[:-2] + "." + text[-2:]
    return text


@pytest.mark.parametrize(
    "map_file",
    ["837.5010.X222.A1.xml", "835.5010.X221.A1.xml", "277.5010.X214.xml", "999.5010X231.A1.xml",
     "270.5010.X279.A1.xml", "271.5010.X279.A1.xml"],
)  # fmt: skip
def test_no_acceptor_vouches_for_an_error(map_file: str) -> None:
    g = compiled(map_file)
    rng = random.Random(18)
    accepted = 0
    for node, kind in enumerate(g.kind):
        if kind != SEGMENT:
            continue
        rules, syntax = g.rules[node], g.syntax[node]
        accepts = acceptor(g.ids[node], rules, syntax, "*", ":", g.external, "^")
        if accepts is None:
            continue
        for _ in range(60):
            values = [_value(rng, rule, ":") for rule in rules]
            values = values[: rng.randint(0, len(values) + 1)]
            if rng.random() < 0.1:
                values.append("X")
            elements = [g.ids[node], *values]
            raw = "*".join(elements)
            if accepts(raw):
                accepted += 1
                assert check(rules, syntax, elements, ":", g.external, "^") == [], raw
    assert accepted > 20  # the random segments do include clean ones


def test_the_fast_path_vouches_for_repeats_it_can_and_for_no_bad_one() -> None:
    """EB03 repeated: each repeat looked up in the service type codes, 99 at most; with no
    repetition separator (4010, or ISA11 a letter) the acceptor vouches for none."""
    g = compiled("271.5010.X279.A1.xml")
    node = g.by_path["/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2000C/2100C/2110C/EB"]
    rules, syntax = g.rules[node], g.syntax[node]
    accepts = acceptor("EB", rules, syntax, "*", ":", g.external, "^")
    assert accepts is not None
    for raw, clean in [
        ("EB*1*IND*30^1^MH^UC*HM*GOLD PLAN", True),
        ("EB*1*IND*" + "^".join(["30"] * 99), True),
        ("EB*1*IND*" + "^".join(["30"] * 100), False),
        ("EB*1*IND*30^ZZ", False),
        ("EB*1*IND*30^^1", False),  # an empty repeat: check() decides (it is clean)
    ]:
        elements = raw.split("*")
        assert accepts(raw) is clean, raw
        assert (check(rules, syntax, elements, ":", g.external, "^") == []) is (
            clean or "^^" in raw
        )
    one_value = acceptor("EB", rules, syntax, "*", ":", g.external, "")
    assert one_value is not None and not one_value("EB*1*IND*30^1")


@pytest.mark.parametrize("delimiters", ["*:^", "|>~", "-]\\", '!\\"', "a0 "])
def test_character_classes_hold_exactly_their_characters(delimiters: str) -> None:
    """Runs written as ranges (a start-up saving) keep the set one escape per character
    made, whatever the delimiters take out of the text characters."""
    text = "".join(c for c in _TEXT if c not in (*delimiters, "^", "~"))
    for chars in (text, text.replace(" ", ""), "a", "ac", "-]\\^"):
        pattern = re.compile(_class(chars), re.ASCII | re.DOTALL)
        assert {c for c in map(chr, range(0x300)) if pattern.fullmatch(c)} == set(chars)


def test_a_date_in_the_format_its_qualifier_names_is_vouched_for_unless_february_29th() -> None:
    """DMG02 is a date in the format DMG01 names (1250/1251), MPI07 one of MPI06's (a D8 or
    an RD8 range): the acceptor vouches for every day check() finds real, February 29th
    (a leap year's question) and anything out of shape left to check()."""
    days = [f"{y}{m:02d}{d:02d}" for y in (1799, 1800, 2024, 2026, 2099)
            for m in range(0, 14) for d in (0, 1, 28, 29, 30, 31, 32)]  # fmt: skip
    g = compiled("837.5010.X222.A1.xml")
    dmg = g.by_path["/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2010BA/DMG"]
    h = compiled("271.5010.X279.A1.xml")
    mpi = h.by_path["/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2000C/2100C/MPI"]
    cases = [(g, dmg, f"DMG*D8*{day}*F") for day in [*days, "2026011", "202601011", "ABCDEFGH"]]
    cases += [(h, mpi, f"MPI*C*AO*A***D8*{day}") for day in days[::3]]
    cases += [(h, mpi, f"MPI*C*AO*A***RD8*{a}-{b}") for a, b in zip(days, days[5:], strict=False)]
    cases += [(h, mpi, f"MPI*C*AO*A***RD8*{day}") for day in _RANGES[:-1]]  # not two dashes:
    # pyx12 raises on those (see valid_type)
    vouched = 0
    for guide, node, raw in cases:
        rules, syntax = guide.rules[node], guide.syntax[node]
        accepts = acceptor(raw[:3], rules, syntax, "*", ":", guide.external, "^")
        assert accepts is not None
        elements = raw.split("*")
        clean = check(rules, syntax, elements, ":", guide.external, "^") == []
        assert accepts(raw) is (clean and "0229" not in raw), raw
        vouched += clean
    assert vouched > 150
