"""The tables the worklists are built from, with the columns the classification reads.

Two kinds of input meet here:

* **Responses** (:class:`Responses`): what came back from the clearinghouse and payers,
  one tidy table per thing.  :func:`edi.worklists.adapt.from_response_tables` fills them
  from the parsers in :mod:`edi.responses`; tests may build them directly with
  :func:`frame`.
* **Claims context** (:data:`CONTEXT_COLUMNS`): one row per CLM01 with what the responses do
  not carry (patient, DOS, payer, rendering NPI, billed, when it was submitted, its
  envelope control numbers, when the payer last answered).  The patient name and member ID
  are PHI: they go into the billers' files and nowhere else.

Money is integer cents (``*_cents``); dates are :class:`datetime.date`; codes are strings.
Optional columns may be missing or null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from edi.responses.plb import LINK_COLUMNS

REMIT_COLUMNS = (
    "file",  # 835 file name
    "trn02",  # check/EFT trace number (TRN02): the remittance's ID
    "remit_date",  # BPR16 payment date, else the production date (DTM*405)
    "seq",  # order of the CLP in the file (0-based); with file, identifies the CLP
    "clm01",
    "status",  # CLP02: 1/2/3 processed, 4 denied, 19-23 forwarded, 22 reversal
    "adjustment_kind",  # 'original', 'reversal' or 'correction', as the 835 reader tells them
    "billed_cents",  # CLP03
    "paid_cents",  # CLP04
    "patient_resp_cents",  # CLP05
    "payer_claim_number",  # CLP07
    "payer_id",  # N1*PR / REF*2U, when known
    "payer_name",
)
LINE_COLUMNS = (
    "file",
    "seq",  # the CLP's seq
    "line_no",  # 1-based SVC position within the CLP
    "line_ref",  # REF*6R: echoes our REF*6R line control number
    "procedure_code",
    "revenue_code",  # an 837I line's: SVC04, else SVC01-2 of an NU line; null on an 837P
    "modifiers",  # "25|59"
    "units",  # SVC05 (or SVC07), text
    "billed_cents",
    "paid_cents",
    "allowed_cents",  # AMT*B6, when sent
    "service_date",
)
ADJUSTMENT_COLUMNS = (
    "file",
    "seq",
    "line_no",  # null for claim-level CAS
    "group",  # CO PR OA PI CR
    "carc",
    "amount_cents",
)
REMARK_COLUMNS = ("file", "seq", "line_no", "rarc")  # line_no null: claim-level (MOA/MIA)
STATUS_COLUMNS = (
    "file",
    "status_date",  # STC02, else the file's BHT04
    "clm01",
    "payer_claim_number",  # REF*1K
    "category",  # STC01-1: A1/A2 accepted, A3/A6/A7/A8 rejected …
    "code",  # STC01-2: claim status code
    "entity",  # STC01-3
    "level",  # 'claim', 'line', 'provider' (2200C) or 'receiver' (2200B); null means claim
    "provider_id",  # 2100C NM109: the billing provider NPI the status sits under
    "batch_trace",  # 2200B TRN02: the batch (our BHT03)
    "line_ref",  # REF*FJ of a line-level status
    "procedure_code",  # SVC01-2 of a line-level status
    "status_kind",  # '277CA' (X214 acknowledgment) or '277' (X212 answer to a 276)
)
ACK_COLUMNS = (
    "file",
    "ack_date",
    "gs06",  # AK1-02: the group control number of our 837
    "st02",  # AK2-02: the transaction set control number; null for group-level (AK9)
    "status",  # IK5-01 / AK9-01: A accepted, E accepted with errors, R/M/W/X rejected
    "errors",  # codes as text, e.g. "IK3 NM1 8; IK4 NM109 7"
)
TA1_COLUMNS = ("file", "ack_date", "isa13", "ack_code", "note_code")  # TA104 A/E/R, TA105
PLB_COLUMNS = LINK_COLUMNS  # claim-level 835 PLBs and the claim each names (edi.responses.plb)

CONTEXT_COLUMNS = (
    "clm01",
    "patient_name",  # PHI
    "member_id",  # PHI
    "dos",  # first date of service
    "payer_id",
    "payer_name",
    "claim_filing_indicator",  # SBR09: MB/MA mean Medicare deadlines
    "rendering_npi",
    "type_of_bill",  # an 837I's (0771); null for an 837P
    "billed_cents",
    "submitted_on",  # date the latest generation was uploaded
    "frequency_code",  # of the latest generation: 1, 7, 8
    "original_payer_claim_number",  # REF*F8 of a corrected claim
    "isa13",
    "gs06",
    "st02",
    "accepted_on",  # latest 277CA acceptance known to the ledger: proof of timely filing
    "responded_on",  # latest 277CA, 835 or rejection known to the ledger; null if none
    "adjudicated_on",  # latest 835 (payment, denial, reversal) known to the ledger
    "rejected_on",  # latest 999/TA1/277CA rejection of this generation known to the ledger
    "last_evidence",  # the latest answer short of an 835, e.g. "277CA accepted 2026-10-05"
)

REJECTED_277CA = frozenset({"A3", "A6", "A7", "A8"})
ACCEPTED_277CA = frozenset({"A1", "A2"})
REJECTED_ACK = frozenset({"R", "M", "W", "X"})
DENIED_CLAIM = "4"


def frame(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A table with exactly ``columns`` (missing ones null), in that order."""
    df = pd.DataFrame(list(rows))
    for column in columns:
        if column not in df.columns:
            df[column] = None
    return df[list(columns)]


@dataclass(frozen=True)
class Responses:
    """Everything that came back, as tables; an empty table means none of that kind."""

    remits: pd.DataFrame = field(default_factory=lambda: frame([], REMIT_COLUMNS))
    lines: pd.DataFrame = field(default_factory=lambda: frame([], LINE_COLUMNS))
    adjustments: pd.DataFrame = field(default_factory=lambda: frame([], ADJUSTMENT_COLUMNS))
    remarks: pd.DataFrame = field(default_factory=lambda: frame([], REMARK_COLUMNS))
    statuses: pd.DataFrame = field(default_factory=lambda: frame([], STATUS_COLUMNS))
    acks: pd.DataFrame = field(default_factory=lambda: frame([], ACK_COLUMNS))
    ta1: pd.DataFrame = field(default_factory=lambda: frame([], TA1_COLUMNS))
    plbs: pd.DataFrame = field(default_factory=lambda: frame([], PLB_COLUMNS))

    def __post_init__(self) -> None:
        for f in fields(self):
            columns = _COLUMNS[f.name]
            table = getattr(self, f.name)
            missing = [c for c in columns if c not in table.columns]
            if missing:
                raise ValueError(f"responses.{f.name} lacks columns {missing}")
            object.__setattr__(self, f.name, table[list(columns)])


_COLUMNS = {
    "remits": REMIT_COLUMNS,
    "lines": LINE_COLUMNS,
    "adjustments": ADJUSTMENT_COLUMNS,
    "remarks": REMARK_COLUMNS,
    "statuses": STATUS_COLUMNS,
    "acks": ACK_COLUMNS,
    "ta1": TA1_COLUMNS,
    "plbs": PLB_COLUMNS,
}


def context_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A claims context with every column of :data:`CONTEXT_COLUMNS`, CLM01 upper-cased."""
    df = frame(rows, CONTEXT_COLUMNS)
    df["clm01"] = df["clm01"].astype(str).str.upper()
    return df.drop_duplicates("clm01", keep="last").reset_index(drop=True)
