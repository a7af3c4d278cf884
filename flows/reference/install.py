"""Install CMS reference releases from files a user downloaded, or from a URL.

A release is checked with the same reader the night uses before it is stored, so a file
in the wrong layout is refused at install time, naming the file, not at 01:00.  CMS ships
most releases as ZIP files: every member that is a reference file is installed, the rest
(PDF notes, readme) is skipped and counted.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

from edi.codesets.icd10cm import read_order_file
from edi.codesets.ncci import read_mue_file, read_ptp_file
from edi.codesets.procedures import read_cpt_file, read_hcpcs_file
from flows.reference.files import ReferenceFile, UnknownReferenceFile, identify
from flows.reference.loader import Location

MAX_DOWNLOAD_BYTES = 512 << 20
"""The largest release accepted from a URL (the ICD-10-CM ZIP is about 40 MB)."""


class InstallError(ValueError):
    """A release that cannot be installed; the message names the file and the fix."""


@dataclass
class Installed:
    files: list[ReferenceFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def install(
    source: str, location: Location, *, kind: str | None = None, period: date | None = None
) -> Installed:
    """Install ``source`` (a file, a folder of files, a ZIP, or an http(s) URL)."""
    done = Installed()
    for name, data in _sources(source):
        for member, content in _members(name, data):
            try:
                ref = identify(member, kind, period)
            except UnknownReferenceFile:
                if member == name and not name.lower().endswith(".zip"):
                    raise
                done.skipped.append(member)
                continue
            _check(ref, content)
            location.write(ref.kind, ref.stored_name.split("/", 1)[1], content)
            done.files.append(ref)
    if not done.files:
        raise InstallError(f"{source}: no CMS reference file found in it")
    return done


def _sources(source: str) -> Iterator[tuple[str, bytes]]:
    if source.startswith(("http://", "https://")):
        yield _download(source)
        return
    path = Path(source)
    if path.is_dir():
        for item in sorted(p for p in path.rglob("*") if p.is_file()):
            yield item.name, item.read_bytes()
        return
    yield path.name, path.read_bytes()


def _download(url: str) -> tuple[str, bytes]:
    import httpx

    name = unquote(Path(urlparse(url).path).name) or "download"
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=60.0) as response:
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise InstallError(f"{url}: larger than {MAX_DOWNLOAD_BYTES >> 20} MB")
                chunks.append(chunk)
    except httpx.HTTPStatusError as exc:
        raise InstallError(f"{url}: the server answered {exc.response.status_code}") from exc
    except httpx.HTTPError as exc:
        raise InstallError(
            f"{url}: could not download ({type(exc).__name__}); download it by hand and run "
            "`claims reference load FILE`"
        ) from exc
    return name, b"".join(chunks)


def _members(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        yield name, data
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.is_dir():
                yield Path(info.filename).name, archive.read(info)


_READERS = {
    "ncci_ptp": read_ptp_file,
    "mue": read_mue_file,
    "hcpcs": read_hcpcs_file,
    "cpt": read_cpt_file,
}


def _check(ref: ReferenceFile, content: bytes) -> None:
    lines = content.decode("utf-8", errors="replace").splitlines()
    try:
        if ref.kind == "icd10cm":
            read_order_file(lines, ref.period_start.year + 1)
        elif ref.kind in _READERS:
            _READERS[ref.kind](lines, ref.name)
        else:
            raise InstallError(f"{ref.name}: unknown kind {ref.kind!r}")
    except ValueError as exc:
        raise InstallError(f"{ref.name}: not in the CMS layout for its kind: {exc}") from exc
