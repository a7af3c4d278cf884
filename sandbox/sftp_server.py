"""An asyncssh SFTP server confined to one folder that notices finished uploads.

Confinement: every client path is mapped under the root (asyncssh's ``chroot``), then
resolved with symlinks followed and refused unless it is still inside the root, so a
link planted in the tree cannot lead out; clients cannot create links at all; the
``received`` listing is read-only.  An upload is *finished* when a file is renamed into
the inbound folder under a final name (not ``.name`` or ``*.part``), or when a file
written there directly under a final name is closed; the server then awaits
``on_upload(name)`` before replying, so the client's rename returns only after the
clearinghouse took the file.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncssh
from asyncssh.sftp import FXF_APPEND, FXF_CREAT, FXF_TRUNC, FXF_WRITE

UploadHandler = Callable[[str], Awaitable[None]]
_WRITE_FLAGS = FXF_WRITE | FXF_CREAT | FXF_TRUNC | FXF_APPEND


def is_temporary(name: str) -> bool:
    """Names a clearinghouse never takes: hidden files and ``*.part``/``*.tmp`` uploads."""
    return name.startswith(".") or name.endswith((".part", ".tmp"))


class ConfinedSFTPServer(asyncssh.SFTPServer):
    """One SFTP session of the sandbox; see the module docstring."""

    def __init__(
        self,
        chan: asyncssh.SSHServerChannel,
        root: Path,
        inbound: str,
        read_only: tuple[str, ...],
        on_upload: UploadHandler,
    ) -> None:
        super().__init__(chan, chroot=os.fsencode(root))
        self._root = os.fsencode(os.path.realpath(root))
        self._inbound = os.fsencode(os.path.realpath(root / inbound))
        self._read_only = tuple(os.fsencode(os.path.realpath(root / d)) for d in read_only)
        self._on_upload = on_upload
        self._written: dict[int, bytes] = {}

    # -- confinement -----------------------------------------------------------------
    def _inside(self, local: bytes, base: bytes) -> bool:
        return local == base or local.startswith(base + b"/")

    def map_path(self, path: bytes) -> bytes:
        local = super().map_path(path)
        if not self._inside(os.path.realpath(local), self._root):
            raise asyncssh.SFTPPermissionDenied("path leads outside the sandbox")
        return local

    def _writable(self, path: bytes) -> bytes:
        local = self.map_path(path)
        real = os.path.realpath(local)
        if any(self._inside(real, base) for base in self._read_only):
            raise asyncssh.SFTPPermissionDenied("this folder is read-only")
        return local

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links are not allowed")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links are not allowed")

    # -- writes ----------------------------------------------------------------------
    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        if pflags & _WRITE_FLAGS:
            local = self._writable(path)
            file_obj = super().open(path, pflags, attrs)
            self._written[id(file_obj)] = local
            return file_obj
        return super().open(path, pflags, attrs)

    async def close(self, file_obj: object) -> None:
        super().close(file_obj)
        local = self._written.pop(id(file_obj), None)
        if local is not None:
            await self._maybe_upload(local)

    def remove(self, path: bytes) -> None:
        self._writable(path)
        super().remove(path)

    def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._writable(path)
        super().mkdir(path, attrs)

    def rmdir(self, path: bytes) -> None:
        self._writable(path)
        super().rmdir(path)

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._writable(path)
        super().setstat(path, attrs)

    async def rename(self, oldpath: bytes, newpath: bytes) -> None:
        self._writable(oldpath)
        local = self._writable(newpath)
        super().rename(oldpath, newpath)
        await self._maybe_upload(local)

    async def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        self._writable(oldpath)
        local = self._writable(newpath)
        super().posix_rename(oldpath, newpath)
        await self._maybe_upload(local)

    async def _maybe_upload(self, local: bytes) -> None:
        folder, name = posixpath.split(local)
        if os.path.realpath(folder) != self._inbound or is_temporary(os.fsdecode(name)):
            return
        if os.path.isfile(local):
            await self._on_upload(os.fsdecode(name))
