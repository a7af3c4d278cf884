"""Worklists show an 837I line's revenue code beside its HCPCS: from the 835's SVC04, or
SVC01 itself when the payer priced the line by revenue code (NU)."""

from __future__ import annotations

from datetime import date, datetime

from edi.claims.models import Encounter
from edi.worklists.adapt import from_response_tables
from edi.worklists.classify import classify
from flows.outputs.columns import DENIALS
from flows.worklists.context import encounter_context
from sandbox.responder import Responder
from sandbox.state import SandboxState
from tests.institutional.factories import FQHC_VISIT, INPATIENT_STAY, institutional
from tests.institutional.test_build_837i import build
from tests.worklists.conftest import rules, settings, terms  # noqa: F401 (fixtures)
from tests.worklists.tables import parse
from tests.worklists.test_classify import rows_of

RECEIVED = datetime(2026, 11, 27, 2, 0)


def test_denied_837i_lines_show_their_revenue_code(rules, settings, terms) -> None:  # noqa: F811
    bundled = institutional(FQHC_VISIT)  # the qualifying visit is bundled (CO-97)
    room = institutional(INPATIENT_STAY)  # room and board priced by revenue code (NU)
    (ic,) = build(bundled, room)
    responder = Responder(SandboxState(), seed=7, clock=lambda: RECEIVED)
    remits = [(r.name, r.data.decode()) for r in responder.respond(ic.data, "a.837")
              if r.kind == "835"]  # fmt: skip
    responses, texts = from_response_tables(parse(*remits))
    by_code = dict(zip(responses.lines["procedure_code"], responses.lines["revenue_code"],
                       strict=True))  # fmt: skip
    assert by_code["G0466"] == "0521" and by_code["99213"] == "0521"  # SVC04
    assert by_code["0120"] == "0120"  # SVC01 NU:0120

    encounters = [Encounter.model_validate(d) for d in (bundled, room)]
    ctx = encounter_context(encounters)
    result = classify(responses, ctx, rules, settings, terms, date(2026, 11, 27), texts)
    denials = rows_of(result, ctx, settings, terms)["denials"].to_dict("records")
    visit = [r for r in denials if r["procedure_code"] == "99213"]
    assert visit and {(r["revenue_code"], r["type_of_bill"]) for r in visit} == {("0521", "0771")}
    assert "revenue_code" in {c.name for c in DENIALS}
