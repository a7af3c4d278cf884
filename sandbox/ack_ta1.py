"""TA1: the answer to an interchange whose envelope cannot be accepted.

A clearinghouse that cannot trust the ISA/IEA (counts, control numbers, addressee, a
repeated ISA13, or bytes that are not X12 at all) rejects the whole file with a TA1 and
sends no 999: nothing inside an untrusted envelope is looked at.
"""

from __future__ import annotations

from edi.x12.control import ControlNumberSource
from edi.x12.writer import X12Writer
from sandbox.replies import Route, begin, finish

NOTE_CODES = {
    "001": "ISA13 and IEA02 do not match",
    "008": "the interchange is addressed to another receiver (ISA08)",
    "021": "IEA01 does not count the functional groups",
    "023": "the file ends before IEA",
    "024": "the file is not an X12 interchange",
    "025": "ISA13 was already received from this sender",
}
"""TA105 interchange note codes the sandbox uses, with what they mean for a biller."""


def build_ta1(
    route: Route,
    controls: ControlNumberSource,
    isa13: str,
    isa09: str,
    isa10: str,
    note_code: str,
) -> bytes:
    """A TA1 rejecting interchange ``isa13`` (dated ``isa09``/``isa10``) with ``note_code``."""
    writer = X12Writer(line_breaks=True)
    begin(writer, route, controls)
    writer.segment("TA1", isa13, isa09, isa10, "R", note_code)
    return finish(writer, with_group=False)
