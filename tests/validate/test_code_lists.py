"""Our 270/271 (X279A1) and 276/277 (X212) maps' code lists are x12sdk's, or differ for a reason.

Ours were made from pyx12's 4010 maps and kept 4010 code lists; their 5010 lists come
from x12sdk (Apache-2.0), whose models give, per loop, every element's codes as an Enum or
Literal.  Here every code list both describe is compared, loop by loop (the union over a
loop's variants of a segment, on both sides), and the differences must be exactly those in
:data:`KNOWN`, each with its reason: a slip in x12sdk's models, a second source that
settles it (pyx12's 5010 maps; for X279A1, stupidedi's definitions, a hand reading of the
guide: lib/stupidedi/transaction_sets/005010/implementations/X279A1-HS270.rb and
-HB271.rb).  Codes that only 4010 had and neither x12sdk nor stupidedi lists
(REF01 A6, ML, M7, 270 2100C 49, MPI01 R, MPI02 DS, HSD07 Z) are gone from our maps.  A
map edit or an x12sdk upgrade that changes a list fails here until the table says why.
"""

from __future__ import annotations

import enum
import importlib
import types
import typing

import pytest
from x12sdk.models import X12Segment, X12SegmentGroup

from edi.validate.compiled import SEGMENT, compiled

MODELS = {
    "270.5010.X279.A1.xml": "x12sdk.v5010.x12_270_005010X279A1.transaction_set",
    "271.5010.X279.A1.xml": "x12sdk.v5010.x12_271_005010X279A1.transaction_set",
    "276.5010.X212.xml": "x12sdk.v5010.x12_276_005010X212.transaction_set",
    "277.5010.X212.xml": "x12sdk.v5010.x12_277_005010X212.transaction_set",
}

Key = tuple[str, str, int]
"""(loop, segment ID, element position)."""


def _codes(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


_STUPIDEDI = "x12sdk lacks it; stupidedi's X279A1 lists it, and our map keeps it"
_U = (
    "DMG03 U (Unknown): pyx12's 5010 837 maps and stupidedi's X279A1 allow F, M, U; "
    "x12sdk lists F, M only"
)
_AAA = (
    "x12sdk gives 2100C/2100D the 2100B AAA model (loops.py: Loop2100BAaaSegment), the "
    "receiver's reasons; ours are the subscriber's and dependent's request reasons"
)
_EB03 = (
    "x12sdk's EB03 enum is slipped: PROFESSIONAL_PHYSICIAN_VISIT_OUTPATIENT = '99' (A0) and "
    "SUBSTANCE_ABUSE_FACILITY_INPATIENT = 'C1' (CI) alias other members, 95 and A8 are "
    "missing, and C2 stands for CJ; ours is its 270 EQ01 list (same element 1365, same guide)"
)
_EB04 = "1336's Point of Service code is PS (ID 1/3); x12sdk writes POS"
_1L = "x12sdk's GROUP_POLICY_NUMBER = 'IL' is 1L (Group or Policy Number), as stupidedi lists"
_NM102 = (
    "x12sdk's 2100D NM1 keeps the generic NM102 enum (1, 2), no dependent's list; "
    "stupidedi's X279A1 gives the dependent 1 (Person) only, the subscriber 1 and 2"
)
_MPI01 = "x12sdk spells Partial 'P' (aliasing Prior); stupidedi's X279A1 lists A (Partial)"
_HL04 = "2000A HL04 0 (no subordinate level, an error reply): " + _STUPIDEDI
_PYX12 = "ours is pyx12's 5010 map here, which x12sdk differs from: pyx12's kept"
_1I = (
    "98's Preferred Provider Organization (PPO) is 1I; x12sdk writes 11 (PPO = '11'), a "
    "code 98 gives the AAR's Party to be Billed, and stupidedi's X279A1 271 lists 1I"
)

KNOWN: dict[str, dict[Key, tuple[frozenset, frozenset, str]]] = {
    "270.5010.X279.A1.xml": {
        ("2100D", "NM1", 2): (_codes("2"), _codes(""), _NM102),
        ("2100D", "REF", 1): (_codes(""), _codes("IF"), _STUPIDEDI),
    },
    "271.5010.X279.A1.xml": {
        ("2000A", "HL", 4): (_codes(""), _codes("0"), _HL04),
        ("2100C", "AAA", 3): (
            _codes("41 44 46 50 79 97 T4"),
            _codes("42 49 52 56 57 58 60 61 62 63 64 65 66 67 68 71 72 73 74 75 76 77 78"),
            _AAA,
        ),
        ("2100D", "AAA", 3): (
            _codes("41 44 46 50 79 97 T4"),
            _codes("42 49 52 56 57 58 60 61 62 63 64 65 66 67 68 71"),
            _AAA,
        ),
        ("2100C", "DMG", 3): (_codes(""), _codes("U"), _U),
        ("2100D", "DMG", 3): (_codes(""), _codes("U"), _U),
        ("2100C", "MPI", 1): (_codes(""), _codes("A"), _MPI01),
        ("2100D", "MPI", 1): (_codes(""), _codes("A"), _MPI01),
        ("2100D", "NM1", 2): (_codes("2"), _codes(""), _NM102),
        ("2100C", "REF", 1): (_codes(""), _codes("49 IF Q4"), _STUPIDEDI),
        ("2100D", "REF", 1): (_codes(""), _codes("49 IF Q4"), _STUPIDEDI),
        ("2110C", "EB", 3): (_codes("C2"), _codes("95 A0 A8 CI CJ"), _EB03),
        ("2110D", "EB", 3): (_codes("C2"), _codes("95 A0 A8 CI CJ"), _EB03),
        ("2110C", "EB", 4): (_codes("POS"), _codes("PS"), _EB04),
        ("2110D", "EB", 4): (_codes("POS"), _codes("PS"), _EB04),
        ("2110C", "REF", 1): (_codes("IL"), _codes("1L"), _1L),
        ("2110D", "REF", 1): (_codes("IL"), _codes("1L"), _1L),
        ("2120C", "NM1", 1): (_codes("11"), _codes("1I"), _1I),
        ("2120D", "NM1", 1): (_codes("11"), _codes("1I"), _1I),
    },
    "276.5010.X212.xml": {
        ("2000D", "DMG", 3): (_codes(""), _codes("U"), _U),
        ("2000E", "DMG", 3): (_codes(""), _codes("U"), _U),
        ("2100D", "NM1", 2): (_codes(""), _codes("2"), "pyx12's 5010 277 X212 allows 2 here"),
    },
    "277.5010.X212.xml": {
        ("2100A", "PER", 3): (_codes("EX"), _codes(""), _PYX12),
        ("2100D", "NM1", 2): (_codes(""), _codes("2"), _PYX12),
    },
}


def _types(annotation) -> list:
    """The classes and Literal/Enum value tuples an annotation names, through Optional,
    Union and List."""
    out, stack = [], [annotation]
    while stack:
        t = stack.pop()
        origin = typing.get_origin(t)
        if origin in (typing.Union, types.UnionType, list):
            stack.extend(typing.get_args(t))
        elif origin is typing.Literal:
            out.append(tuple(str(v) for v in typing.get_args(t)))
        elif isinstance(t, type) and issubclass(t, enum.Enum):
            out.append(tuple(str(m.value) for m in t))
        elif isinstance(t, type):
            out.append(t)
    return out


def _walk(model: type, loop: str, out: dict[Key, set[str]]) -> None:
    for name, info in model.model_fields.items():
        for t in _types(info.annotation):
            if isinstance(t, tuple) or not issubclass(t, X12SegmentGroup | X12Segment):
                continue
            if issubclass(t, X12SegmentGroup):
                _walk(t, name.removeprefix("loop_").upper(), out)
                continue
            sid = str(getattr(t.model_fields["segment_name"].default, "value", ""))
            elements = [
                f for n, f in t.model_fields.items() if n not in ("delimiters", "segment_name")
            ]
            for position, element in enumerate(elements, 1):
                for codes in _types(element.annotation):
                    if isinstance(codes, tuple):
                        out.setdefault((loop, sid, position), set()).update(codes)


def x12sdk_lists(map_file: str) -> dict[Key, frozenset]:
    """x12sdk's code lists for the guide of one of our maps, by (loop, segment, element)."""
    module = importlib.import_module(MODELS[map_file])
    out: dict[Key, set[str]] = {}
    for model in vars(module).values():
        if (
            isinstance(model, type)
            and issubclass(model, X12SegmentGroup)
            and model.__module__ == module.__name__
        ):
            _walk(model, "", out)
    return {k: frozenset(v) for k, v in out.items()}


def our_lists(map_file: str) -> dict[Key, frozenset]:
    """Our map's code lists of simple elements, by (loop, segment, element)."""
    g = compiled(map_file)
    out: dict[Key, set[str]] = {}
    for node, kind in enumerate(g.kind):
        if kind != SEGMENT:
            continue
        for rule in g.rules[node]:
            if rule[4] is not None and rule[7] is not None:
                out.setdefault((g.ids[g.parent[node]], g.ids[node], rule[0]), set()).update(rule[7])
    return {k: frozenset(v) for k, v in out.items()}


@pytest.mark.parametrize("map_file", sorted(MODELS))
def test_our_code_lists_are_x12sdk_s_but_for_known_reasons(map_file: str) -> None:
    ours, theirs = our_lists(map_file), x12sdk_lists(map_file)
    both = sorted(set(ours) & set(theirs))
    assert len(both) > 15  # the extraction does find the lists
    differences = {
        k: (theirs[k] - ours[k], ours[k] - theirs[k]) for k in both if ours[k] != theirs[k]
    }
    known = {k: (sdk, own) for k, (sdk, own, _why) in KNOWN[map_file].items()}
    assert differences == known


def test_service_type_codes_are_x279a1_s_list_in_both_maps() -> None:
    """EQ01 (270) and EB03 (271) are the one X279A1 list of service type codes (1365)."""
    from x12sdk.v5010 import segments
    from x12sdk.v5010.x12_270_005010X279A1.segments import Loop2110EqSegment

    listed = frozenset(m.value for m in Loop2110EqSegment.ServiceTypeCode)
    assert len(listed) == 187 and {"MH", "UC", "A0", "CJ"} <= listed
    for map_file, sid, position in (("270.5010.X279.A1.xml", "EQ", 1),
                                    ("271.5010.X279.A1.xml", "EB", 3)):  # fmt: skip
        lists = our_lists(map_file)
        assert lists[("2110C", sid, position)] == lists[("2110D", sid, position)] == listed
    aliases = segments.EbSegment.ServiceTypeCode.__members__.keys() - {
        m.name for m in segments.EbSegment.ServiceTypeCode
    }
    assert aliases == _codes(
        "PROFESSIONAL_PHYSICIAN_VISIT_OUTPATIENT SUBSTANCE_ABUSE_FACILITY_INPATIENT"
    )
