"""The private key from a Prefect Secret block, against a temporary Prefect API."""

from __future__ import annotations

import pytest

from flows.clearinghouse.retry import RetryPolicy
from flows.clearinghouse.sftp import SftpClearinghouse


@pytest.mark.slow
def test_private_key_from_a_prefect_secret_block(sandbox, monkeypatch, prefect_api) -> None:
    from prefect.blocks.system import Secret

    monkeypatch.delenv("CLAIMS_SFTP_KEY", raising=False)
    transport = sandbox.transport().model_copy(update={"private_key_block": "sandbox-sftp-key"})
    Secret(value={"private_key": sandbox.client_key_path.read_text()}).save(
        "sandbox-sftp-key", overwrite=True
    )
    with SftpClearinghouse(transport, retry=RetryPolicy(attempts=1)) as ch:
        assert ch.list_responses() == []
