"""``claims sandbox`` in a real process: prints how to connect, serves, stops on Ctrl-C.

The process registers only this command (as flows.cli would) so that the test does not
pay for importing every other command.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

from flows.clearinghouse.credentials import parse_private_key
from flows.clearinghouse.sftp import SftpClearinghouse
from mappings.profiles import clearinghouse_profile

LAUNCH = """
import argparse, sys
from flows.cli import sandbox
parser = argparse.ArgumentParser(prog="claims")
sandbox.register(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
sys.exit(args.handler(args))
"""


def test_claims_sandbox_runs_until_interrupted(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "sandbox", "--root", str(tmp_path), "--port", "0",
         "--seed", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        text = "".join(lines)
        port = int(re.search(r"on 127\.0\.0\.1:(\d+)", text).group(1))
        host_key = re.search(r"host key \(pin as transport\.host_key\): (\S+ \S+)", text).group(1)
        key_path = Path(re.search(r"client key: (\S+)", text).group(1))
        assert "PRIVATE KEY" not in text
        transport = clearinghouse_profile("sandbox").transport.model_copy(
            update={"port": port, "host_key": host_key}
        )
        key = parse_private_key(key_path.read_text(), None, "sandbox key")
        with SftpClearinghouse(transport, private_key=key) as ch:
            assert ch.list_responses() == []
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "sandbox stopped" in out
