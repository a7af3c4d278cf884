"""Real files are messy; none of it may lose a claim or change a total."""

from __future__ import annotations

import pandas as pd

from edi.responses import parse_any
from edi.x12.delimiters import Delimiters
from tests.responses.build import Cas, Claim, Line, Plb, remit
from tests.responses.plain import claim_money, tables_money

CLAIMS = [
    Claim("ENC-1", charge="150.00", paid="100.00", patient_resp="20.00", lines=[
        Line(charge="150.00", paid="100.00",
             adjustments=[Cas("CO", "45", "30.00"), Cas("PR", "2", "20.00")]),
    ]),
    Claim("ENC-2", "4", charge="80.00", paid="0", adjustments=[Cas("CO", "29", "80.00")]),
    Claim("ENC-3", status="22", charge="-40.00", paid="-40.00"),
]  # fmt: skip
KEY = ["clm01", "claim_status", "charge_cents", "paid_cents", "adjustments_cents", "balanced"]


def clean() -> str:
    return remit(CLAIMS, payment="50.00", plb=[Plb("WO", "X", "10.00")], isa13=1) + remit(
        CLAIMS[:1], payment="100.00", trace="EFT2", isa13=2, delimiters=Delimiters("|", ">")
    )


def messy() -> bytes:
    first, second = clean().split("IEA*1*000000001~")
    first = first.replace("PER*BL*EDI SUPPORT*TE*8005551212~", "")  # a missing PER
    first = first.replace("CLP*", "clp*").replace("CAS*", "Cas*")
    text = "\ufeff" + (first + "IEA*1*000000001~").replace("~", "~\r\n") + "\r\n\r\n" + second
    return text.encode("utf-8")


def test_messy_file_keeps_every_claim_and_total():
    tidy = parse_any(clean(), "clean.835")
    raw = parse_any(messy(), "messy.835")
    assert len(raw.claims) == len(tidy.claims) == 4
    pd.testing.assert_frame_equal(raw.claims[KEY], tidy.claims[KEY])
    pd.testing.assert_frame_equal(
        raw.adjustments[["clm01", "carc", "amount_cents"]],
        tidy.adjustments[["clm01", "carc", "amount_cents"]],
    )
    assert list(raw.payments["remit_trace"]) == ["CHK000123", "EFT2"]
    assert tidy.findings.empty
    assert list(raw.findings["code"]) == ["SE_COUNT"]  # the dropped PER, and nothing else


def test_totals_agree_with_a_plain_reading():
    for data in (clean(), messy().decode("utf-8")):
        tables = parse_any(data)
        assert tables_money(tables.claims) == claim_money(data)


def test_stream_in_small_chunks_reads_the_same(monkeypatch):
    """Reading from a stream that hands out a few bytes at a time loses nothing."""
    import io

    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data, self.at = data, 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self.data[self.at : self.at + 7]
            buffer[: len(chunk)] = chunk
            self.at += len(chunk)
            return len(chunk)

    from edi.x12 import reader

    monkeypatch.setattr(reader, "CHUNK_CHARS", 5)
    streamed = parse_any(Trickle(messy()), "stream.835")
    whole = parse_any(messy(), "stream.835")
    pd.testing.assert_frame_equal(streamed.claims, whole.claims)


def test_a_damaged_segment_and_a_prose_header_cost_only_themselves():
    """A fixture's prose before the ISA and one spoiled segment (``PLXX``) are skipped
    with positioned findings; the three claims are read."""
    text = remit(CLAIMS, payment="50.00", plb=[Plb("WO", "X", "10.00")])
    damaged = "Remittance sample from a test suite.\n\n" + text.replace("PLB*", "PLXX*")
    tables = parse_any(damaged, "damaged.835")
    assert list(tables.claims["clm01"]) == ["ENC-1", "ENC-2", "ENC-3"]
    assert tables.provider_adjustments.empty
    found = tables.findings.set_index("code")
    segments = text.split("~")
    plb = next(i for i, s in enumerate(segments) if s.startswith("PLB*")) + 1
    assert found.loc["SEGMENT_ID", "position"] == plb
    assert "offset" in found.loc["BEFORE_ISA", "message"]
