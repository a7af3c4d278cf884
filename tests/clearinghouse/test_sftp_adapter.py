"""The SFTP adapter against the sandbox clearinghouse: a real SSH server on 127.0.0.1."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import asyncssh
import paramiko
import pytest

from edi.x12.control import MemoryControlNumbers
from flows.clearinghouse import (
    AuthenticationFailed,
    Delivery,
    HostKeyMismatch,
    IncompleteResponse,
    RemoteConflict,
    TransientError,
    upload_name,
)
from flows.clearinghouse.credentials import load_private_key, parse_private_key
from flows.clearinghouse.retry import RetryPolicy
from flows.clearinghouse.sftp import SftpClearinghouse, x12_complete
from mappings.profiles import clearinghouse_profile
from sandbox.server import SandboxClearinghouse
from tests.clearinghouse.tcp_proxy import CuttingProxy
from tests.sandbox.answers import read_answers
from tests.sandbox.claim_batch import build_files, outcome_batch

FAST = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05)


def _837(claims: int = 3) -> bytes:
    return build_files(outcome_batch()[:claims], MemoryControlNumbers())[0]


def _other_key() -> paramiko.PKey:
    key = asyncssh.generate_private_key("ssh-ed25519")
    return parse_private_key(key.export_private_key().decode(), None, "a stranger's key")


def test_upload_list_fetch_archive(sandbox: SandboxClearinghouse, sandbox_key) -> None:
    name = upload_name(clearinghouse_profile("sandbox"), 1, date(2026, 11, 27))
    assert name == "000000001.837"
    data = _837()
    with SftpClearinghouse(sandbox.transport(), private_key=sandbox_key, retry=FAST) as ch:
        assert ch.delivery(name) is Delivery.ABSENT
        assert ch.submit(name, data) == name
        assert ch.delivery(name) is Delivery.TAKEN
        assert (sandbox.received / name).read_bytes() == data
        names = ch.list_responses()
        assert sorted(n.rsplit(".", 1)[-1] for n in names) == ["277", "835", "999"]
        fetched = {n: ch.fetch(n) for n in names}
        assert read_answers(fetched.values()).ak9 == [("A", "1", "1", "1")]
        for n in names:
            ch.mark_done(n)
            ch.mark_done(n)  # a rerun after a crash finds it archived already
        assert ch.list_responses() == []
    archive = sandbox.sftp_root / "archive"
    assert {p.name: p.read_bytes() for p in archive.iterdir()} == fetched


def test_submit_is_idempotent_and_never_overwrites(sandbox, sandbox_key) -> None:
    data = _837()
    with SftpClearinghouse(sandbox.transport(), private_key=sandbox_key, retry=FAST) as ch:
        ch.submit("000000001.837", data)
        ch.submit("000000001.837", data)  # the pipeline reran after a crash
        assert [p.name for p in sandbox.received.iterdir()] == ["000000001.837"]
        assert len(list(sandbox.outbound.glob("*.999"))) == 1
        with pytest.raises(RemoteConflict, match=r"000000001\.837"):
            ch.submit("000000001.837", data + b"\n\n")


def test_a_file_waiting_in_inbound_counts_as_delivered(tmp_path: Path) -> None:
    with SandboxClearinghouse(tmp_path, respond=False) as quiet:
        key = parse_private_key(quiet.client_key_path.read_text(), None, "sandbox key")
        transport = quiet.transport().model_copy(update={"received_dir": None})
        (quiet.inbound / "waiting.837").write_bytes(b"x" * 10)
        with SftpClearinghouse(transport, private_key=key, retry=FAST) as ch:
            assert ch.delivery("waiting.837") is Delivery.PENDING
            assert ch.submit("waiting.837", b"y" * 10) == "waiting.837"  # same size: kept
            assert (quiet.inbound / "waiting.837").read_bytes() == b"x" * 10
            assert ch.delivery("never-sent.837") is Delivery.UNKNOWN


def test_fetch_verifies_and_delete_mode(sandbox, sandbox_key) -> None:
    (sandbox.outbound / "half.999").write_bytes(b"ISA*00*" + b" " * 99 + b"~GS*FA~")
    (sandbox.outbound / "whole.txt").write_bytes(b"a report")
    (sandbox.outbound / ".being-written.tmp").write_bytes(b"ISA")
    transport = sandbox.transport().model_copy(update={"archive_dir": None})
    with SftpClearinghouse(transport, private_key=sandbox_key, retry=FAST) as ch:
        assert sorted(ch.list_responses()) == ["half.999", "whole.txt"]
        with pytest.raises(IncompleteResponse, match=r"half\.999 in from-clearinghouse"):
            ch.fetch("half.999")
        assert ch.fetch("whole.txt") == b"a report"
        ch.mark_done("whole.txt")
    assert not (sandbox.outbound / "whole.txt").exists()
    assert not (sandbox.sftp_root / "archive" / "whole.txt").exists()


def test_x12_complete() -> None:
    data = _837()
    assert x12_complete(data)
    assert not x12_complete(data[: len(data) // 2])
    assert x12_complete(b"not x12 at all")


def test_a_changed_host_key_is_refused_at_once(sandbox, sandbox_key) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    pinned = " ".join(stranger.split()[:2])
    with CuttingProxy(sandbox.port) as proxy:
        transport = sandbox.transport().model_copy(update={"port": proxy.port, "host_key": pinned})
        ch = SftpClearinghouse(transport, private_key=sandbox_key, retry=FAST)
        with pytest.raises(HostKeyMismatch, match="does not match the pinned key"):
            ch.submit("000000001.837", _837())
        assert proxy.connections == 1  # not retried
    assert list(sandbox.received.iterdir()) == []


def test_no_pinned_host_key_no_connection(sandbox) -> None:
    with pytest.raises(HostKeyMismatch, match="no host key pinned"):
        SftpClearinghouse(sandbox.transport().model_copy(update={"host_key": None}))


def test_a_refused_key_fails_at_once_and_says_so(sandbox) -> None:
    with CuttingProxy(sandbox.port) as proxy:
        transport = sandbox.transport().model_copy(update={"port": proxy.port})
        ch = SftpClearinghouse(transport, private_key=_other_key(), retry=FAST)
        with pytest.raises(AuthenticationFailed, match="refused our key for user 'clinic'"):
            ch.list_responses()
        assert proxy.connections == 1


def test_an_unreachable_server_is_retried_then_reported(sandbox, sandbox_key) -> None:
    transport = sandbox.transport()
    sandbox.stop()
    ch = SftpClearinghouse(transport, private_key=sandbox_key, retry=FAST, timeout=2)
    with pytest.raises(TransientError, match="after 3 attempts"):
        ch.list_responses()


def test_a_connection_dropped_mid_upload_leaves_nothing_to_take(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    with SandboxClearinghouse(tmp_path, respond=False) as quiet:
        key = parse_private_key(quiet.client_key_path.read_text(), None, "sandbox key")
        with CuttingProxy(quiet.port, cut_after=256 * 1024) as proxy:
            transport = quiet.transport().model_copy(update={"port": proxy.port})
            once = RetryPolicy(attempts=1)
            with pytest.raises(TransientError):
                SftpClearinghouse(transport, private_key=key, retry=once).submit("big.837", data)
            assert proxy.cut == 1
            assert not (quiet.inbound / "big.837").exists()
            assert list(quiet.received.iterdir()) == []
            with SftpClearinghouse(transport, private_key=key, retry=FAST) as ch:
                assert ch.submit("big.837", data) == "big.837"
        assert [p.name for p in quiet.received.iterdir()] == ["big.837"]
        assert (quiet.received / "big.837").read_bytes() == data
        assert [p.name for p in quiet.inbound.iterdir()] == []


def test_a_dropped_upload_is_retried_by_itself(sandbox, sandbox_key) -> None:
    data = _837(60)
    assert len(data) > 20_000  # the SSH handshake and login send well under 8 KB
    with CuttingProxy(sandbox.port, cut_after=12_000) as proxy:
        transport = sandbox.transport().model_copy(update={"port": proxy.port})
        with SftpClearinghouse(transport, private_key=sandbox_key, retry=FAST) as ch:
            ch.submit("000000001.837", data)
        assert proxy.cut == 1 and proxy.connections == 2
    assert [p.name for p in sandbox.received.iterdir()] == ["000000001.837"]
    assert len(list(sandbox.outbound.glob("*.999"))) == 1


@pytest.mark.filterwarnings("ignore:.*bcrypt.kdf:UserWarning")  # 2 rounds keep the test fast
def test_keys_from_the_environment(sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    transport = sandbox.transport().model_copy(update={"passphrase_env": "TEST_SFTP_PASSPHRASE"})
    monkeypatch.setenv(transport.private_key_env, str(sandbox.client_key_path))
    with SftpClearinghouse(transport, retry=FAST) as ch:
        assert ch.list_responses() == []
    protected = asyncssh.read_private_key(str(sandbox.client_key_path))
    text = protected.export_private_key("openssh", passphrase="s3cret", rounds=2).decode()
    monkeypatch.setenv(transport.private_key_env, text)
    with pytest.raises(AuthenticationFailed, match="passphrase") as refused:
        load_private_key(transport)
    assert "PRIVATE KEY" not in str(refused.value)
    monkeypatch.setenv("TEST_SFTP_PASSPHRASE", "s3cret")
    with SftpClearinghouse(transport, private_key=load_private_key(transport), retry=FAST) as ch:
        assert ch.list_responses() == []
    monkeypatch.delenv(transport.private_key_env)
    with pytest.raises(AuthenticationFailed, match=f"set {transport.private_key_env}"):
        load_private_key(transport)


def test_the_profiles_transport_kind_chooses_the_adapter(
    sandbox: SandboxClearinghouse, sandbox_key
) -> None:
    """The flows open whatever adapter ``transport.kind`` names; an unknown kind is refused
    naming the kinds there are."""
    from types import SimpleNamespace

    from flows.clearinghouse import connect

    with connect(sandbox.transport(), private_key=sandbox_key, retry=FAST) as adapter:
        assert isinstance(adapter, SftpClearinghouse)
        assert adapter.delivery("000000001.837") is Delivery.ABSENT
    with pytest.raises(ValueError, match="'as2' has no adapter \\(known: sftp\\)"):
        connect(SimpleNamespace(kind="as2"))
