"""SNIP level 6: rules specific to a kind of service line.

Anesthesia is billed in minutes, other units are whole, drugs billed with HCPCS J codes
carry their NDC, and service types whose 837P segments encounter-v1 cannot carry yet
(ambulance CR1/CR2 and pick-up/drop-off loops, DME CR3 and certificates, chiropractic
CR2 and X-ray dates) are stopped with a plain "not supported yet" rather than sent
incomplete.  Files (``claims validate``) may carry those segments: only a claim holding
none of them is told.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from edi.codesets.procedures import is_anesthesia
from edi.rules.common import file_segments, line_field
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register

ANESTHESIA_MINUTES = _R(
    Rule(
        "SNIP6.ANESTHESIA.MINUTES",
        6,
        "reject",
        "coder",
        "line {line}: anesthesia code {code} must be billed in minutes (MJ), not units",
        "Set unit_type MJ and units to the anesthesia minutes",
        "2400",
        "SV1",
        "SV103",
    )
)
MINUTES_NOT_ANESTHESIA = _R(
    Rule(
        "SNIP6.UNITS.MINUTES_NOT_ANESTHESIA",
        6,
        "reject",
        "coder",
        "line {line}: only anesthesia codes are billed in minutes (MJ); {code} is not one",
        "Set unit_type UN and bill units of service",
        "2400",
        "SV1",
        "SV103",
    )
)
FRACTIONAL_UNITS = _R(
    Rule(
        "SNIP6.UNITS.FRACTIONAL",
        6,
        "reject",
        "coder",
        "line {line}: {code} is billed in {units} units; units of service must be whole",
        "Round to whole units as the code's descriptor defines them",
        "2400",
        "SV1",
        "SV104",
    )
)
NDC_MISSING = _R(
    Rule(
        "SNIP6.NDC.MISSING",
        6,
        "warn",
        "coder",
        "line {line}: drug code {code} has no NDC (2410 LIN/CTP)",
        "Add the 11-digit NDC with its quantity and unit from the vial administered",
        "2410",
        "LIN",
        "LIN03",
    )
)
NDC_MISSING_MEDICAID = _R(
    Rule(
        "SNIP6.NDC.MISSING_MEDICAID",
        6,
        "reject",
        "coder",
        "line {line}: Medicaid requires the NDC for drug code {code}",
        "Add the 11-digit NDC with its quantity and unit from the vial administered",
        "2410",
        "LIN",
        "LIN03",
    )
)
NDC_NOT_DRUG = _R(
    Rule(
        "SNIP6.NDC.NOT_DRUG",
        6,
        "warn",
        "coder",
        "line {line}: an NDC is given for {code}, which is not a drug code",
        "Remove the NDC, or bill the drug on its own J-code line",
        "2410",
        "LIN",
        "LIN03",
    )
)
UNSUPPORTED = _R(
    Rule(
        "SNIP6.SERVICE.NOT_SUPPORTED",
        6,
        "reject",
        "billing",
        "line {line}: {kind} claims ({code}) are not supported yet: the 837P needs {needs}, "
        "which encounter-v1 does not carry",
        "Bill this claim from the practice-management system until {kind} support lands",
        "2400",
        "SV1",
        "SV101-2",
    )
)
SERVICE_DATA_MISSING = _R(
    Rule(
        "SNIP6.SERVICE.DATA_MISSING",
        6,
        "warn",
        "billing",
        "line {line}: {code} is a {kind} service, and the claim carries no {segments} ({needs})",
        "Add the {kind} segments the payer asks for, as the 837P guide describes them",
        "2400",
        "SV1",
        "SV101-2",
    )
)


@dataclass(frozen=True, slots=True)
class _Service:
    """A kind of service whose 837P segments encounter-v1 cannot carry yet."""

    low: str
    high: str
    kind: str
    needs: str
    segments: tuple[str, ...]
    """The segments that carry that data in a file; any one of them is enough."""

    def covers(self, code: str) -> bool:
        return self.low <= code <= self.high and code[0] == self.low[0]


_UNSUPPORTED = (
    _Service("A0021", "A0999", "ambulance", "CR1 transport data and pick-up/drop-off loops",
             ("CR1",)),
    _Service("E0100", "E8002", "durable medical equipment", "CR3/CMN certification data",
             ("CR3", "LQ")),
    _Service("K0001", "K0899", "durable medical equipment", "CR3/CMN certification data",
             ("CR3", "LQ")),
    _Service("L0112", "L9900", "orthotics and prosthetics", "DME certification data",
             ("CR3", "LQ")),
    _Service("98940", "98943", "chiropractic", "CR2 spinal data and DTP*454/455 dates",
             ("CR2",)),
)  # fmt: skip


@lru_cache(maxsize=4096)
def _unsupported(code: str) -> _Service | None:
    """The service ``code`` falls in, of those encounter-v1 cannot carry: asked of every
    line, and a batch bills few distinct codes, so each is looked up once (bounded: a
    damaged file's codes are any text, and a worker lives for many nights)."""
    return next((s for s in _UNSUPPORTED if s.covers(code)), None)


def is_drug(code: str) -> bool:
    """HCPCS J codes: drugs administered other than orally (NDC territory)."""
    return code[0] == "J" and code[1:].isdigit()


@check
def units(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    for i, line in enumerate(enc.service_lines):
        code, n = line.procedure_code, i + 1
        if is_anesthesia(code):
            if line.unit_type != "MJ":
                yield fire(ANESTHESIA_MINUTES, field=line_field(i, "unit_type"), line=n, code=code)
        elif line.unit_type == "MJ":
            yield fire(MINUTES_NOT_ANESTHESIA, field=line_field(i, "unit_type"), line=n, code=code)
        elif line.units != line.units.to_integral_value():
            yield fire(
                FRACTIONAL_UNITS, field=line_field(i, "units"), line=n, code=code, units=line.units
            )


@check
def drugs(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    medicaid = enc.payer.claim_filing_indicator == "MC"
    for i, line in enumerate(enc.service_lines):
        code = line.procedure_code
        if is_drug(code) and not line.ndc:
            rule = NDC_MISSING_MEDICAID if medicaid else NDC_MISSING
            yield fire(rule, field=line_field(i, "ndc"), line=i + 1, code=code)
        elif line.ndc and not is_drug(code):
            yield fire(NDC_NOT_DRUG, field=line_field(i, "ndc"), line=i + 1, code=code)


@check
def unsupported_services(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    """An encounter cannot carry these services' data, so it is stopped; a file can, so it
    is told only when its claim holds none of the segments that carry it."""
    segments = file_segments(enc)
    for i, line in enumerate(enc.service_lines):
        code = line.procedure_code
        if (service := _unsupported(code)) is None:
            continue
        about = {"field": line_field(i, "procedure_code"), "line": i + 1, "code": code,
                 "kind": service.kind, "needs": service.needs}  # fmt: skip
        if segments is None:
            yield fire(UNSUPPORTED, **about)
        elif not segments.intersection(service.segments):
            yield fire(SERVICE_DATA_MISSING, segments="/".join(service.segments), **about)
