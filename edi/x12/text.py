"""Make any input value safe to place in an X12 element.

X12 5010 allows the *basic* and *extended* character sets. Payers' front ends differ in
what they take beyond the basic set, so values are normalised the way clearinghouses do:
accents transliterated (``Peña`` → ``PENA``), upper-cased, characters outside the set
dropped, runs of whitespace folded.  The four separators of the interchange are always
removed, which is what makes segment or element injection impossible.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from edi.x12.delimiters import DEFAULT, Delimiters

# Basic and extended character sets of X12.5/X12.6, upper case only (we upper-case first).
X12_ALLOWED = frozenset(
    string.ascii_uppercase + string.digits + " !\"&'()*+,-./:;?=%@[]_{}\\|<>~#$"
)
_SPACES = re.compile(r"\s+")
# Latin letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae",
                          "Œ": "OE", "œ": "oe", "ß": "SS", "Đ": "D", "đ": "d", "Þ": "TH",
                          "þ": "th", "Ð": "D", "ð": "d", "ı": "i", "Ħ": "H", "ħ": "h"})  # fmt: skip
_CACHE_LIMIT = 50_000


@lru_cache(maxsize=8)
def _deletions(delimiters: Delimiters) -> bytes:
    """ASCII bytes to drop: outside the X12 sets, or a separator of this interchange.

    Whitespace is kept here and folded afterwards; ``bytes.translate`` with a delete set
    runs in C, which matters: cleaning is the writer's hot path.
    """
    allowed = (X12_ALLOWED - set(delimiters.all())) | set(" \t\r\n")
    return bytes(c for c in range(128) if chr(c) not in allowed)


def _clean(text: str, deletions: bytes) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    text = text.upper().encode("ascii", "ignore").translate(None, deletions).decode("ascii")
    if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
        text = _SPACES.sub(" ", text).strip()
    return text


def x12_text(value: object, delimiters: Delimiters = DEFAULT) -> str:
    """Return ``value`` as X12-safe text for an interchange using ``delimiters``.

    Never raises: what cannot be represented is removed.  Validation (is the value the
    right length, is it even allowed here) belongs to the rules, not to the writer.
    """
    return _clean(str(value), _deletions(delimiters))


def text_cleaner(delimiters: Delimiters = DEFAULT) -> Callable[[str], str]:
    """:func:`x12_text` for one interchange, memoised: claims repeat most of their values
    (codes, qualifiers, provider and payer names), and cleaning is the writer's hot path,
    so a value seen before costs one dictionary lookup in C (no Python call)."""
    return _Cleaned(_deletions(delimiters)).__getitem__


class _Cleaned(dict[str, str]):
    """Values → their X12-safe text, filled on first sight, up to ``_CACHE_LIMIT``."""

    def __init__(self, deletions: bytes) -> None:
        super().__init__()
        self._deletions = deletions

    def __missing__(self, value: str) -> str:
        result = _clean(value, self._deletions)
        if len(self) < _CACHE_LIMIT:
            self[value] = result
        return result


@lru_cache(maxsize=8)
def _kept(delimiters: Delimiters) -> bytes:
    """The characters cleaning leaves as they are but for case: the X12 sets but this
    interchange's separators, in either case.  The space is kept too, but only single and
    inside the text (see :func:`x12_text_safe`)."""
    allowed = "".join(sorted(X12_ALLOWED - set(delimiters.all()) - {" "}))
    return (allowed + allowed.lower() + " ").encode("ascii")


_DEFAULT_KEPT = _kept(DEFAULT)


def x12_text_safe(value: str, delimiters: Delimiters = DEFAULT) -> bool:
    """Whether ``value`` is X12 text already, but for case: :func:`x12_text` changes
    nothing else.  A fast, conservative test (some safe values fail it).

    Made of string methods that run in C at a few instructions a character (a regular
    expression costs some hundred): most values are such, and the rules ask it of every
    claim's names and addresses.
    """
    kept = _DEFAULT_KEPT if delimiters is DEFAULT else _kept(delimiters)
    return (
        value.isascii()
        and not value.encode("ascii").translate(None, kept)
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
    )


def x12_text_drops(value: str, delimiters: Delimiters = DEFAULT) -> bool:
    """Whether :func:`x12_text` removes more from ``value`` than case, accents and
    spacing: a separator, a control character, a letter of another script.

    Such a value reaches the payer different from what was entered (a prior
    authorization ``PAX~Y*Z`` goes out as ``PAXYZ``), which someone should know.
    """
    if x12_text_safe(value, delimiters):
        return False
    kept = value
    if not kept.isascii():
        kept = unicodedata.normalize("NFKD", kept.translate(_LETTERS))
        kept = "".join(c for c in kept if not unicodedata.combining(c))
    kept = _SPACES.sub(" ", kept.upper()).strip()
    return x12_text(value, delimiters) != kept
