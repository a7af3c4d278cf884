"""Element checks of one segment against its compiled rules, as pyx12 makes them.

Each check is the one pyx12's ``segment_if``/``composite_if``/``element_if`` make, in the
same order, so that the errors agree one for one: element count, composites (required,
not used, their components), simple elements (required, not used, length, control
characters, trailing spaces, code list, data type, the DTP and 1250/1251 date formats,
the map's pattern), then the syntax notes.  An error is a tuple:

- ``("seg", code, None, None, None, None, None)``: a segment-level error (IK3 ``8``);
- ``("ele", code, element, component, data_ele, name, repeat)``: an element error (IK4),
  ``repeat`` the 1-based repetition (IK401-3) of an element the guide lets repeat, else None.

One check pyx12 does not make: an element the guide lets repeat (EB03, EQ01, DMG05...) is
split on the interchange's repetition separator and each repeat judged on its own, with
IK403 ``12`` ("Too Many Repetitions") past the guide's count; pyx12 judges the whole text as
one value (too long, not a code), a difference tests/validate/test_documented_differences.py
documents.

Results are pure functions of the rules and the segment's text, so the caller caches them
per (node, text): most segments of a batch repeat exactly.
"""

from __future__ import annotations

import re

_ID_E5 = re.compile(r"""[^A-Z0-9!"&'()*+,\-\./:;?= a-z%~@\[\]_{}\\|<>^`#$]""", re.S | re.ASCII)
_N = re.compile(r"-?[0-9]+", re.S | re.ASCII)
_R = re.compile(r"-?[0-9]*(\.[0-9]+)?", re.S | re.ASCII)
_DIGITS = re.compile(r"[^0-9]+", re.S | re.ASCII)
_CONTROL = re.compile("[\x07\x09\x0a\x0b\x0c\x0d\x1c\x1d\x1e\x1f\x01-\x06\x11-\x17]")
_DATES = ("RD8", "DT", "D8", "D6")

Error = tuple


def _valid_date(data_type: str, val: str) -> bool:
    if (data_type == "D8" and len(val) != 8) or (data_type == "D6" and len(val) != 6):
        return False
    if _DIGITS.search(val) or len(val) not in (6, 8, 12):
        return False
    if len(val) == 6:
        val = ("20" if int(val[0:2]) < 50 else "19") + val
    year, month, day = int(val[0:4]), int(val[4:6]), int(val[6:8])
    if year < 1800 or not 1 <= month <= 12:
        return False
    if month in (1, 3, 5, 7, 8, 10, 12):
        top = 31
    elif month in (4, 6, 9, 11):
        top = 30
    else:
        top = 29 if not year % 4 and not (not year % 100 and year % 400) else 28
    if not 1 <= day <= top:
        return False
    return len(val) != 12 or _valid_time(val[8:12])


def _valid_time(val: str) -> bool:
    if _DIGITS.search(val):
        return False
    if val[0:2] > "23" or val[2:4] > "59":
        return False
    if len(val) > 4:
        return not (len(val) < 6 or val[4:6] > "59" or len(val) > 8)
    return True


def valid_type(val: str, data_type: str | None) -> bool:
    """pyx12's ``IsValidDataType`` with the extended 5010 character set."""
    if not data_type:
        return True
    if data_type[0] == "N":
        m = _N.match(val)
        return bool(m) and m.group(0) == val
    if data_type == "R":
        m = _R.match(val)
        return bool(m) and m.group(0) == val
    if data_type in ("ID", "AN"):
        return not _ID_E5.search(val)
    if data_type == "RD8":
        if "-" not in val:
            return False
        parts = val.split("-")
        if len(parts) != 2:
            raise ValueError("RD8 with more than one dash")  # pyx12 raises here too
        return _valid_date("D8", parts[0]) and _valid_date("D8", parts[1])
    if data_type in ("DT", "D8", "D6"):
        return _valid_date(data_type, val)
    if data_type == "TM":
        return _valid_time(val)
    return data_type == "B"


_CODES: dict[tuple[int, str], tuple[str, ...]] = {}
"""IK403 codes per (rule, value) without a type list: values repeat across segments."""


def _simple(rule: tuple, val: str, place: tuple, types, external, out) -> None:
    """One simple element or component (``val`` not empty) against its rule; ``place`` is
    ``(element, component, repeat)``."""
    if types:
        found: list = []
        _judge(rule, val, types, external, found)
        codes = tuple(found)
    else:
        key = (id(rule), val)
        codes = _CODES.get(key)  # type: ignore[assignment]
        if codes is None:
            found = []
            _judge(rule, val, (), external, found)
            codes = tuple(found)
            if len(_CODES) > 100_000:
                _CODES.clear()
            _CODES[key] = codes
    if codes:
        seq, sub, repeat = place
        out.extend(("ele", code, seq, sub, rule[3], rule[2], repeat) for code in codes)


def _judge(rule: tuple, val: str, types, external, out: list) -> None:
    """The IK403 codes of one value against one rule, in pyx12's order."""
    _seq, usage, _name, _data_ele, dtype, low, high, codes, ext, rec, _, _, _ = rule
    if usage == "N":
        out.append("10")
        return
    size = (
        len(val.replace("-", "").replace(".", "")) if dtype == "R" or dtype[0] == "N" else len(val)
    )
    if size < low:
        out.append("4")
    if size > high:
        out.append("5")
    if _CONTROL.search(val):
        out.append("6")
        return
    if dtype in ("AN", "ID") and val[-1] == " " and len(val.rstrip()) >= low:
        out.append("6")
    listed = codes is not None and val in codes
    if (
        (codes is not None or ext is not None)
        and not listed
        and (ext is None or val not in external[ext])
    ):
        out.append("7")
    if not valid_type(val, dtype):
        code = "8" if dtype in _DATES else "9" if dtype == "TM" else "6"
        out.append(code)
    if types and not any(valid_type(val, t) for t in types if t is not None):
        if "TM" in types:
            out.append("9")
        elif any(t in types for t in _DATES):
            out.append("8")
    if rec is not None and not rec.search(val):
        out.append("7")


_SEGMENT_8 = ("seg", "8", None, None, None, None, None)


def check(
    rules: tuple, syntax: tuple, elements: list[str], comp: str, external, rep: str = ""
) -> list[Error]:
    """Every error of one segment (``elements[0]`` its ID) against its node's rules.

    ``rep`` is the interchange's repetition separator (ISA11, 5010 on; empty before): an
    element whose rule lets it repeat is split on it and each repeat checked."""
    out: list[Error] = []
    n = len(elements) - 1
    if n > len(rules):
        out.append(("ele", "3", n, None, None, None, None))
    dtp = elements[0] == "DTP"
    dtype: list = []
    type_list: list = []
    for i, rule in enumerate(rules):
        raw = elements[i + 1] if i < n else None
        if rep and raw and rule[-1] > 1 and rule[1] != "N" and rep in raw:
            repeats = raw.split(rep)
            if len(repeats) > rule[-1]:  # IK401-3 names the first repeat too many
                out.append(("ele", "12", rule[0], None, rule[3], rule[2], rule[-1] + 1))
            if any(repeats) or rule[1] != "R":
                for number, one in enumerate(repeats, 1):
                    if one:
                        _repeat(rule, one, comp, external, out, number)
                continue
            raw = ""  # every repeat empty: a required element missing, judged below
        if rule[4] is None:
            _composite(rule, raw, comp, external, out, None)
            continue
        seq, usage = rule[0], rule[1]
        if raw and comp in raw:
            out.append(("ele", "6", seq, None, rule[3], rule[2], None))
            continue
        if dtp and i == 1 and raw in ("RD8", "D8", "D6", "DT", "TM"):
            dtype = [raw]
        if rule[10]:
            type_list.extend(rule[7] or ())
        if not raw:
            if usage == "R":
                out.append(("ele", "1", seq, None, rule[3], rule[2], None))
            continue
        types = dtype if dtp and i == 2 else type_list if rule[11] else ()
        _simple(rule, raw, (seq, None, None), types, external, out)
    for kind, positions in syntax:
        if not _syntax_ok(kind, positions, elements, n, comp):
            out.append(_SEGMENT_8)
    return out


def _repeat(rule: tuple, val: str, comp: str, external, out, number: int) -> None:
    """One repeat (not empty) of an element the guide lets repeat."""
    if rule[4] is None:
        _composite(rule, val, comp, external, out, number)
    elif comp in val:
        out.append(("ele", "6", rule[0], None, rule[3], rule[2], number))
    else:
        _simple(rule, val, (rule[0], None, number), (), external, out)


def _composite(rule: tuple, raw: str | None, comp: str, external, out, repeat: int | None) -> None:
    """A composite (or one repeat of it): too many components, or each component checked."""
    seq, usage, _name, _refdes, _, components, _ = rule
    if raw is not None and usage != "N" and raw.count(comp) >= len(components):
        # IK403 13; pyx12 stops with an IndexError here (a documented difference)
        out.append(("ele", "13", seq, None, None, rule[2], repeat))
        return
    parts = raw.split(comp) if raw is not None else []
    if not any(parts):
        if usage == "R":
            out.append(_SEGMENT_8)
        return
    if usage == "N":
        out.append(_SEGMENT_8)
        return
    for i, sub in enumerate(components):
        val = parts[i] if i < len(parts) else None
        if not val:
            if sub[1] == "R" and (sub[0] != 1 or usage == "R"):
                out.append(("ele", "1", seq, sub[0], sub[3], sub[2], repeat))
            continue
        _simple(sub, val, (seq, sub[0], repeat), (), external, out)


def _present(elements: list[str], n: int, s: int, comp: str) -> bool:
    return n >= s and elements[s].rstrip(comp) != ""


def _syntax_ok(kind: str, idx: tuple[int, ...], elements: list[str], n: int, comp: str) -> bool:
    if len(idx) < 2:
        return False
    if kind in ("P", "R", "E"):
        count = sum(_present(elements, n, s, comp) for s in idx)
        if kind == "P":
            return count in (0, len(idx))
        if kind == "R":
            return count > 0
        return count <= 1
    if kind in ("C", "L"):
        if not _present(elements, n, idx[0], comp):
            return True
        count = sum(_present(elements, n, s, comp) for s in idx[1:])
        return count == len(idx) - 1 if kind == "C" else count > 0
    return False
