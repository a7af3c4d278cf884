"""Procedure codes: CPT and HCPCS Level II by shape, and by existence when files allow.

CPT is licensed by the AMA, so without the user's licensed file only its shape and the
Category I ranges can be checked; HCPCS Level II is public, and existence is checked
when the user supplies the CMS quarterly HCPCS file.  Both readers take lines, not
paths: the caller opens the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

CPT_CATEGORY_I_RANGES = (
    ("00100", "01999"),  # anesthesia
    ("10004", "69990"),  # surgery
    ("70010", "79999"),  # radiology
    ("80047", "89398"),  # pathology and laboratory
    ("90281", "99199"),  # medicine
    ("99202", "99499"),  # evaluation and management
    ("99500", "99607"),  # home services, medication therapy management
)
"""Where Category I codes live; a 5-digit code between the sections is never valid."""

HCPCS_LEVEL_II_LETTERS = frozenset("ABCDEGHJKLMPQRSTUV")
"""First letters CMS uses for Level II codes (D is CDT, owned by the ADA)."""

_KINDS = (
    ("cpt_category_ii", re.compile(r"\d{4}F")),
    ("cpt_category_iii", re.compile(r"\d{4}T")),
    ("cpt_pla", re.compile(r"\d{4}U")),
    ("cpt_category_i", re.compile(r"\d{5}")),
    ("hcpcs_level_ii", re.compile(r"[A-Z]\d{4}")),
)


@cache
def procedure_kind(code: str) -> str | None:
    """``cpt_category_i`` / ``_ii`` / ``_iii`` / ``cpt_pla`` / ``hcpcs_level_ii``, or None."""
    for kind, pattern in _KINDS:
        if pattern.fullmatch(code):
            if kind == "hcpcs_level_ii" and code[0] not in HCPCS_LEVEL_II_LETTERS:
                return None
            return kind
    return None


@cache
def in_category_i_range(code: str) -> bool:
    return any(low <= code <= high for low, high in CPT_CATEGORY_I_RANGES)


def is_anesthesia(code: str) -> bool:
    return "00100" <= code <= "01999" and code.isdigit()


def is_evaluation_management(code: str) -> bool:
    return "99202" <= code <= "99499" and code.isdigit()


@dataclass(frozen=True, slots=True)
class HcpcsFile:
    """Codes and modifiers of one CMS HCPCS release (the user's quarterly file).

    Two-digit numeric modifiers are CPT's (licensed), so only letter-bearing ones are
    judged against ``modifiers``.
    """

    name: str
    procedures: frozenset[str]
    modifiers: frozenset[str]


def read_hcpcs_file(lines: Iterable[str], name: str) -> HcpcsFile:
    """Read the CMS fixed-width HCPCS file (``HCPC2026_JAN_ANWEB.txt``, 320 columns).

    Columns 1-5 hold the code (a modifier sits in 4-5), column 11 the record ID:
    3 first line of a procedure, 4 its continuation, 7 first line of a modifier, 8 its
    continuation.  Only first lines are read.
    """
    procedures: set[str] = set()
    modifiers: set[str] = set()
    for line in lines:
        kind = line[10:11]
        if kind == "3":
            procedures.add(line[0:5].strip().upper())
        elif kind == "7":
            modifiers.add(line[3:5].strip().upper())
    if not procedures:
        raise ValueError(f"{name}: no HCPCS records found (is this the CMS ANWEB text file?)")
    return HcpcsFile(name, frozenset(procedures), frozenset(modifiers))


_CPT_TOKEN = re.compile(r"^\s*\"?(\d{4}[0-9FTU])\b")


def read_cpt_file(lines: Iterable[str], name: str) -> frozenset[str]:
    """CPT codes from the user's licensed file: each line starting with a CPT code counts.

    The AMA ships several layouts (fixed text, tab- or comma-separated); all put the code
    first, so reading the first token accepts any of them without parsing descriptions.
    """
    codes = frozenset(m.group(1) for line in lines if (m := _CPT_TOKEN.match(line)))
    if not codes:
        raise ValueError(f"{name}: no CPT codes found at the start of any line")
    return codes


MINOR_PROCEDURES = (
    ("10060", "10061"),  # incision and drainage of abscess (010)
    ("10120", "10120"),  # removal of foreign body, simple (010)
    ("11055", "11057"),  # paring of corns and calluses (000)
    ("11102", "11107"),  # tangential, punch and incisional skin biopsy (000)
    ("11200", "11201"),  # removal of skin tags (010)
    ("11300", "11313"),  # shaving of skin lesions (000)
    ("11720", "11730"),  # nail debridement and avulsion (000)
    ("12001", "12018"),  # simple repair of wounds (000)
    ("17000", "17004"),  # destruction of premalignant lesions (010)
    ("17110", "17111"),  # destruction of benign lesions, e.g. warts (010)
    ("20550", "20553"),  # tendon sheath and trigger point injections (000)
    ("20600", "20611"),  # arthrocentesis, aspiration or injection of a joint (000)
    ("31231", "31231"),  # diagnostic nasal endoscopy (000)
    ("46600", "46600"),  # anoscopy (000)
    ("64450", "64450"),  # peripheral nerve block injection (000)
    ("69210", "69210"),  # removal of impacted cerumen (000)
)
"""Procedures with a 0- or 10-day global period (CMS physician fee schedule, global
surgery indicator 000/010) that clinics bill beside an office visit most often.  Their
payment includes the decision-for-procedure E/M of the same day, so an E/M billed with
them is paid only with modifier 25.  A small documented list, not the whole fee schedule:
a code missing here is simply not checked."""


@cache
def is_minor_procedure(code: str) -> bool:
    return code.isdigit() and any(low <= code <= high for low, high in MINOR_PROCEDURES)
