"""The sandbox clearinghouse for the eligibility pass tests."""

from tests.sandbox.running import sandbox, sandbox_key

__all__ = ["sandbox", "sandbox_key"]
