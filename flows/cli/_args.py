"""Argument types shared by the commands: mistakes in them are one line naming the option,
before any work starts."""

from __future__ import annotations

import argparse
from pathlib import Path


def output_folder(text: str) -> Path:
    """An ``--out`` folder: created when missing, refused when it names something else.

    Checked while parsing, so the mistake is one line naming ``--out`` before any work.
    """
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("give a folder (it is created if missing)")
    for part in (path, *path.parents):
        if part.exists() and not part.is_dir():
            raise argparse.ArgumentTypeError(
                f"{part} is a file, not a folder; give a folder (it is created if missing)"
            )
    return path


def ledger_url(text: str) -> str:
    """A ``--ledger`` SQLAlchemy URL whose database driver is installed.  The message
    names the scheme only: a URL may hold a password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    example = "e.g. sqlite:///claims-data/ledger.sqlite or postgresql+psycopg://user@host/db"
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise argparse.ArgumentTypeError(f"not a database URL; {example}") from None
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise argparse.ArgumentTypeError(
            f"no database driver for {url.drivername!r}; {example}"
        ) from None
    return text


def ledger_or_default(given: str | None) -> str:
    """``--ledger`` when given, else the flows' ledger: ``CLAIMS_LEDGER_URL``, or SQLite
    in ``CLAIMS_DATA_DIR`` (see :class:`flows.settings.Settings`)."""
    if given is not None:
        return given
    from flows.settings import Settings

    try:
        return ledger_url(Settings().ledger)
    except argparse.ArgumentTypeError as exc:
        raise ValueError(f"CLAIMS_LEDGER_URL: {exc}") from None
