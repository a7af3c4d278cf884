"""The ``claims`` console script.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``; this module only discovers and dispatches them, so a new
command never needs an edit here.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from flows.runtime import quiet_third_party_warnings, tune_for_batches


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claims",
        description="Batch X12 837 claim processor: build, validate, submit, parse, work denials.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"{__name__}.{module.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; its return value is the exit code."""
    quiet_third_party_warnings()
    args = build_parser().parse_args(argv)
    tune_for_batches()
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
