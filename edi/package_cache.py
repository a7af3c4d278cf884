"""Data derived from installed packages only, kept between processes in the user's cache.

Some start-up work turns what a package ships into the form our code uses: pyx12's XML
maps into compiled guides (:mod:`edi.validate.compiled`), simple-icd-10-cm's release into a
table of codes (:mod:`edi.codesets.icd10cm_bundled`).  It gives the same result on every
start until a package, its data or the code deriving it changes, so the first process
writes the result to the user's cache folder and later ones read it back.

Nothing cached holds anyone's data, only what packages ship.  A file is named for a key
over everything its content depends on (:func:`key_of`), so a stale file is never read;
writing a new one removes the others of the same name.  A cache file that is missing,
unreadable or cannot be written only costs the derivation: the caller gets its value.
Files are pickles, and unpickling runs what a file says, so one that another account owns
or could have written (a shared ``CLAIMS_CACHE_DIR``) is never read, only replaced.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
KEY_LENGTH = 24
"""Hex digits of a key (:func:`key_of`)."""


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


def key_of(*parts: str | bytes) -> str:
    """A short digest of ``parts`` (versions, data files' bytes, deriving modules' source)."""
    digest = hashlib.blake2b(digest_size=KEY_LENGTH // 2)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """The value ``build`` makes, read from the cache file of ``name`` and ``key`` when it
    holds one, else built and written there (atomically) for the next process."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as stream:
            if _trusted(os.fstat(stream.fileno())):
                return pickle.load(stream)
    except Exception:  # missing, or damaged: unpickling a bad file can raise anything
        pass
    value = build()
    _write(path, value, stale=f"{glob.escape(name)}-{'?' * KEY_LENGTH}.pickle")
    return value


def _trusted(status: os.stat_result) -> bool:
    """Whether a cache file is this account's own, and writable by no one else."""
    mine = status.st_uid == os.getuid() if hasattr(os, "getuid") else True
    return mine and not status.st_mode & 0o022


def _write(path: Path, value: object, stale: str) -> None:
    """Write beside the target, then rename: a reader never sees half a file.  Files of the
    same name under other keys are removed, so upgrades leave no litter."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return  # no cache folder (read-only home): the value in memory serves this process
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return
    for old in path.parent.glob(stale):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
