"""Fixtures that run the sandbox clearinghouse for a test (imported by conftest files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from flows.clearinghouse.credentials import parse_private_key
from sandbox.server import SandboxClearinghouse
from tests.sandbox.claim_batch import RECEIVED


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxClearinghouse]:
    """A running sandbox on a free port of 127.0.0.1 with a fixed clock and seed."""
    with SandboxClearinghouse(tmp_path / "sandbox", seed=7, clock=lambda: RECEIVED) as running:
        yield running


@pytest.fixture
def sandbox_key(sandbox: SandboxClearinghouse) -> paramiko.PKey:
    """The client key the sandbox accepts, loaded as the adapter would load it."""
    return parse_private_key(sandbox.client_key_path.read_text(), None, "the sandbox key file")
