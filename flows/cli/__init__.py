"""The ``claims`` console script.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``; this module only discovers and dispatches them, so a new
command never needs an edit here.

It also turns what goes wrong around a command, not in it, into one line on stderr:
a database or S3 that cannot be reached (exit 3, run again when it is back), S3 or the
file system refusing (exit 2: a missing bucket, a full disk, no permission), Ctrl-C
(exit 130), and a reader that stopped early, as ``claims parse ... | head`` does (exit
141 in silence, as a command killed by SIGPIPE).  Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from flows.runtime import quiet_third_party_warnings, tune_for_batches

EXIT_UNUSABLE = 2
EXIT_UNAVAILABLE = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; given the ``command`` about to run, the parser of that
    one alone when the module of its name registers it.

    A run needs only its own command's options, and importing every command module and
    building every sub-parser costs about 25 ms of each start.  Anything else (``--help``,
    a mistyped command) gets the whole parser, so help and errors list every command."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    if command in names:
        parser = _parser([command])
        if command in _commands(parser):
            return parser
    return _parser(names)


def _parser(modules: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claims",
        description="Batch X12 837 claim processor: build, validate, submit, parse, work denials.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in modules:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    _plain_help(parser)
    return parser


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-parsers of ``parser``, by command name."""
    return next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))


_REST = re.compile(r"(?::[a-z]+)+:`(~?)([^`]+)`|``([^`]+)``|`([^`]+)`")
"""reST roles (:func:`x`, :mod:`~a.b`) and literals (``x``, `x`) in docstrings."""


def plain_words(text: str) -> str:
    """Docstring text as a terminal shows it: ``claims build`` becomes claims build, and
    :func:`~flows.x.f` becomes f, as Sphinx would show it."""

    def plain(match: re.Match[str]) -> str:
        short, target, literal, quoted = match.groups()
        if target is None:
            return literal or quoted
        return target.rsplit(".", 1)[-1] if short else target

    return _REST.sub(plain, text)


def _plain_help(parser: argparse.ArgumentParser) -> None:
    """Commands use their module docstring as help; show it without reST markup."""
    if parser.description:
        parser.description = plain_words(parser.description)
    if parser.epilog:
        parser.epilog = plain_words(parser.epilog)
    for action in parser._actions:
        if action.help:
            action.help = plain_words(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = plain_words(choice.help or "")
            for sub in action.choices.values():
                _plain_help(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; its return value is the exit code."""
    return _run(argv)[0]


def console() -> NoReturn:
    """The ``claims`` script: :func:`main` on the command line, then exit.

    A command that leaves nothing to clean up (``quick_exit=True`` among its parser's
    defaults: no thread, pool, temporary file or connection outlives its handler) ends
    the process as soon as its output is flushed.  Freeing what a large run holds (code
    sets, guides, memos) one object at a time costs CPython about 0.14 s of CPU at exit
    after ``claims validate`` on a night's files, for a process about to end; mypy exits
    the same way."""
    code, quick = _run(None)
    if quick:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: the usual exit reports nothing more either
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


def _run(argv: Sequence[str] | None) -> tuple[int, bool]:
    """The exit code, and whether the process may end at once (see :func:`console`): only
    after the handler returned, since an interrupted one may leave a pool's workers."""
    quiet_third_party_warnings()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    tune_for_batches()
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code, bool(getattr(args, "quick_exit", False))
    except BrokenPipeError:
        # Python's documented recipe: point stdout at devnull so the exit flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE, False
    except KeyboardInterrupt:
        print(f"{_name(args)}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED, False
    except Exception as exc:
        failure = outside_failure(exc)
        if failure is None:
            raise
        code, message = failure
        print(f"{_name(args)}: {message}", file=sys.stderr)
        return code, False


def _name(args: argparse.Namespace) -> str:
    """``claims worklist build``: the command and its action (``dest="NAME_command"``)."""
    action = getattr(args, f"{args.command}_command", None)
    return " ".join(("claims", args.command, *([action] if action else [])))


def outside_failure(exc: Exception) -> tuple[int, str] | None:
    """Exit code and one-line message for a failure of the world around the command
    (database, S3, file system), or ``None`` for a bug.  Messages carry no SQL or values."""
    sql = sys.modules.get("sqlalchemy.exc")  # loaded only if a command used the ledger
    if sql is not None and isinstance(exc, sql.OperationalError | sql.InterfaceError):
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return EXIT_UNAVAILABLE, (
            f"the ledger database could not be reached ({reason}); check --ledger or "
            "CLAIMS_LEDGER_URL, and run again when it is up"
        )
    s3 = sys.modules.get("flows.s3.store")
    if s3 is not None and isinstance(exc, s3.S3Unavailable):
        return EXIT_UNAVAILABLE, str(exc)  # it names the endpoint and says to rerun
    if s3 is not None and isinstance(exc, s3.S3Error):
        return EXIT_UNUSABLE, str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename:
        return EXIT_UNUSABLE, f"{exc.filename}: a file is where a folder is needed"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return EXIT_UNUSABLE, f"{where}{(exc.strerror or str(exc)).lower()}"
    return None


if __name__ == "__main__":
    sys.exit(main())
