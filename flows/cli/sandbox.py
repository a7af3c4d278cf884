"""``claims sandbox``: run the sandbox clearinghouse in the foreground until Ctrl-C.

It prints what a client needs to connect (port, host key to pin, path of the client
key, the folders) and never the private key itself.  See :mod:`sandbox.server`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import tempfile
import threading
from pathlib import Path

from flows.cli._extras import require_demo_extra

DEFAULT_ROOT = Path(tempfile.gettempdir()) / "claims-sandbox"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local clearinghouse (SFTP on 127.0.0.1) that answers 837s",
        description=(
            "Run the sandbox clearinghouse until Ctrl-C: an SFTP server on 127.0.0.1 that "
            "answers each 837 uploaded to its inbound folder with a TA1 or 999, a 277CA and "
            "835s, deterministically for a given seed."
        ),
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=DEFAULT_ROOT,
        help=f"folder for keys, files and state (default {DEFAULT_ROOT})",
    )
    parser.add_argument("--port", type=int, default=2222, help="port (0: any free port)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the payers' decisions")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    require_demo_extra("sandbox")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    from sandbox.server import SandboxClearinghouse

    sandbox = SandboxClearinghouse(args.root, port=args.port, seed=args.seed)
    with sandbox:
        transport = sandbox.transport()
        print(f"sandbox clearinghouse on {sandbox.host}:{sandbox.port} (seed {args.seed})")
        print(f"host key (pin as transport.host_key): {sandbox.host_key_line}")
        print(f"client key: {sandbox.client_key_path} (user {transport.username})")
        print(f"  export {transport.private_key_env}={sandbox.client_key_path}")
        print(f"folders under {sandbox.sftp_root}:")
        print(f"  upload to {transport.inbound_dir}/, responses in {transport.outbound_dir}/,")
        print(f"  files taken listed in {transport.received_dir}/")
        print("Ctrl-C to stop", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
    print("sandbox stopped", flush=True)
    return 0
