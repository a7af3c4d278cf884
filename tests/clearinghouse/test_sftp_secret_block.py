"""The private key from a Prefect Secret block, against a temporary Prefect API."""

from __future__ import annotations

import pytest

from flows.clearinghouse.retry import RetryPolicy
from flows.clearinghouse.sftp import SftpClearinghouse

pytestmark = pytest.mark.slow


def test_private_key_from_a_prefect_secret_block(sandbox, monkeypatch) -> None:
    from prefect.blocks.system import Secret
    from prefect.testing.utilities import prefect_test_harness

    monkeypatch.delenv("CLAIMS_SFTP_KEY", raising=False)
    transport = sandbox.transport().model_copy(update={"private_key_block": "sandbox-sftp-key"})
    with prefect_test_harness(server_startup_timeout=60):
        Secret(value={"private_key": sandbox.client_key_path.read_text()}).save(
            "sandbox-sftp-key", overwrite=True
        )
        with SftpClearinghouse(transport, retry=RetryPolicy(attempts=1)) as ch:
            assert ch.list_responses() == []
