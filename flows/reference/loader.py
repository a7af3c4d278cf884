"""The one loader of CMS reference files, for the nightly flow and ``claims validate``.

Installed releases live in a folder (``CLAIMS_REFERENCE_DIR``) or under a key prefix of
the pipeline's bucket (``CLAIMS_REFERENCE_S3_PREFIX``), one sub-folder per kind, each file
stored as ``YYYY-MM-DD__NAME`` (see :mod:`flows.reference.files`).  Every ICD-10-CM order
file is loaded (each governs its own fiscal year); of the quarterly kinds the newest
release is loaded, all its parts (CMS splits the PTP edits into several files) read as one.

Loading is cached per process and per listing: a night's tasks share one load, and a
release installed meanwhile is read on the next call.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from edi.codesets import CodeSets, bundled_code_sets
from edi.codesets.icd10cm import IcdRelease, read_order_file
from edi.codesets.ncci import read_mue_file, read_ptp_file
from edi.codesets.procedures import read_cpt_file, read_hcpcs_file
from flows.reference.files import ReferenceFile, parse_stored
from flows.reference.releases import Release

if TYPE_CHECKING:
    from flows.s3 import S3Store

QUARTERLY = ("ncci_ptp", "mue", "hcpcs", "cpt")
Lines = Callable[[], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Reference:
    """The code sets a night checks with, and the releases they came from."""

    code_sets: CodeSets
    releases: tuple[Release, ...]


@dataclass(frozen=True, slots=True)
class SourceFiles:
    """Files named one by one (``claims validate --ptp FILE ...``)."""

    hcpcs: Path | None = None
    cpt: Path | None = None
    ptp: Path | None = None
    mue: Path | None = None
    icd_order: tuple[tuple[int, Path], ...] = ()


def path_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as f:
        yield from f


def from_files(files: SourceFiles) -> CodeSets:
    """The bundled code sets plus the files named; a file not in the CMS layout raises
    ``ValueError`` naming it, one that cannot be opened ``OSError``."""
    return _code_sets(
        {
            kind: [(path.name, lambda p=path: path_lines(p))]
            for kind, path in (
                ("hcpcs", files.hcpcs),
                ("cpt", files.cpt),
                ("ncci_ptp", files.ptp),
                ("mue", files.mue),
            )
            if path is not None
        },
        [(year, lambda p=path: path_lines(p)) for year, path in files.icd_order],
    )


def _code_sets(
    quarterly: dict[str, list[tuple[str, Lines]]], icd: list[tuple[int, Lines]]
) -> CodeSets:
    def read(kind: str, reader: Callable) -> object:
        parts = quarterly.get(kind)
        if not parts:
            return None
        name = parts[0][0]
        return reader(itertools.chain.from_iterable(lines() for _, lines in parts), name)

    releases: tuple[IcdRelease, ...] = tuple(read_order_file(lines(), fy) for fy, lines in icd)
    return bundled_code_sets().with_files(
        hcpcs=read("hcpcs", read_hcpcs_file),
        cpt=read("cpt", read_cpt_file),
        ptp=read("ncci_ptp", read_ptp_file),
        mue=read("mue", read_mue_file),
        icd_releases=releases,
    )


# -- installed releases -----------------------------------------------------------------


class Location(Protocol):
    """Where releases are installed: a folder, or a prefix in the pipeline's bucket."""

    key: str
    """Names the place, for the per-process cache."""

    def listing(self) -> tuple[tuple[str, str], ...]:
        """``(kind, stored name)`` of every installed file, sorted."""
        ...

    def lines(self, kind: str, stored: str) -> Iterator[str]: ...

    def write(self, kind: str, stored: str, data: bytes) -> None: ...


class FolderLocation:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.key = f"dir:{root.resolve()}"

    def listing(self) -> tuple[tuple[str, str], ...]:
        if not self.root.is_dir():
            return ()
        return tuple(
            sorted(
                (folder.name, path.name)
                for folder in self.root.iterdir()
                if folder.is_dir()
                for path in folder.iterdir()
                if path.is_file() and not path.name.startswith(".")
            )
        )

    def lines(self, kind: str, stored: str) -> Iterator[str]:
        return path_lines(self.root / kind / stored)

    def write(self, kind: str, stored: str, data: bytes) -> None:
        folder = self.root / kind
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{stored}.partial"
        partial.write_bytes(data)
        partial.replace(folder / stored)


class S3Location:
    """Releases under ``prefix`` (within the store's own prefix) in the pipeline's bucket."""

    def __init__(self, store: S3Store, prefix: str) -> None:
        self.store = store
        base = store.config.prefix.strip("/")
        self.prefix = "/".join(p for p in (base, prefix.strip("/")) if p) + "/"
        self.key = f"s3:{store.config.bucket}/{self.prefix}"

    def listing(self) -> tuple[tuple[str, str], ...]:
        found = []
        for obj in self.store.list(self.prefix):
            kind, _, stored = obj.key[len(self.prefix) :].partition("/")
            if kind and stored and "/" not in stored:
                found.append((kind, stored))
        return tuple(sorted(found))

    def lines(self, kind: str, stored: str) -> Iterator[str]:
        with self.store.open(f"{self.prefix}{kind}/{stored}") as body:
            text = body.read().decode("utf-8", errors="replace")
        yield from text.splitlines(keepends=True)

    def write(self, kind: str, stored: str, data: bytes) -> None:
        self.store.put(f"{self.prefix}{kind}/{stored}", data, content_type="text/plain")


def load_reference(location: Location) -> Reference:
    """The installed releases as code sets, loaded once per process for each listing."""
    listing = location.listing()
    key = (location.key, listing)
    if key not in _LOADED:
        if len(_LOADED) >= 4:
            _LOADED.clear()
        _LOADED[key] = _load(location, listing)
    return _LOADED[key]


_LOADED: dict[tuple[str, tuple[tuple[str, str], ...]], Reference] = {}


def _load(location: Location, listing: tuple[tuple[str, str], ...]) -> Reference:
    installed = [f for kind, stored in listing if (f := parse_stored(kind, stored))]
    quarterly: dict[str, list[tuple[str, Lines]]] = {}
    releases: list[Release] = []
    for kind in QUARTERLY:
        mine = [f for f in installed if f.kind == kind]
        if not mine:
            continue
        newest = max(f.period_start for f in mine)
        parts = sorted((f for f in mine if f.period_start == newest), key=lambda f: f.name)
        quarterly[kind] = [(p.name, _lines(location, p)) for p in parts]
        releases.append(parts[0].release())
    icd_files = [f for f in installed if f.kind == "icd10cm"]
    icd = [(f.period_start.year + 1, _lines(location, f)) for f in icd_files]
    releases += [f.release() for f in icd_files]
    code_sets = _code_sets(quarterly, icd)
    bundled = bundled_code_sets().icd.releases[0]
    releases.append(Release("icd10cm", bundled.name, bundled.valid_from, bundled.valid_to))
    return Reference(code_sets, tuple(releases))


def _lines(location: Location, f: ReferenceFile) -> Lines:
    return lambda: location.lines(f.kind, f.stored_name.split("/", 1)[1])
