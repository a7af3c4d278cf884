"""The sandbox's SFTP server: confined to its root, one user with one key, answers at once."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh
import paramiko
import pytest

from edi.x12.control import MemoryControlNumbers
from edi.x12.reader import iter_segments
from flows.clearinghouse.credentials import parse_private_key, pinned_host_key
from flows.clearinghouse.sftp import SftpClearinghouse
from sandbox.server import SandboxClearinghouse
from tests.sandbox.answers import read_answers
from tests.sandbox.claim_batch import build_files, outcome_batch


def _sftp(sandbox: SandboxClearinghouse, key: paramiko.PKey, user: str = "clinic"):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    host_key = pinned_host_key(sandbox.transport())
    client.get_host_keys().add(f"[127.0.0.1]:{sandbox.port}", host_key.get_name(), host_key)
    client.connect("127.0.0.1", sandbox.port, username=user, pkey=key, look_for_keys=False,
                   allow_agent=False, timeout=10)  # fmt: skip
    return client, client.open_sftp()


def test_the_client_sees_only_its_folders(sandbox, sandbox_key, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    os.symlink(outside, sandbox.outbound / "planted-link")
    client, sftp = _sftp(sandbox, sandbox_key)
    with client:
        assert sorted(sftp.listdir("/")) == ["archive", "from-clearinghouse", "received",
                                             "to-clearinghouse"]  # fmt: skip
        assert sorted(sftp.listdir("/../..")) == sorted(sftp.listdir("/"))
        with pytest.raises(OSError):
            sftp.open("/from-clearinghouse/planted-link").read()
        with pytest.raises(OSError):
            sftp.symlink(str(outside), "/to-clearinghouse/link")
        with pytest.raises(PermissionError):
            sftp.open("/received/forged.837", "wb").write(b"x")
        with pytest.raises(PermissionError):
            sftp.remove("/received")
    assert sorted(p.name for p in (sandbox.root / "sftp").iterdir()) == [
        "archive", "from-clearinghouse", "received", "to-clearinghouse"]  # fmt: skip


def test_only_the_configured_user_with_its_key_gets_in(sandbox, sandbox_key) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    with pytest.raises(paramiko.AuthenticationException):
        _sftp(sandbox, parse_private_key(stranger, None, "stranger"))
    with pytest.raises(paramiko.AuthenticationException):
        _sftp(sandbox, sandbox_key, user="root")


def test_a_file_written_directly_under_its_final_name_is_taken_on_close(sandbox, sandbox_key):
    data = build_files(outcome_batch()[:2], MemoryControlNumbers())[0]
    client, sftp = _sftp(sandbox, sandbox_key)
    with client:
        with sftp.open("to-clearinghouse/.partial.part", "wb") as f:
            f.write(data)
        assert sftp.listdir("received") == []
        with sftp.open("to-clearinghouse/direct.837", "wb") as f:
            f.write(data)
        assert sftp.listdir("received") == ["direct.837"]
        assert {"direct.999", "direct.277"} <= set(sftp.listdir("from-clearinghouse"))


def _isa13s(folder: Path) -> set[str]:
    return {next(iter_segments(p.read_bytes())).get(13) for p in folder.iterdir()}


def test_restart_keeps_keys_state_and_numbering(tmp_path: Path) -> None:
    data = build_files(outcome_batch()[:2], MemoryControlNumbers())[0]
    with SandboxClearinghouse(tmp_path) as first:
        host_key = first.host_key_line
        key = parse_private_key(first.client_key_path.read_text(), None, "sandbox key")
        with SftpClearinghouse(first.transport(), private_key=key) as ch:
            ch.submit("a.837", data)
        before = _isa13s(first.outbound)
    with SandboxClearinghouse(tmp_path) as second:
        assert second.host_key_line == host_key
        with SftpClearinghouse(second.transport(), private_key=key) as ch:
            ch.submit("b.837", data)  # the same interchange again, after a restart
        answer = (second.outbound / "b.ta1").read_bytes()
        assert read_answers([answer]).ta1[0][1:] == ("R", "025")
        assert len(_isa13s(second.outbound)) == len(before) + 1


def test_the_sandbox_only_listens_on_loopback(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxClearinghouse(tmp_path, host="0.0.0.0")
