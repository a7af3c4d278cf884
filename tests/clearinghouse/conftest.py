from tests.clearinghouse.openssh import openssh
from tests.sandbox.running import sandbox, sandbox_key

__all__ = ["openssh", "sandbox", "sandbox_key"]
