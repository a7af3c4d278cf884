"""Every ``claims ... --help`` reads as plain words, and says what the command does."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from flows.cli import build_parser, main
from sandbox.demo import FIRST_NIGHT_DAYS_AGO, _night_encounters

MARKUP = re.compile(r"``|:[a-z]+:`|`[^`\s]+`")


def parsers(
    parser: argparse.ArgumentParser, name: str = "claims"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                yield from parsers(sub, f"{name} {command}")


def test_no_help_text_shows_rest_markup() -> None:
    seen = dict(parsers(build_parser()))
    assert {"claims demo", "claims worklist build", "claims parse"} <= set(seen)
    for name, parser in seen.items():
        text = parser.format_help()
        assert not MARKUP.search(text), f"{name} --help: {MARKUP.search(text)[0]!r}"


def test_help_is_what_argparse_prints(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["worklist", "--help"])
    out = capsys.readouterr().out
    assert "claims worklist build and claims worklist import" in out
    assert not MARKUP.search(out)


def test_demo_help_says_when_the_first_night_is() -> None:
    text = " ".join(dict(parsers(build_parser()))["claims demo"].format_help().split())
    assert FIRST_NIGHT_DAYS_AGO == 6
    assert "The first run is a week back" in text
    assert "The first run is yesterday" not in text


def test_the_readme_sample_is_a_run_with_the_defaults() -> None:
    """The README's sample output shows what ``claims demo`` does with no options."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    shown = re.search(r"encounters read +│ (\d+)", readme)
    demo = dict(parsers(build_parser()))["claims demo"]
    night = re.search(r"Night of (\S+) \(run 1 on this folder\)", readme)
    made = re.search(r"on (\d{4}-\d\d-\d\d) \(so the night is a week back\)", readme)
    assert shown and night and made
    first = date.fromisoformat(made[1]) - timedelta(days=1 + FIRST_NIGHT_DAYS_AGO)
    assert date.fromisoformat(night[1]) == first
    # the default count of visits, and the FQHC's Medicare visits among them (issue 17)
    assert int(shown[1]) == len(_night_encounters(first, demo.get_default("count"), 1))


def test_a_command_alone_parses_and_helps_as_with_every_command() -> None:
    """``claims X ...`` builds only X's parser (a start-up saving): same help, same errors."""
    every = dict(parsers(build_parser()))
    for command in [name.split()[1] for name in every if name.count(" ") == 1]:
        alone = dict(parsers(build_parser(command)))
        assert set(alone) == {"claims"} | {n for n in every if n.split()[1:2] == [command]}
        for name, parser in alone.items():
            if name != "claims":
                assert parser.format_help() == every[name].format_help()
                assert parser.format_usage() == every[name].format_usage()
    assert set(dict(parsers(build_parser("no-such-command")))) == set(every)
