"""``claims --help`` starts without the pipeline's heavy imports and says nothing on stderr.

Each command module registers its arguments only; the handler imports its work.  The start
time itself is measured (``python -X importtime``, ``time claims --help``), never asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import _extras

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "pydantic",
    "pyx12",
    "simple_icd_10_cm",
    "prefect",
    "sqlalchemy",
    "alembic",
    "boto3",
    "paramiko",
    "asyncssh",
    "moto",
    "rich",
    "openpyxl",
)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_help_imports_nothing_heavy_and_is_silent() -> None:
    done = run_python(
        "import sys\n"
        "from flows.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        f"    print('loaded:', *sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    assert done.stderr == ""
    assert "validate" in done.stdout and "worklist" in done.stdout
    assert done.stdout.rstrip().endswith("loaded:")


@pytest.mark.parametrize("command", ["build", "validate", "parse", "worklist", "demo", "sandbox"])
def test_each_command_help_is_silent(command: str) -> None:
    done = run_python(f"from flows.cli import main\nmain([{command!r}, '--help'])")
    assert done.returncode == 0
    assert done.stderr == ""
    assert f"usage: claims {command}" in done.stdout


def test_demo_commands_name_the_missing_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_extras, "DEMO_MODULES", ("moto", "claims_no_such_module"))
    with pytest.raises(SystemExit) as exit_:
        _extras.require_demo_extra("demo")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "missing: claims_no_such_module" in err and "moto" not in err.split("missing:")[1]
    assert "pip install 'claims-pipeline[demo]'" in err


def test_validate_reads_a_file_without_pandas() -> None:
    """``claims validate`` reads files through the columnar reader (Arrow, NumPy), whose
    conversions can drag pandas in; its start-up should not pay for pandas."""
    golden = ROOT / "tests" / "claims" / "golden" / "837p-edge-and-synthetic.x12"
    done = run_python(
        "import contextlib, io, sys\n"
        "from flows.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['validate', {str(golden)!r}, '--today', '2026-11-27'])\n"
        "print(code, 'pandas' in sys.modules)\n"
    )
    assert done.stdout.split() == ["1", "False"]  # the golden file has rejected claims


def test_a_command_imports_only_its_own_module() -> None:
    done = run_python(
        "import sys\n"
        "from flows.cli import build_parser\n"
        "build_parser('schema').parse_args(['schema'])\n"
        "print(*sorted(m for m in sys.modules if m.startswith('flows.cli.')))\n"
    )
    assert done.stdout.split() == ["flows.cli.schema"]
