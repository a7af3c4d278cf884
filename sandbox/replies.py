"""What every sandbox answer shares: who it is from and to, and its control numbers.

A clearinghouse answers the interchange's sender from the ID the file was addressed to,
in the same usage mode (test/production), with control numbers from its own sequences.
Each response kind (TA1, 999, 277CA, 835) then writes its body between these envelopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edi.x12.control import ControlNumberSource, control_key
from edi.x12.writer import Party, X12Writer


@dataclass(frozen=True, slots=True)
class Reply:
    """One file the sandbox puts in its outbound folder."""

    name: str
    data: bytes
    kind: str
    """``TA1``, ``999``, ``277CA`` or ``835``."""


@dataclass(frozen=True, slots=True)
class Route:
    """Sender and receiver of an answer, its usage indicator and creation time."""

    sender: Party
    receiver: Party
    usage: str
    created: datetime


def party(qualifier: str, ident: str, application_code: str | None = None) -> Party:
    return Party(qualifier or "ZZ", ident, application_code or ident)


def begin(
    writer: X12Writer,
    route: Route,
    controls: ControlNumberSource,
    functional_id: str | None = None,
    version: str | None = None,
    group_sender: str | None = None,
) -> None:
    """Open the ISA (and the GS when ``functional_id`` is given) with fresh control numbers.

    ``group_sender`` replaces GS02 (an 835's payer, for example); ISA14 is ``0`` because
    acknowledgments are never themselves acknowledged.
    """
    sender, receiver = route.sender, route.receiver
    isa13 = controls.allocate(control_key("ISA", sender.id, receiver.id))[0]
    writer.open_interchange(sender, receiver, isa13, route.created, route.usage, False)
    if functional_id is not None and version is not None:
        gs06 = controls.allocate(control_key("GS", sender.id, receiver.id))[0]
        gs_sender = Party(sender.qualifier, sender.id, group_sender or sender.application_code)
        writer.open_group(functional_id, gs_sender, receiver, gs06, route.created, version)


def finish(writer: X12Writer, with_group: bool = True) -> bytes:
    if with_group:
        writer.close_group()
    writer.close_interchange()
    return writer.getvalue().encode("ascii")
