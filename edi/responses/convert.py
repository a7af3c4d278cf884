"""Whole columns of X12 text turned into typed pandas arrays, exactly and fast.

The parsers collect element text as it is read and convert column by column at the end,
in Arrow's compiled kernels: a remittance of a million amounts converts in a fraction of
a second, which a per-value ``Decimal`` could not do.  Nothing is rounded and nothing
goes through a float: an amount becomes integer cents only when it has at most two
decimals (the X12 ``R`` type as the guides use it for money); anything else becomes
null and is reported by position, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_MONEY = r"^-?(\d{1,16}(\.\d{0,2})?|\.\d{1,2})$"
_DATE = r"^\d{8}$"
NULL_TEXT = pa.scalar(None, pa.large_string())
"""A null of the Arrow type :func:`text` gives."""
_CENTS_TYPE = pa.decimal128(18, 2)

STRING = pd.StringDtype()
INT = "Int64"
BOOL = "boolean"
DATE = "datetime64[s]"
DECIMAL = "object"
TEXT = "category"


_JOIN = "\x1f"  # ASCII unit separator: outside the X12 character sets


def text(values: Sequence[str | None] | pa.Array) -> pa.LargeStringArray:
    """An Arrow large string array of ``values``: the type pandas' string dtype stores.

    Joining the texts and splitting them again in Arrow is several times faster than
    converting a long list object by object; ``None`` values or a text that holds the
    joining character take the direct way.  An Arrow array passes through, so a column
    needed both as text and as looked-up descriptions is converted once.
    """
    if isinstance(values, pa.Array):
        return values
    if len(values) > 256:
        try:
            joined = _JOIN.join(values)
        except TypeError:  # a None among the values
            joined = None
        if joined is not None and joined.count(_JOIN) == len(values) - 1:
            return pc.split_pattern(pa.array([joined], pa.large_string()), _JOIN).flatten()
    return pa.array(values, pa.large_string())


def strings(values: Sequence[str | None] | pa.Array) -> pd.api.extensions.ExtensionArray:
    """Text column; empty elements become null, since X12 drops absent values anyway."""
    arr = _empty_as_null(text(values))
    return pd.array(arr.to_pylist() if len(arr) == 0 else arr, dtype=STRING)


def _empty_as_null(arr: pa.LargeStringArray) -> pa.LargeStringArray:
    """``arr`` with empty texts null, sharing its buffers: only a validity bitmap is new.

    An empty text has no bytes, so marking it null changes no offset; copying every
    text column of a large remittance just to blank some was a measurable cost.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset : arr.offset + len(arr) + 1]
    present = offsets[1:] != offsets[:-1]
    if arr.null_count:
        present &= np.asarray(arr.is_valid())
    if present.all():
        return arr
    validity = pa.py_buffer(np.packbits(present, bitorder="little"))
    return pa.LargeStringArray.from_buffers(
        len(arr), pa.py_buffer(offsets), arr.buffers()[2], validity
    )


def lookup(codes: Sequence[str | None] | pa.Array, describe) -> pd.Categorical:
    """Text column of ``describe(code)`` per code, each distinct code described once.

    Code columns repeat a few values (CARC 45, group CO) over many rows, so the texts are
    computed per distinct code and spread with Arrow's ``take`` instead of per row.
    """
    encoded = text(codes).dictionary_encode()
    texts = [describe(code or "") for code in encoded.dictionary.to_pylist()]
    categories = sorted(set(texts) - {""})
    code_of = {text: i for i, text in enumerate(categories)}
    per_word = np.array([code_of.get(t, -1) for t in texts] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(per_word[_indices(encoded)], categories=categories)


def cents(
    values: Sequence[str | None] | pa.Array,
) -> tuple[pd.api.extensions.ExtensionArray, np.ndarray]:
    """Integer cents (``Int64``) of decimal amounts, and a mask of values that are wrong.

    Empty or absent amounts are null and not wrong; ``12.345``, ``1e3`` or ``12,00``
    are null *and* flagged, so the caller can report them with their position.  Each
    distinct text is converted once (amounts repeat), then spread by index.
    """
    encoded = text(values).dictionary_encode()
    words = encoded.dictionary
    present = pc.fill_null(pc.not_equal(words, ""), False)
    valid = pc.fill_null(pc.match_substring_regex(words, _MONEY), False)
    decimals = pc.cast(pc.if_else(valid, words, NULL_TEXT), _CENTS_TYPE)
    # A decimal128(18, 2) stores the unscaled integer, i.e. the cents, in two's complement;
    # every value here has at most 18 digits, so its low 64-bit word is the exact number.
    low = np.frombuffer(decimals.buffers()[1], dtype=np.int64)
    unscaled = low[2 * decimals.offset : 2 * (decimals.offset + len(decimals)) : 2]
    known = np.asarray(pc.is_valid(decimals), dtype=bool)
    wrong_word = np.asarray(pc.and_(present, pc.invert(valid)), dtype=bool)
    index = _indices(encoded)
    unscaled = np.append(unscaled, 0)
    known, wrong_word = np.append(known, False), np.append(wrong_word, False)
    return pd.arrays.IntegerArray(unscaled[index], ~known[index]), wrong_word[index]


def dates(values: Sequence[str | None] | pa.Array) -> tuple[pd.Series, np.ndarray]:
    """Dates from ``CCYYMMDD`` text (``datetime64[s]``), and a mask of wrong values.

    Impossible dates (``20260231``) are wrong, not rolled over into March.  A file holds
    few distinct dates, so each is parsed once and spread by index.
    """
    encoded = text(values).dictionary_encode()
    words = encoded.dictionary
    present = pc.fill_null(pc.not_equal(words, ""), False)
    shaped = pc.fill_null(pc.match_substring_regex(words, _DATE), False)
    parsed = pc.strptime(pc.if_else(shaped, words, NULL_TEXT), "%Y%m%d", "s", error_is_null=True)
    round_trip = pc.fill_null(pc.equal(pc.strftime(parsed, "%Y%m%d"), words), False)
    good = pc.and_(shaped, round_trip)
    wrong_word = np.append(np.asarray(pc.and_(present, pc.invert(good)), dtype=bool), False)
    kept = pc.if_else(good, parsed, pa.scalar(None, pa.timestamp("s")))
    seconds = np.append(kept.to_numpy(zero_copy_only=False), np.datetime64("NaT", "s"))
    index = _indices(encoded)
    return pd.Series(seconds[index], dtype=DATE), wrong_word[index]


def _indices(encoded: pa.DictionaryArray) -> np.ndarray:
    """Dictionary indices, nulls pointing one past the end (where callers put a null)."""
    filled = pc.fill_null(encoded.indices, pa.scalar(len(encoded.dictionary), encoded.indices.type))
    return filled.to_numpy().astype(np.int64, copy=False)


def decimals(values: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """:class:`~decimal.Decimal` objects (units, quantities), and a mask of wrong values.

    Quantities repeat ("1", "2"), so each distinct text is converted once, then spread
    by index: a per-value loop in Python cost more than the rest of the column.
    """
    encoded = text(values).dictionary_encode()
    words = encoded.dictionary.to_pylist()
    converted = [_decimal(word) for word in words]
    wrong_word = [bool(w) and v is None for w, v in zip(words, converted, strict=True)]
    index = _indices(encoded)
    out = np.empty(len(words) + 1, dtype=object)  # filled, not np.array(): no unpacking
    out[: len(words)] = converted
    out[-1] = None
    return out[index], np.array([*wrong_word, False], dtype=bool)[index]


def _decimal(word: str) -> Decimal | None:
    """The value of one X12 ``R`` text, or None when it is empty or not a plain number."""
    if not word:
        return None
    try:
        value = Decimal(word)
    except InvalidOperation:
        return None
    return value if value.is_finite() and _looks_numeric(word) else None


def _looks_numeric(text: str) -> bool:
    """X12 ``R`` values have no exponent, no spaces, no sign but a leading minus."""
    body = text[1:] if text[:1] == "-" else text
    return bool(body) and body.replace(".", "", 1).isdigit()


def integers(values: Sequence[int | None]) -> pd.api.extensions.ExtensionArray:
    """``Int64`` column; the fast way when no value is missing."""
    try:
        numbers = np.asarray(values, dtype=np.int64)
    except (TypeError, ValueError):  # None among them
        return pd.array(list(values), dtype=INT)
    return pd.arrays.IntegerArray(numbers, np.zeros(len(numbers), dtype=bool))


def booleans(values: Sequence[bool | None]) -> pd.api.extensions.ExtensionArray:
    return pd.array(list(values), dtype=BOOL)
