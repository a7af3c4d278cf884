"""The sandbox's SSH keys: its own host key and the one client key it accepts.

Generated once under ``ROOT/keys`` (private keys mode 0600, OpenSSH format, which both
asyncssh and paramiko read) and reused, so a restarted sandbox keeps the host key a
client has pinned.  Private key contents are never printed; only paths and public keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import asyncssh

KEY_TYPE = "ssh-ed25519"


@dataclass(frozen=True, slots=True)
class SandboxKeys:
    host_key_path: Path
    client_key_path: Path
    client_public_key_path: Path

    @property
    def host_key_line(self) -> str:
        """``ssh-ed25519 AAAA…``: what a client pins (``Transport.host_key``)."""
        key = asyncssh.read_private_key(str(self.host_key_path))
        return " ".join(key.export_public_key().decode("ascii").split()[:2])


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _ensure_key(path: Path, comment: str) -> None:
    if path.exists():
        return
    key = asyncssh.generate_private_key(KEY_TYPE, comment=comment)
    _write_private(path, key.export_private_key("openssh"))
    path.with_name(path.name + ".pub").write_bytes(key.export_public_key("openssh"))


def ensure_keys(folder: Path) -> SandboxKeys:
    """Create the host and client key pairs in ``folder`` unless they exist."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    host = folder / "host_ed25519"
    client = folder / "client_ed25519"
    _ensure_key(host, "claims-sandbox-host")
    _ensure_key(client, "claims-sandbox-client")
    return SandboxKeys(host, client, client.with_name(client.name + ".pub"))
