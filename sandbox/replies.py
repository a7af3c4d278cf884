"""What the sandbox puts in its outbound folder, and whom it answers.

The envelope every answer shares (sender, receiver, control numbers) is written by
:mod:`edi.x12.reply`; this module holds only the sandbox's side of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from edi.x12.writer import Party


@dataclass(frozen=True, slots=True)
class Reply:
    """One file the sandbox puts in its outbound folder."""

    name: str
    data: bytes
    kind: str
    """``TA1``, ``999``, ``277CA``, ``835``, ``277`` (to a 276) or ``271`` (to a 270)."""


def answer_to(name: str, kind: str, data: bytes) -> Reply:
    """The answer to the inquiry file ``name``, named after it: ``000000001.276`` is
    answered by ``000000001.277``, so ops can pair them."""
    return Reply(f"{PurePosixPath(name).stem}.{kind}", data, kind)


def party(qualifier: str, ident: str, application_code: str | None = None) -> Party:
    """An answer's receiver: the ISA qualifier (``ZZ`` when blank) and ID, and its GS code."""
    return Party(qualifier or "ZZ", ident, application_code or ident)
