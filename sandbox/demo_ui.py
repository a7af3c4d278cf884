"""``claims demo --ui``: the demo's night through a local Prefect server, kept up.

A Prefect server on 127.0.0.1 (its database in the data folder), the deployments of
``prefect.yaml``, a process worker on the ``process`` pool, and the embedded S3 and
clearinghouse.  The night's ``nightly-submission`` and then ``ingest-responses`` are
started as deployment runs, so their logs and artifacts are in the UI; ops' Retry works
as in production.  With ``fail_once`` the first upload fails after its interchange is
recorded (``CLAIMS_FAULT=after_record``), so Retry has something to show.

Ctrl-C and SIGTERM stop it the same way, at any moment, start-up included: each child (the
server, the worker) runs in a process group of its own, and the whole group is stopped,
so nothing it started outlives the demo.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console

from flows.project import PROJECT
from sandbox.demo import BUCKET, _export, _night_encounters, local_services


def _wait_healthy(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"the Prefect server at {url} did not become healthy in {seconds:.0f} s")


GRACE_SECONDS = 20.0
"""How long the server and the worker get to stop before they are killed."""


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _start(command: list[str], **popen: object) -> subprocess.Popen:
    """A child in a process group of its own, so :func:`_stop` reaches what it starts."""
    return subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        **popen,
    )


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _group_alive(child: subprocess.Popen) -> bool:
    child.poll()  # reap the leader, so a finished leader does not count
    try:
        os.killpg(child.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(children: list[subprocess.Popen]) -> None:
    """SIGTERM every child's group, wait up to :data:`GRACE_SECONDS`, then SIGKILL."""
    for child in reversed(children):
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in reversed(children):
        while _group_alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        _signal_group(child, signal.SIGKILL)
        child.wait()


def _prefect(*args: str) -> subprocess.CompletedProcess:
    prefect = str(Path(sys.executable).with_name("prefect"))
    return subprocess.run(
        [prefect, "--no-prompt", *args], cwd=PROJECT, capture_output=True, text=True, check=False
    )


def run_ui(data_dir: Path, count: int, port: int, fail_once: bool, console: Console) -> int:
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    api = f"http://127.0.0.1:{port}/api"
    os.environ.update(
        {
            "PREFECT_HOME": str(data_dir / "prefect"),
            "PREFECT_API_URL": api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(port),
        }
    )
    if fail_once:
        os.environ["CLAIMS_FAULT"] = "after_record"
        os.environ["CLAIMS_FAULT_ONCE"] = str(data_dir / "fail-once.done")
    prefect = str(Path(sys.executable).with_name("prefect"))
    children: list[subprocess.Popen] = []
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with local_services(data_dir) as (store, sandbox):
            children.append(
                _start([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)])
            )
            with console.status("starting the Prefect server…"):
                _wait_healthy(api)
            _prefect("work-pool", "create", "process", "--type", "process")
            deployed = _prefect("deploy", "--all")
            if deployed.returncode != 0:
                console.print(deployed.stdout[-2000:], deployed.stderr[-2000:])
                return 2
            children.append(_start([prefect, "worker", "start", "--pool", "process"], cwd=PROJECT))
            night = date.today() - timedelta(days=1)
            _export(store, night, _night_encounters(night, count, int(time.time()) % 1000))
            _prefect(
                "deployment",
                "run",
                "nightly-submission/nightly-submission",
                "--param",
                f"business_date={night.isoformat()}",
            )
            _prefect("deployment", "run", "ingest-responses/ingest-responses")
            console.print(f"[bold]Prefect UI:[/] http://127.0.0.1:{port}  (Ctrl-C to stop)")
            console.print(
                f"encounters for {night} are in s3://{BUCKET}/encounters/{night}/; "
                "the worker runs nightly-submission, then ingest-responses"
            )
            if fail_once:
                console.print(
                    "the first upload failed on purpose: press Retry on that "
                    "nightly-submission run, then Run on ingest-responses"
                )
            console.print(f"clearinghouse (sandbox) on 127.0.0.1:{sandbox.port}")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut this short
        _stop(children)
        signal.signal(signal.SIGTERM, previous)
    return 0
