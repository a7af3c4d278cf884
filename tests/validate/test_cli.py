"""``claims validate``: the guide engine by default, pyx12 on request, the same verdict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.cli import main
from tests.validate.conftest import built_837p

_DAMAGE = [
    ("DTP*472*D8*", "DTP*472*DX*"),  # IK403 7
    ("\nN3*", "\nN3X*"),  # IK304 1
    ("\nSE*", "\nSE*9"),  # IK502 4
]


@pytest.mark.parametrize(("old", "new"), _DAMAGE)
def test_both_engines_give_the_same_report_and_999(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str
) -> None:
    path = tmp_path / "night.837"
    path.write_text(built_837p(2).decode("ascii").replace(old, new, 1), encoding="ascii")
    outputs, acks = [], []
    for engine in ("guide", "pyx12"):
        folder = tmp_path / engine
        args = ["validate", str(path), "--today", "2026-11-27", "--format", "json"]
        code = main([*args, "--ack", str(folder), "--engine", engine])
        assert code == 1
        outputs.append(capsys.readouterr().out)
        # the 999's own envelope carries the time it was written: compare the rest
        acks.append(
            re.sub(
                r"\*\d{6}\*\d{4}\*|\*\d{8}\*\d{4}\*", "*", (folder / "night.837.999").read_text()
            )
        )
    assert outputs[0] == outputs[1]
    assert acks[0] == acks[1]
    assert "*R*" in acks[0] or "IK5*R" in acks[0]


def test_engine_is_the_default_and_pyx12_a_choice(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    help_text = capsys.readouterr().out
    assert "--engine {guide,pyx12}" in help_text


def test_files_judged_side_by_side_report_as_one_by_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes (for large batches) change nothing in the report or its order."""
    import flows.cli.validate as command

    paths = []
    for n, (old, new) in enumerate([("", ""), *_DAMAGE[:1]]):
        paths.append(tmp_path / f"file{n}.837")
        paths[-1].write_text(built_837p(2).decode("ascii").replace(old, new, 1), "ascii")
    args = ["validate", *map(str, paths), str(tmp_path / "gone.837"), "--today", "2026-11-27"]
    outputs = []
    for jobs, threshold in (("1", command.PARALLEL_BYTES), ("2", 0)):
        monkeypatch.setattr(command, "PARALLEL_BYTES", threshold)
        assert main([*args, "--jobs", jobs, "--format", "json"]) == 1
        outputs.append(capsys.readouterr())
    assert outputs[0].out == outputs[1].out and outputs[0].out.count("\n") == 2
    assert outputs[0].err == outputs[1].err and "gone.837" in outputs[1].err
