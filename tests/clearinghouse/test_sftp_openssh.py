"""The SFTP adapter against OpenSSH's sshd, the server most clearinghouses actually run."""

from __future__ import annotations

import asyncssh
import pytest

from flows.clearinghouse import Delivery, HostKeyMismatch, TransientError
from flows.clearinghouse.retry import RetryPolicy
from flows.clearinghouse.sftp import SftpClearinghouse
from tests.clearinghouse.openssh import OpenSSH
from tests.clearinghouse.tcp_proxy import CuttingProxy

pytestmark = pytest.mark.sshd
FAST = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05)
X12 = b"ISA*00*" + b" " * 98 + b"~GS*FA~IEA*1*000000001~\n"


def test_upload_list_fetch_archive(openssh: OpenSSH) -> None:
    data = b"ISA" + b"x" * 50_000
    with SftpClearinghouse(openssh.transport, private_key=openssh.key, retry=FAST) as ch:
        assert ch.delivery("000000001.837") is Delivery.UNKNOWN
        ch.submit("000000001.837", data)
        assert ch.delivery("000000001.837") is Delivery.PENDING
        ch.submit("000000001.837", data)  # already waiting: not sent twice
        assert [p.name for p in openssh.inbound.iterdir()] == ["000000001.837"]
        assert (openssh.inbound / "000000001.837").read_bytes() == data
        (openssh.outbound / "000000001.999").write_bytes(X12)
        (openssh.outbound / ".000000002.999.tmp").write_bytes(b"ISA")
        assert ch.list_responses() == ["000000001.999"]
        assert ch.fetch("000000001.999") == X12
        ch.mark_done("000000001.999")
        assert ch.list_responses() == []
    assert (openssh.home / "archive" / "000000001.999").read_bytes() == X12


def test_a_changed_host_key_is_refused(openssh: OpenSSH) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    transport = openssh.transport.model_copy(update={"host_key": " ".join(other.split()[:2])})
    with pytest.raises(HostKeyMismatch, match="does not match the pinned key"):
        SftpClearinghouse(transport, private_key=openssh.key, retry=FAST).list_responses()
    assert list(openssh.inbound.iterdir()) == []


def test_a_dropped_upload_leaves_no_final_file_and_is_retried(openssh: OpenSSH) -> None:
    data = bytes(range(256)) * 4096
    with CuttingProxy(openssh.transport.port, cut_after=256 * 1024) as proxy:
        transport = openssh.transport.model_copy(update={"port": proxy.port})
        with pytest.raises(TransientError):
            SftpClearinghouse(transport, private_key=openssh.key, retry=RetryPolicy(attempts=1)
                              ).submit("big.837", data)  # fmt: skip
        assert proxy.cut == 1
        assert "big.837" not in [p.name for p in openssh.inbound.iterdir()]
        with SftpClearinghouse(transport, private_key=openssh.key, retry=FAST) as ch:
            ch.submit("big.837", data)
    assert [p.name for p in openssh.inbound.iterdir()] == ["big.837"]
    assert (openssh.inbound / "big.837").read_bytes() == data
