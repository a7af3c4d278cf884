"""What goes wrong around a command is one line on stderr with its exit code, never a
traceback: a missing or unreachable ledger, a closed pipe, Ctrl-C, ``--out`` naming a file."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from flows.cli import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_UNAVAILABLE, main
from sandbox.synthetic import encounters

PROJECT = Path(__file__).resolve().parents[2]


def claims(*args: str, **popen: object) -> subprocess.Popen:
    """The console script in a child process, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    code = "from flows.cli import console; console()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stderr=subprocess.PIPE, text=True, **popen
    )


def one_line_error(err: str, *words: str) -> None:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err


@pytest.fixture
def closing_server() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and closes them at once, as a
    database going down does."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


def encounter_file(folder: Path) -> Path:
    path = folder / "night.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in encounters(3, date(2026, 11, 2), seed=1)))
    return path


def test_worklist_commands_use_the_flows_ledger_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLAIMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CLAIMS_LEDGER_URL", raising=False)
    assert main(["worklist", "build", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "data" / "ledger.sqlite").is_file()
    edits = tmp_path / "edits.csv"
    edits.write_text("item_id,status\n")
    assert main(["worklist", "import", str(edits)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("down", ["refused", "closes"])
def test_a_database_that_is_down_is_one_line(down, tmp_path, closing_server, capsys):
    port = free_port() if down == "refused" else closing_server
    url = f"postgresql+psycopg://claims@127.0.0.1:{port}/claims?connect_timeout=5"
    edits = tmp_path / "edits.csv"
    edits.write_text("item_id,status\n")
    for argv in (
        ["worklist", "build", "--out", str(tmp_path / "out"), "--ledger", url],
        ["worklist", "import", str(edits), "--ledger", url],
        ["build", str(encounter_file(tmp_path)), "--out", str(tmp_path / "b"), "--ledger", url],
    ):
        assert main(argv) == EXIT_UNAVAILABLE, argv
        one_line_error(capsys.readouterr().err, f"claims {argv[0]}", "ledger database", "--ledger")


def test_s3_that_is_down_is_one_line(tmp_path, monkeypatch, sqlite_url, capsys):
    monkeypatch.setenv("CLAIMS_S3_BUCKET", "claims-down")
    monkeypatch.setenv("CLAIMS_S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("CLAIMS_S3_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    argv = ["worklist", "build", "--out", str(tmp_path / "out"), "--ledger", sqlite_url, "--s3"]
    assert main(argv) == EXIT_UNAVAILABLE
    one_line_error(capsys.readouterr().err, "claims worklist build", "S3")


def test_a_ledger_url_that_is_not_one_is_refused_before_work(tmp_path, monkeypatch, capsys):
    for url, why in (("nope://u:s3cret@h/x", "no database driver for 'nope'"),
                     ("not a url s3cret", "not a database URL")):  # fmt: skip
        with pytest.raises(SystemExit) as stop:
            main(["worklist", "build", "--out", str(tmp_path / "out"), "--ledger", url])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert f"argument --ledger: {why}" in err and "s3cret" not in err
    monkeypatch.setenv("CLAIMS_LEDGER_URL", "nope://x")
    assert main(["worklist", "build", "--out", str(tmp_path / "out")]) == 2
    one_line_error(capsys.readouterr().err, "CLAIMS_LEDGER_URL", "no database driver")
    blocked = tmp_path / "afile"
    blocked.write_text("")
    url = f"sqlite:///{blocked}/ledger.sqlite"
    assert main(["worklist", "build", "--out", str(tmp_path / "out"), "--ledger", url]) == 2
    one_line_error(capsys.readouterr().err, str(blocked), "folder")


@pytest.mark.parametrize("command", ["worklist build", "build night.jsonl", "parse x.835"])
def test_out_naming_a_file_is_refused(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("taken").write_text("keep me")
    with pytest.raises(SystemExit) as stop:
        main([*command.split(), "--out", "taken/sub"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "argument --out: taken is a file, not a folder" in err and "Traceback" not in err
    assert Path("taken").read_text() == "keep me"


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    child = claims("schema", stdout=subprocess.PIPE)
    child.stdout.close()  # like `| head -0`: gone before the first line
    _, err = child.communicate(timeout=120)
    assert child.returncode == EXIT_BROKEN_PIPE
    assert err == ""


def test_ctrl_c_is_one_line(tmp_path):
    fifo = tmp_path / "waiting.835"
    os.mkfifo(fifo)  # opening it blocks until a writer comes: the command is mid-run
    child = claims("parse", str(fifo), "--out", str(tmp_path / "out"), stdout=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _waits_on(child.pid, fifo):
        time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == EXIT_INTERRUPTED
    one_line_error(err, "claims parse: interrupted")


def _waits_on(pid: int, fifo: Path) -> bool:
    """Whether process ``pid`` is blocked in the kernel opening a FIFO (``fifo``)."""
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return f.read().strip() in {"fifo_open", "wait_for_partner"}
    except OSError:
        return False


def test_validate_ends_at_once_with_all_its_output(tmp_path, capsys):
    """``claims validate`` leaves the process without freeing what it holds
    (:func:`flows.cli.console`): all it prints still arrives through a pipe, with the exit
    code it returns in process, and a reader that stops early is no error either."""
    source = tmp_path / "night.jsonl"
    night = encounters(30, date(2026, 11, 26), seed=3)
    source.write_text("".join(json.dumps(e) + "\n" for e in night))
    folder = tmp_path / "built"
    main(["build", str(source), "--out", str(folder)])
    files = [str(p) for p in sorted(folder.glob("*.x12"))]
    args = ["validate", *files, "--today", "2026-11-27", "--format", "json"]
    capsys.readouterr()
    code = main(args)
    expected = capsys.readouterr().out
    assert [json.loads(line)["file"] for line in expected.splitlines()] == files
    child = claims(*args, stdout=subprocess.PIPE)
    out, err = child.communicate(timeout=120)
    assert (out, err, child.returncode) == (expected, "", code)
    child = claims(*args, stdout=subprocess.PIPE)
    child.stdout.close()
    _, err = child.communicate(timeout=120)
    assert child.returncode == EXIT_BROKEN_PIPE and err == ""
