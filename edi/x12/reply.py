"""The envelope of an answer: who it is from and to, and fresh control numbers.

A clearinghouse or payer answers an interchange's sender from the ID the file was
addressed to, in the same usage mode (test/production), with control numbers from its
own sequences.  Each response kind (TA1, 999, 277CA, 835) writes its body between these
envelopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edi.x12.control import ControlNumberSource, control_key
from edi.x12.writer import Party, X12Writer


@dataclass(frozen=True, slots=True)
class Route:
    """Sender and receiver of an answer, its usage indicator and creation time."""

    sender: Party
    receiver: Party
    usage: str
    created: datetime


def open_reply(writer: X12Writer, route: Route, controls: ControlNumberSource) -> None:
    """Open the ISA with a fresh ISA13; ISA14 is ``0``: answers are not acknowledged."""
    isa13 = controls.allocate(control_key("ISA", route.sender.id, route.receiver.id))[0]
    writer.open_interchange(route.sender, route.receiver, isa13, route.created, route.usage,
                            ack_requested=False)  # fmt: skip


def open_reply_group(
    writer: X12Writer,
    route: Route,
    controls: ControlNumberSource,
    functional_id: str,
    version: str,
    group_sender: str | None = None,
) -> None:
    """Open a GS with a fresh GS06; ``group_sender`` replaces GS02 (an 835's payer)."""
    sender, receiver = route.sender, route.receiver
    gs06 = controls.allocate(control_key("GS", sender.id, receiver.id))[0]
    gs_sender = Party(sender.qualifier, sender.id, group_sender or sender.application_code)
    writer.open_group(functional_id, gs_sender, receiver, gs06, route.created, version)


def close_reply(writer: X12Writer, with_group: bool = True) -> str:
    """Close the GS (when one was opened) and the ISA; the answer's text."""
    if with_group:
        writer.close_group()
    writer.close_interchange()
    return writer.getvalue()
