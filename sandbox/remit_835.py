"""835 (005010X221A1): one payer's payment cycle, one transaction set per payee.

The segments a denial worklist needs are all here: CLP01 echoes CLM01, CLP07 is the payer
claim number the 277CA announced, CAS carries group/CARC/amount per line, LQ*HE the RARCs,
REF*6R the line control numbers the 837 sent, NM1*PR the payer that pays first on a CO-22
denial, TRN02 the check/EFT trace that ties the remittance to the money, and PLB the
provider-level adjustments.  Balancing holds by construction: line charge − adjustments =
line paid; BPR02 = Σ CLP04 − Σ PLB.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import groupby

from edi.x12.control import ControlNumberSource
from edi.x12.reply import Route, close_reply, open_reply, open_reply_group
from edi.x12.writer import X12Writer
from mappings.sandbox import PayerRules
from sandbox.remittance import Payment, RemitClaim, RemitLine

VERSION = "005010X221A1"
SANDBOX_BANK = ("01", "999999992", "DA", "0001234567")
"""Sender DFI qualifier, routing number, account qualifier and account (fictitious)."""
PROVIDER_BANK = ("01", "999999992", "DA", "0009876543")
_CAS_TRIPLETS = 6


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _units(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _bpr(w: X12Writer, rules: PayerRules, total: Decimal, paid_on: date) -> None:
    day = paid_on.strftime("%Y%m%d")
    if total <= 0:
        w.segment("BPR", "H", "0", "C", "NON", *[None] * 11, day)
    elif rules.payment_method == "CHK":
        w.segment("BPR", "C", _money(total), "C", "CHK", *[None] * 11, day)
    else:
        w.segment("BPR", "I", _money(total), "C", "ACH", "CCP", *SANDBOX_BANK,
                  f"1{rules.tax_id}", None, *PROVIDER_BANK, day)  # fmt: skip


def _cas(w: X12Writer, line: RemitLine) -> None:
    for group, adjustments in groupby(line.adjustments, key=lambda a: a.group):
        items = list(adjustments)
        for start in range(0, len(items), _CAS_TRIPLETS):
            values: list[str | None] = []
            for a in items[start : start + _CAS_TRIPLETS]:
                values += [a.reason, _money(a.amount), None]
            w.segment("CAS", group, *values)


def _service(w: X12Writer, line: RemitLine) -> None:
    revenue = line.revenue_code if line.qualifier == "HC" else None  # SVC04, 837I lines
    w.segment("SVC", (line.qualifier, line.procedure, *line.modifiers), _money(line.charge),
              _money(line.paid), revenue or None, _units(line.units))  # fmt: skip
    if line.service_date_end and line.service_date_end != line.service_date:
        w.segment("DTM", "150", line.service_date.strftime("%Y%m%d"))
        w.segment("DTM", "151", line.service_date_end.strftime("%Y%m%d"))
    else:
        w.segment("DTM", "472", line.service_date.strftime("%Y%m%d"))
    _cas(w, line)
    if line.line_control:
        w.segment("REF", "6R", line.line_control)
    if line.allowed:
        w.segment("AMT", "B6", _money(line.allowed))
    for remark in line.remarks:
        w.segment("LQ", "HE", remark)


_MIA_MORE = 14
"""MIA06-19, the inpatient amounts between MIA05 and MIA20 the sandbox does not report."""


def _claim_remarks(w: X12Writer, claim: RemitClaim) -> None:
    """MIA (inpatient: covered days, remarks in MIA05 and MIA20-23) or MOA (MOA03-07)."""
    if not claim.remarks:
        return
    first, *more = claim.remarks[:5]
    if claim.covered_days is not None:
        w.segment("MIA", str(claim.covered_days), None, None, None, first,
                  *[None] * _MIA_MORE, *more)  # fmt: skip
    else:
        w.segment("MOA", None, None, first, *more)


def _claim(w: X12Writer, claim: RemitClaim) -> None:
    pr = claim.patient_responsibility
    w.segment("CLP", claim.clm01, claim.status, _money(claim.charge), _money(claim.paid),
              _money(pr) if pr else None, claim.filing_code, claim.payer_claim_number,
              claim.place_of_service or None, claim.frequency or None)  # fmt: skip
    if claim.patient_is_subscriber:
        w.segment("NM1", "QC", "1", claim.patient_last, claim.patient_first, None, None, None,
                  "MI", claim.member_id)  # fmt: skip
    else:
        w.segment("NM1", "QC", "1", claim.patient_last, claim.patient_first)
        w.segment("NM1", "IL", "1", claim.subscriber_last, claim.subscriber_first, None, None,
                  None, "MI", claim.member_id)  # fmt: skip
    if claim.crossover:  # COB: the payer this one forwarded the claim to
        w.segment("NM1", "TT", "2", claim.crossover[0], None, None, None, None, "PI",
                  claim.crossover[1])  # fmt: skip
    if claim.priority_payer:  # CO-22: the payer this one says pays first
        w.segment("NM1", "PR", "2", claim.priority_payer[0], None, None, None, None, "PI",
                  claim.priority_payer[1])  # fmt: skip
    _claim_remarks(w, claim)
    if claim.original_claim_number:
        w.segment("REF", "F8", claim.original_claim_number)
    w.segment("DTM", "050", claim.received.strftime("%Y%m%d"))
    for line in claim.lines:
        _service(w, line)


def _payee_name(claim: RemitClaim) -> str:
    if claim.billing_is_person and claim.billing_first:
        return f"{claim.billing_name} {claim.billing_first}"
    return claim.billing_name or claim.billing_npi


def build_835(
    route: Route,
    controls: ControlNumberSource,
    rules: PayerRules,
    payments: Sequence[Payment],
    paid_on: date,
) -> bytes:
    """One interchange holding one 835 transaction set per payment (payee)."""
    w = X12Writer(line_breaks=True)
    open_reply(w, route, controls)
    open_reply_group(w, route, controls, "HP", VERSION, group_sender=rules.payer_id)
    for number, pay in enumerate(payments, start=1):
        w.open_transaction("835", number, None)
        _bpr(w, rules, pay.total, paid_on)
        w.segment("TRN", "1", pay.trace, f"1{rules.tax_id}")
        w.segment("DTM", "405", route.created.strftime("%Y%m%d"))
        w.segment("N1", "PR", rules.name)
        w.segment("N3", rules.address.line1)
        w.segment("N4", rules.address.city, rules.address.state, rules.address.postal_code)
        w.segment("REF", "2U", rules.payer_id)
        w.segment("PER", "BL", "EDI SUPPORT", "TE", rules.technical_contact_phone)
        first = pay.claims[0]
        w.segment("N1", "PE", _payee_name(first), "XX", pay.payee_npi)
        if first.billing_tax_id:
            w.segment("REF", "TJ", first.billing_tax_id)
        w.segment("LX", "1")
        for claim in pay.claims:
            _claim(w, claim)
        for adj in pay.adjustments:
            w.segment("PLB", pay.payee_npi, f"{paid_on.year}1231",
                      (adj.reason, adj.reference), _money(adj.amount))  # fmt: skip
        w.close_transaction()
    return close_reply(w).encode("ascii")
