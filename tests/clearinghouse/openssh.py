"""OpenSSH's sshd for the adapter tests, on a free high port of 127.0.0.1.

The fixture writes a throwaway configuration (its own host key, one authorized key, the
current user only, SFTP only) and runs ``sshd -D -e`` in the foreground; without sshd
the tests are skipped, or fail when ``CLAIMS_REQUIRE_SERVICES=1`` (``.ci/install-sshd.sh``
installs it).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import paramiko
import pytest

from flows.clearinghouse.credentials import parse_private_key
from mappings.profiles import Transport
from tests.fixtures.services import service_missing

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class OpenSSH:
    transport: Transport
    key: paramiko.PKey
    home: Path

    @property
    def inbound(self) -> Path:
        return Path(self.transport.inbound_dir)

    @property
    def outbound(self) -> Path:
        return Path(self.transport.outbound_dir)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_banner(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"SSH-2.0"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("sshd did not answer in time")


def _write_key(path: Path, key: asyncssh.SSHKey) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.export_private_key("openssh"))


@pytest.fixture
def openssh(tmp_path: Path) -> Iterator[OpenSSH]:
    if not os.path.exists(SSHD):
        service_missing(f"OpenSSH's sshd is not installed at {SSHD} (sh .ci/install-sshd.sh)")
    if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
        service_missing("sshd's privilege separation directory /run/sshd is missing")
    etc = tmp_path / "etc"
    etc.mkdir(mode=0o700)
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    _write_key(etc / "host_ed25519", host_key)
    (etc / "authorized_keys").write_bytes(client_key.export_public_key())
    home = tmp_path / "home"
    for folder in ("to-clearinghouse", "from-clearinghouse", "archive"):
        (home / folder).mkdir(parents=True)
    port = _free_port()
    user = getpass.getuser()
    (etc / "sshd_config").write_text(
        f"""Port {port}
ListenAddress 127.0.0.1
HostKey {etc / "host_ed25519"}
PidFile {etc / "sshd.pid"}
AuthorizedKeysFile {etc / "authorized_keys"}
AllowUsers {user}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
Subsystem sftp internal-sftp
LogLevel ERROR
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [shutil.which(SSHD) or SSHD, "-D", "-e", "-f", str(etc / "sshd_config")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_banner(port, process)
        public = " ".join(host_key.export_public_key().decode().split()[:2])
        transport = Transport(
            host="127.0.0.1",
            port=port,
            username=user,
            host_key=public,
            inbound_dir=str(home / "to-clearinghouse"),
            outbound_dir=str(home / "from-clearinghouse"),
            archive_dir=str(home / "archive"),
        )
        key = parse_private_key(client_key.export_private_key().decode(), None, "test key")
        yield OpenSSH(transport, key, home)
    finally:
        process.terminate()
        process.wait(timeout=10)
