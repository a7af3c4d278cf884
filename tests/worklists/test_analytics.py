"""Days in A/R, aging, first-pass acceptance and denial rates, from plain facts."""

from __future__ import annotations

from datetime import date

import pandas as pd

from edi.worklists.analytics import analytics

TODAY = date(2026, 12, 1)


def _ar(clm01, payer, sent, state, paid=None, rejected=False, charge=10000):
    return {
        "clm01": clm01,
        "payer_id": payer,
        "charge_cents": charge,
        "paid_cents": 0,
        "state": state,
        "sent_on": sent,
        "paid_on": paid,
        "first_rejected": rejected,
    }


def test_aging_days_in_ar_and_first_pass():
    ar = pd.DataFrame([
        _ar("A", "87726", date(2026, 11, 20), "paid", paid=date(2026, 11, 30)),
        _ar("B", "87726", date(2026, 11, 10), "paid", paid=date(2026, 11, 30)),
        _ar("C", "00431", date(2026, 11, 25), "denied", paid=date(2026, 11, 28), rejected=True),
        _ar("D", "00431", date(2026, 11, 1), "accepted"),  # 30 days: 0-30
        _ar("E", "00431", date(2026, 10, 31), "submitted", charge=5000),  # 31 days
        _ar("F", "87726", date(2026, 8, 1), "acknowledged"),  # 122 days: 90+
        _ar("G", "87726", date(2026, 9, 1), "rejected"),  # not waiting for an 835
    ])  # fmt: skip
    a = analytics(ar, pd.DataFrame(columns=["procedure_code", "denied"]),
                  pd.DataFrame(columns=["rendering_npi", "denied"]), TODAY)  # fmt: skip
    assert a.days_in_ar.set_index("payer_id")["average_days"].to_dict() == {
        "00431": 3.0, "87726": 15.0}  # fmt: skip
    assert a.aging[["bucket", "claims", "charge_cents"]].values.tolist() == [
        ["0-30", 1, 10000], ["31-60", 1, 5000], ["61-90", 0, 0], ["90+", 1, 10000]]  # fmt: skip
    # sent in the last 30 days: A, B, C (D was sent 30 days before, outside the window)
    assert (a.first_pass_submitted, a.first_pass_accepted) == (3, 2)


def test_denial_rates_by_procedure_and_rendering_provider():
    lines = pd.DataFrame({"procedure_code": ["99213", "99213", "93000"],
                          "denied": [True, False, True]})  # fmt: skip
    claims = pd.DataFrame({"rendering_npi": ["1", "1", "2", None], "denied": [1, 0, 0, 1]})
    a = analytics(pd.DataFrame(), lines, claims, TODAY)
    assert a.by_procedure.values.tolist() == [["93000", 1, 1, 1.0], ["99213", 2, 1, 0.5]]
    assert a.by_rendering.set_index("rendering_npi")["denial_rate"].to_dict() == {
        "?": 1.0, "1": 0.5, "2": 0.0}  # fmt: skip
