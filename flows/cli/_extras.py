"""The optional parts of the install a command needs, checked before it imports them.

``claims demo`` and ``claims sandbox`` run servers that a production worker never needs
(moto's S3, the sandbox's SFTP server); they come with ``pip install 'claims-pipeline[demo]'``.
Without them the command says so in one line instead of a traceback from deep inside.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec

DEMO_MODULES = ("moto", "flask", "flask_cors", "asyncssh", "rich")
"""The top-level modules the ``demo`` extra of pyproject.toml installs."""


def require_demo_extra(command: str) -> None:
    """Exit with status 2 and the install line when the demo extra is not installed."""
    missing = [name for name in DEMO_MODULES if find_spec(name) is None]
    if missing:
        print(
            f"claims {command}: needs the demo extra (missing: {', '.join(missing)}); "
            "install it with: pip install 'claims-pipeline[demo]' (or -e '.[demo]' in a clone)",
            file=sys.stderr,
        )
        raise SystemExit(2)
