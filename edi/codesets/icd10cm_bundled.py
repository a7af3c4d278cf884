"""The ICD-10-CM release that ships inside simple-icd-10-cm, kept in the user's cache.

Importing simple-icd-10-cm parses its tabular XML: about 1.4 s, on every process that
checks a diagnosis.  The codes it holds change only with the installed package, so the
first process writes them (code, billable, description, Excludes1 ranges) to the user's
cache (:mod:`edi.package_cache`), keyed by the package's version, and later processes read
them back in a few milliseconds: as packed columns (:class:`Columns`) that a lookup
bisects.  Nothing builds the 98,000 codes as objects, or even as a dict: a batch
asks for a few hundred.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from edi import package_cache
from edi.codesets.icd10cm import IcdCode, IcdRelease, bundled_release_window

WIDTH = 7
"""Characters of the longest ICD-10-CM code without its dot; shorter ones are padded with
spaces, which sort before every character of a code, so padded codes sort as codes do."""


@dataclass(frozen=True, slots=True)
class Columns:
    """The release as packed columns, one row per code in the package's own order (chapter,
    category, children): what is cached."""

    release_file: str
    """The package's data file, which names the release (``icd10c-tabular-April-1-2026.xml``)."""
    codes: bytes
    """Each code in ASCII, padded to :data:`WIDTH`."""
    billable: bytes
    """1 for a billable code, else 0."""
    text: bytes
    """Every description in UTF-8, each followed by a NUL (which XML text cannot hold)."""
    ends: bytes
    """Per row, where its description ends in ``text`` (unsigned 32-bit, native order)."""
    by_code: bytes
    """The rows in code order (unsigned 32-bit): what a lookup bisects."""
    excludes1: dict[str, str]
    """The codes with an Excludes1 note (a few thousand), written ``LOW:HIGH|LOW:HIGH``."""


def bundled_release() -> IcdRelease:
    """The bundled release, from the user's cache (written first if it is not usable)."""
    key = package_cache.key_of(version("simple-icd-10-cm"), Path(__file__).read_bytes())
    columns = package_cache.cached("icd10cm", key, _from_package)
    name, start, end = bundled_release_window(columns.release_file)
    return IcdRelease(name, start, end, PackedCodes(columns), _excludes1=columns.excludes1)


class PackedCodes(Mapping[str, IcdCode]):
    """Codes by dotless code, found by bisecting the packed columns.

    Each code read is kept: a batch repeats the same few hundred diagnoses, and a dict hit
    costs far less than a search.  Iteration follows the package's order, as
    :meth:`IcdRelease.category` lists a category's codes.
    """

    def __init__(self, columns: Columns) -> None:
        self._columns = columns
        self._ends = memoryview(columns.ends).cast("I")
        self._by_code = memoryview(columns.by_code).cast("I")
        self._read: dict[str, IcdCode] = {}

    def __getitem__(self, code: str) -> IcdCode:
        item = self._read.get(code)
        if item is None:
            row = self._row(code)
            if row is None:
                raise KeyError(code)
            item = self._read[code] = self._item(row)
        return item

    def _row(self, code: str) -> int | None:
        if not (0 < len(code) <= WIDTH and code.isascii() and code.isalnum()):
            return None
        key, codes, by_code = code.encode().ljust(WIDTH), self._columns.codes, self._by_code
        low, high = 0, len(by_code)
        while low < high:
            middle = (low + high) // 2
            row = by_code[middle]
            if codes[row * WIDTH : (row + 1) * WIDTH] < key:
                low = middle + 1
            else:
                high = middle
        if low == len(by_code):
            return None
        row = by_code[low]
        return row if codes[row * WIDTH : (row + 1) * WIDTH] == key else None

    def _item(self, row: int) -> IcdCode:
        columns = self._columns
        start = self._ends[row - 1] + 1 if row else 0
        return IcdCode(
            columns.codes[row * WIDTH : (row + 1) * WIDTH].rstrip().decode(),
            columns.billable[row] == 1,
            columns.text[start : self._ends[row]].decode(),
        )

    def __iter__(self) -> Iterator[str]:
        packed = self._columns.codes.decode()
        return (packed[i : i + WIDTH].rstrip() for i in range(0, len(packed), WIDTH))

    def __len__(self) -> int:
        return len(self._ends)

    def values(self) -> Iterator[IcdCode]:  # type: ignore[override]
        """Every code, in the package's order: whole columns at once, far quicker than
        reading each row."""
        columns = self._columns
        descriptions = columns.text[:-1].decode().split("\0")
        return map(IcdCode, self, map(bool, columns.billable), descriptions)


def _from_package() -> Columns:
    """Every code of simple-icd-10-cm's release (chapters and blocks are not codes)."""
    import simple_icd_10_cm as sicd
    from simple_icd_10_cm import simple_icd_10_cm as data

    from edi.codesets.icd10cm_edits import parse_excludes1

    codes = [c for c in sicd.get_all_codes(with_dots=False) if not sicd.is_chapter_or_block(c)]
    if any(not (0 < len(c) <= WIDTH and c.isascii() and c.isalnum()) for c in codes):
        raise ValueError(f"an ICD-10-CM code that is not 1 to {WIDTH} letters and digits")
    text, ends = bytearray(), array("I")
    for code in codes:
        text += sicd.get_description(code).encode()
        ends.append(len(text))
        text += b"\0"
    excludes1 = {
        code: "|".join(f"{low}:{high}" for low, high in parse_excludes1(sicd.get_excludes1(code)))
        for code in codes
    }
    return Columns(
        release_file=data._classification_data_package_file_name,
        codes=b"".join(code.encode().ljust(WIDTH) for code in codes),
        billable=bytes(sicd.is_leaf(code) for code in codes),
        text=bytes(text),
        ends=ends.tobytes(),
        by_code=array("I", sorted(range(len(codes)), key=codes.__getitem__)).tobytes(),
        excludes1={code: note for code, note in excludes1.items() if note},
    )
