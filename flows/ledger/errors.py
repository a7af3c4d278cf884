"""Ledger errors; messages carry IDs (CLM01, ISA13, file names) only, never PHI."""

from __future__ import annotations

from collections.abc import Sequence


class LedgerError(RuntimeError):
    """Something the ledger refuses; the message says what and what to do."""


class ClaimsAlreadyRecorded(LedgerError):
    """Another run put some of these claims into an interchange first; nothing was recorded.

    The caller discards its built interchange (its control numbers stay unused, which is
    allowed) and, if it still has claims to send, builds again from a fresh admission.
    """

    def __init__(self, clm01s: Sequence[str]) -> None:
        self.clm01s = tuple(clm01s)
        shown = ", ".join(self.clm01s[:10]) + (" …" if len(self.clm01s) > 10 else "")
        super().__init__(
            f"{len(self.clm01s)} claim(s) are no longer waiting to be built ({shown}); "
            "another run recorded them first. Discard this interchange and admit again."
        )


class UnknownClaims(LedgerError):
    def __init__(self, keys: Sequence[tuple[str, int]]) -> None:
        self.keys = tuple(keys)
        shown = ", ".join(f"{clm01}#{generation}" for clm01, generation in self.keys[:10])
        super().__init__(
            f"{len(self.keys)} claim generation(s) were never admitted ({shown}); "
            "admit claims before recording an interchange"
        )


class UnknownInterchange(LedgerError):
    def __init__(self, interchange_id: int) -> None:
        self.interchange_id = interchange_id
        super().__init__(f"no interchange with id {interchange_id} in the ledger")
