"""Claims read back from any 837P, as encounter data the claim rules can judge.

``claims validate`` runs the same rules on files (ours or another system's) as on
encounters before building: each CLM with its hierarchy (billing provider, subscriber,
patient) becomes an encounter-v1 record, validated by the same model.  What only a file
can get wrong is kept beside it: the total it *stated* in CLM02 (level 3 balancing) and
SBR02 (whether 2000C must follow), and where each part sits, so findings point at the
segment a person has to fix.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import Field

from edi.claims.models import Encounter
from edi.codesets.procedures import procedure_kind
from edi.x12.reader import Segment


class FiledEncounter(Encounter):
    """An encounter read from a file: CLM01 is not ours to shape (rule SNIP2.CLM01.FORMAT
    judges it), and the file's own statements are kept for the rules that check them."""

    encounter_id: Annotated[str, Field(min_length=1, max_length=38)]
    stated_total: Decimal | None = None
    subscriber_relationship: str | None = None
    icd9_diagnoses: int = 0
    """ICD-9-CM codes (HI qualifiers BK/BF) the claim carried; not kept as diagnoses."""


@dataclass
class FileClaim:
    """One CLM of a file: its record, and the segment positions findings point at."""

    clm01: str
    record: dict[str, Any]
    clm_position: int
    """1-based segment position in the file (as the reader counts)."""
    positions: dict[str, int] = field(default_factory=dict)
    """``'HI'``, ``'line3'`` (the SV1 of line 3) and field paths (``'subscriber'`` → its
    NM1, ``'billing_provider.address'`` → its N4) → file position."""

    def position_of(self, field_path: str | None) -> int:
        """The segment a finding on ``field_path`` is about (the CLM when unknown)."""
        if not field_path:
            return self.clm_position
        if field_path.startswith("service_lines["):
            index = int(field_path[14 : field_path.index("]")])
            return self.positions.get(f"line{index + 1}", self.clm_position)
        if field_path.startswith("diagnoses"):
            return self.positions.get("HI", self.clm_position)
        parts = field_path.split(".")
        for length in range(len(parts), 0, -1):
            position = self.positions.get(".".join(parts[:length]))
            if position:
                return position
        return self.clm_position


_PARTIES = {
    "85": "billing_provider",
    "87": "pay_to_address",
    "IL": "subscriber",
    "PR": "payer",
    "QC": "patient",
    "82": "rendering_provider",
    "DN": "referring_provider",
    "77": "service_facility",
}
"""NM101 entity codes → the encounter field the loop fills."""
_LEVEL_FIELDS = {
    "20": ("billing_provider", "pay_to_address", "subscriber", "payer", "patient"),
    "22": ("subscriber", "payer", "patient"),
    "23": ("patient",),
}
"""Which remembered places a new HL level (HL03) starts afresh."""


def _date(value: str) -> str:
    """``CCYYMMDD`` → ISO; anything else is passed on for the model to reject."""
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


def _amount(value: str) -> Decimal | str:
    try:
        return Decimal(value)
    except InvalidOperation:
        return value


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _person_name(seg: Segment) -> dict[str, Any]:
    if seg.get(2) == "2":
        return {"organization_name": seg.get(3)}
    return _drop_empty(
        {"last_name": seg.get(3), "first_name": seg.get(4), "middle_name": seg.get(5),
         "suffix": seg.get(7)}
    )  # fmt: skip


class _Walker:
    """Follow one 837P transaction set's hierarchy and emit a record per CLM."""

    def __init__(self) -> None:
        self.billing: dict[str, Any] = {}
        self.pay_to: dict[str, Any] | None = None
        self.subscriber: dict[str, Any] = {}
        self.payer: dict[str, Any] = {}
        self.relationship: str | None = None
        self.sbr_position = 0
        self.patient: dict[str, Any] | None = None
        self.claim: FileClaim | None = None
        self.line: dict[str, Any] | None = None
        self.address: dict[str, Any] | None = None
        self.address_key = ""
        self.person: dict[str, Any] | None = None
        self.level = ""
        self.places: dict[str, int] = {}
        """Field path → file position of the segment holding it (NM1, N4, SBR, DMG)."""

    def feed(self, seg: Segment) -> FileClaim | None:
        """Take one segment; returns the previous claim when a new one (or level) starts."""
        done = None
        sid = seg.id
        if sid in ("HL", "CLM") and self.claim is not None:
            done, self.claim, self.line = self.claim, None, None
        handler = getattr(self, f"_{sid.lower()}", None)
        if handler is not None:
            handler(seg)
        return done

    def close(self) -> FileClaim | None:
        return self.claim

    # -- hierarchy --------------------------------------------------------------------
    def _forget(self, *prefixes: str) -> None:
        self.places = {k: v for k, v in self.places.items() if not k.startswith(prefixes)}

    def _hl(self, seg: Segment) -> None:
        self.level = seg.get(3)
        self._forget(*_LEVEL_FIELDS.get(self.level, ()))
        if self.level == "20":
            self.billing, self.pay_to = {}, None
        elif self.level == "22":
            self.subscriber, self.payer, self.patient = {}, {}, None
            self.relationship = None
        elif self.level == "23":
            self.patient = {}
        self.address = self.person = None

    def _prv(self, seg: Segment) -> None:
        if seg.get(1) == "BI":
            self.billing["taxonomy_code"] = seg.get(3)
        elif seg.get(1) == "PE" and self.person is not None:
            self.person["taxonomy_code"] = seg.get(3)

    def _sbr(self, seg: Segment) -> None:
        self.payer["responsibility"] = seg.get(1)
        self.payer["claim_filing_indicator"] = seg.get(9)
        self.relationship = seg.get(2)
        self.sbr_position = seg.position
        if seg.get(3):
            self.subscriber["group_number"] = seg.get(3)

    def _pat(self, seg: Segment) -> None:
        if self.patient is not None:
            self.patient["relationship_to_subscriber"] = seg.get(1)

    def _dmg(self, seg: Segment) -> None:
        self.places["patient.birth_date" if self.level == "23" else "subscriber.birth_date"] = (
            seg.position
        )
        target = self.patient if self.level == "23" else self.subscriber
        if target is not None:
            target["birth_date"] = _date(seg.get(2))
            target["sex"] = seg.get(3)

    def _ref(self, seg: Segment) -> None:
        qualifier, value = seg.get(1), seg.get(2)
        if qualifier in ("EI", "SY") and self.claim is None and self.level == "20":
            self.billing["tax_id"] = value
            self.billing["tax_id_type"] = "EIN" if qualifier == "EI" else "SSN"
        elif self.claim is not None and self.line is None:
            key = {"F8": "original_payer_claim_number", "G1": "prior_authorization"}.get(qualifier)
            if key:
                self.claim.record[key] = value
        elif qualifier == "6R" and self.line is not None:
            self.line["line_id"] = value

    def _nm1(self, seg: Segment) -> None:
        code = seg.get(1)
        self.address = self.person = None
        key = _PARTIES.get(code, "")
        if key:
            self.places[key] = seg.position
            self.address_key = "pay_to_address" if code == "87" else f"{key}.address"
        if code == "85":
            self.billing.update(_person_name(seg), npi=seg.get(9))
            self.address = self.billing.setdefault("address", {})
            self.person = self.billing
        elif code == "87":
            self.pay_to = {}
            self.address = self.pay_to
        elif code == "IL":
            self.subscriber.update(_person_name(seg), member_id=seg.get(9))
            self.address = self.subscriber.setdefault("address", {})
        elif code == "PR":
            self.payer.update(name=seg.get(3), payer_id=seg.get(9))
        elif code == "QC" and self.patient is not None:
            self.patient.update(_person_name(seg))
            self.address = self.patient.setdefault("address", {})
        elif self.claim is not None:
            self._claim_party(code, seg)

    def _claim_party(self, code: str, seg: Segment) -> None:
        record = self.claim.record if self.claim else {}
        party = _drop_empty(_person_name(seg) | {"npi": seg.get(9)})
        if code == "82" and self.line is not None:
            self.line["rendering_provider"] = party
        elif code == "82":
            record["rendering_provider"] = party
        elif code == "DN":
            record["referring_provider"] = party
        elif code == "77":
            facility = _drop_empty({"name": seg.get(3), "npi": seg.get(9)})
            record["service_facility"] = facility
            self.address = facility.setdefault("address", {})
            return
        else:
            return
        self.person = party

    def _n3(self, seg: Segment) -> None:
        if self.address is not None:
            self.address.update(_drop_empty({"line1": seg.get(1), "line2": seg.get(2)}))

    def _n4(self, seg: Segment) -> None:
        if self.address_key:
            self.places[self.address_key] = seg.position
        if self.address is not None:
            self.address.update(city=seg.get(1), state=seg.get(2), postal_code=seg.get(3))

    # -- claim ------------------------------------------------------------------------
    def _clm(self, seg: Segment) -> None:
        facility = seg.components(5)
        related = seg.components(11)
        record: dict[str, Any] = {
            "encounter_id": seg.get(1),
            "stated_total": _amount(seg.get(2)),
            "subscriber_relationship": self.relationship,
            "place_of_service": facility[0] if facility else "",
            "frequency_code": facility[2] if len(facility) > 2 else "",
            "provider_signature_on_file": seg.get(6) != "N",
            "assignment_of_benefits": seg.get(8) == "Y",
            "release_of_information": seg.get(9) or "Y",
            "billing_provider": copy.deepcopy(self.billing),
            "payer": copy.deepcopy(self.payer),
            "subscriber": _drop_empty(copy.deepcopy(self.subscriber)),
            "diagnoses": [],
            "service_lines": [],
        }
        if self.pay_to is not None:
            record["pay_to_address"] = copy.deepcopy(self.pay_to)
        if self.patient is not None:
            record["patient"] = _drop_empty(copy.deepcopy(self.patient))
        causes = [c for c in related[:3] if c in ("AA", "EM", "OA")]
        if causes:
            record["accident"] = _drop_empty(
                {"type": causes[0], "state": related[3] if len(related) > 3 else None}
            )
        self._forget("rendering_provider", "referring_provider", "service_facility")
        places = {"patient": self.sbr_position, **self.places,
                  "payer.claim_filing_indicator": self.sbr_position}  # fmt: skip
        self.claim = FileClaim(seg.get(1), record, seg.position, places)
        self.address = self.person = None

    def _dtp(self, seg: Segment) -> None:
        if self.claim is None:
            return
        qualifier, value = seg.get(1), seg.get(3)
        record = self.claim.record
        if qualifier == "472" and self.line is not None:
            start, _, end = value.partition("-")
            self.line["service_date"] = _date(start)
            if end and end != start:
                self.line["service_date_end"] = _date(end)
        elif qualifier == "431":
            record["onset_date"] = _date(value)
        elif qualifier == "439" and "accident" in record:
            record["accident"]["date"] = _date(value)

    def _hi(self, seg: Segment) -> None:
        if self.claim is None:
            return
        record = self.claim.record
        for element in seg.elements[1:]:
            parts = element.split(seg.delimiters.component)
            if len(parts) > 1 and parts[0] in ("ABK", "ABF"):
                record["diagnoses"].append(parts[1])
            elif len(parts) > 1 and parts[0] in ("BK", "BF"):
                record["icd9_diagnoses"] = record.get("icd9_diagnoses", 0) + 1
            else:
                continue
            self.claim.positions.setdefault("HI", seg.position)
            self.claim.positions.setdefault("icd9_diagnoses", seg.position)

    def _lx(self, seg: Segment) -> None:
        if self.claim is None:
            return
        self.line = {}
        self.claim.record["service_lines"].append(self.line)
        self.address = self.person = None

    def _sv1(self, seg: Segment) -> None:
        if self.claim is None or self.line is None:
            return
        procedure = seg.components(1)
        code = procedure[1] if len(procedure) > 1 else ""
        self.line.update(
            _drop_empty(
                {
                    "code_set": "HCPCS" if procedure_kind(code) == "hcpcs_level_ii" else "CPT",
                    "procedure_code": code,
                    "modifiers": [m for m in procedure[2:6] if m],
                    "charge": _amount(seg.get(2)),
                    "unit_type": seg.get(3),
                    "units": _amount(seg.get(4)),
                    "place_of_service": seg.get(5),
                    "diagnosis_pointers": [int(p) if p.isdigit() else p for p in seg.components(7)],
                }
            )
        )
        number = len(self.claim.record["service_lines"])
        self.claim.positions[f"line{number}"] = seg.position

    def _lin(self, seg: Segment) -> None:
        if self.line is not None and seg.get(2) == "N4":
            self.line["ndc"] = seg.get(3)

    def _ctp(self, seg: Segment) -> None:
        if self.line is not None:
            self.line["ndc_quantity"] = _amount(seg.get(4))
            unit = seg.components(5)
            self.line["ndc_unit"] = unit[0] if unit else ""


def file_claims(segments: Iterable[Segment]) -> Iterator[FileClaim]:
    """The claims of one 837P transaction set's body (segments between ST and SE)."""
    walker = _Walker()
    for seg in segments:
        done = walker.feed(seg)
        if done is not None:
            yield done
    last = walker.close()
    if last is not None:
        yield last
