"""The ICD-10-CM release that ships inside simple-icd-10-cm, kept as an Arrow file.

Importing simple-icd-10-cm parses its tabular XML: about 1.4 s, on every process that
checks a diagnosis.  The codes it holds change only with the installed package, so the
first process writes them (code, billable, description, Excludes1 ranges) to an Arrow file
in the user's cache folder, named for the package's version, and later processes map that
file in about 50 ms.  Lookups then read one row; nothing builds the 98,000 codes as objects.

This and the code-set readers are the only file access in ``edi/``: the cache is derived
from package data, holds no one's data, and is rebuilt whenever it is missing, stale or
unreadable.  A read-only cache folder only costs the build on each start.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa

from edi.codesets.icd10cm import IcdCode, IcdRelease, bundled_release_window

CACHE_LAYOUT = 2
"""Bumped when the table's columns change, so an old file is never misread."""

_RELEASE_FILE = b"release_file"


def cache_dir() -> Path | None:
    """``$CLAIMS_CACHE_DIR``, else ``$XDG_CACHE_HOME/claims-pipeline``, else under ``~/.cache``;
    None for an account without a home folder (then nothing is cached)."""
    if explicit := os.environ.get("CLAIMS_CACHE_DIR"):
        return Path(explicit)
    if base := os.environ.get("XDG_CACHE_HOME"):
        return Path(base) / "claims-pipeline"
    try:
        return Path.home() / ".cache" / "claims-pipeline"
    except RuntimeError:
        return None


def cache_path() -> Path | None:
    """The cache file of the installed simple-icd-10-cm (None: no cache folder)."""
    folder = cache_dir()
    package = version("simple-icd-10-cm")
    return folder / f"icd10cm-simple-icd-10-cm-{package}-v{CACHE_LAYOUT}.arrow" if folder else None


def bundled_release() -> IcdRelease:
    """The bundled release, from the cache file (written first if it is not usable)."""
    path = cache_path()
    table = _read(path) if path else None
    if table is None:
        table = _from_package()
        if path:
            _write(table, path)
    name, start, end = bundled_release_window(table.schema.metadata[_RELEASE_FILE].decode())
    return IcdRelease(name, start, end, TableCodes(table), _excludes1=_excludes1(table))


def _excludes1(table: pa.Table) -> dict[str, str]:
    """Codes with an Excludes1 note (a few thousand of 98,000), by code."""
    codes, notes = table.column("code").to_pylist(), table.column("excludes1").to_pylist()
    return {code: note for code, note in zip(codes, notes, strict=True) if note}


class TableCodes(Mapping[str, IcdCode]):
    """Codes by dotless code, read row by row from the cached table.

    Each code read is kept: a batch repeats the same few hundred diagnoses, and a dict hit
    costs far less than reading a row.
    """

    def __init__(self, table: pa.Table) -> None:
        codes = table.column("code").to_pylist()
        self._rows = dict(zip(codes, range(len(codes)), strict=True))
        self._billable = table.column("billable")
        self._description = table.column("description")
        self._read: dict[str, IcdCode] = {}

    def __getitem__(self, code: str) -> IcdCode:
        item = self._read.get(code)
        if item is None:
            row = self._rows[code]
            item = IcdCode(code, self._billable[row].as_py(), self._description[row].as_py())
            self._read[code] = item
        return item

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def values(self) -> Iterator[IcdCode]:  # type: ignore[override]
        """Every code, column by column (far quicker than a lookup per code)."""
        return map(IcdCode, self._rows, self._billable.to_pylist(), self._description.to_pylist())


def _from_package() -> pa.Table:
    """Every code of simple-icd-10-cm's release (chapters and blocks are not codes)."""
    import simple_icd_10_cm as sicd
    from simple_icd_10_cm import simple_icd_10_cm as data

    from edi.codesets.icd10cm_edits import parse_excludes1

    codes = [c for c in sicd.get_all_codes(with_dots=False) if not sicd.is_chapter_or_block(c)]
    excludes1 = [
        "|".join(f"{low}:{high}" for low, high in parse_excludes1(sicd.get_excludes1(c)))
        for c in codes
    ]
    table = pa.table(
        {
            "code": pa.array(codes, pa.string()),
            "billable": pa.array([sicd.is_leaf(c) for c in codes], pa.bool_()),
            "description": pa.array([sicd.get_description(c) for c in codes], pa.string()),
            "excludes1": pa.array(excludes1, pa.string()),
        }
    )
    return table.replace_schema_metadata(
        {_RELEASE_FILE: data._classification_data_package_file_name}
    )


def _read(path: Path) -> pa.Table | None:
    """The cached table, or None when it is missing or not one this code wrote."""
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
    except (OSError, pa.ArrowException):
        return None
    complete = _RELEASE_FILE in (table.schema.metadata or {}) and all(
        name in table.column_names for name in ("code", "billable", "description", "excludes1")
    )
    return table if complete else None


def _write(table: pa.Table, path: Path) -> None:
    """Write beside the target, then rename: a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return  # no cache folder (read-only home): the table in memory serves this process
    os.close(handle)
    try:
        with pa.ipc.new_file(temporary, table.schema) as writer:
            writer.write_table(table)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
