"""SNIP level 4: situational requirements, "required when …" in the 837P guide.

Each rule is one sentence of the guide's situational notes or of common payer front-end
edits on dates: an accident needs its date and (for auto) state, a dependent needs the
2000C loop, an organization cannot render a service, and no date may be in the future
or out of order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from edi.rules.common import file_segments, line_field, patient_of, service_start
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register

ACCIDENT_STATE = _R(
    Rule(
        "SNIP4.ACCIDENT.STATE",
        4,
        "reject",
        "front_desk",
        "an auto accident (AA) needs the state where it happened (CLM11-4)",
        "Ask the patient where the accident happened and fill accident.state",
        "2300",
        "CLM",
        "CLM11-4",
        "accident.state",
    )
)
ACCIDENT_AFTER_SERVICE = _R(
    Rule(
        "SNIP4.ACCIDENT.AFTER_SERVICE",
        4,
        "reject",
        "front_desk",
        "the accident date is after the first date of service",
        "Check accident.date against the visit date",
        "2300",
        "DTP",
        "DTP03",
        "accident.date",
    )
)
ORIGINAL_UNEXPECTED = _R(
    Rule(
        "SNIP4.FREQUENCY.ORIGINAL_UNEXPECTED",
        4,
        "warn",
        "billing",
        "an original claim (frequency 1) carries a payer claim number (REF*F8)",
        "Set frequency_code 7 to replace a paid claim, or remove original_payer_claim_number",
        "2300",
        "REF",
        "REF02",
        "original_payer_claim_number",
    )
)
PATIENT_IS_SUBSCRIBER = _R(
    Rule(
        "SNIP4.PATIENT.SAME_AS_SUBSCRIBER",
        4,
        "reject",
        "front_desk",
        "the patient has the subscriber's name and birth date: send no patient loop (2000C)",
        "Leave patient empty when the patient is the insured",
        "2000C",
        "PAT",
        None,
        "patient",
    )
)
PATIENT_LOOP_MISSING = _R(
    Rule(
        "SNIP4.PATIENT.LOOP_MISSING",
        4,
        "reject",
        "front_desk",
        "the subscriber is not the patient (SBR02 is not 18) but there is no patient loop 2000C",
        "Add the patient (2000C/2010CA), or set SBR02 to 18 when the insured was seen",
        "2000B",
        "SBR",
        "SBR02",
        "patient",
    )
)
PATIENT_LOOP_UNEXPECTED = _R(
    Rule(
        "SNIP4.PATIENT.LOOP_UNEXPECTED",
        4,
        "reject",
        "front_desk",
        "the subscriber is the patient (SBR02 = 18) yet a patient loop 2000C follows",
        "Remove 2000C, or give the subscriber's relationship to the patient in PAT01",
        "2000C",
        "HL",
        None,
        "patient",
    )
)
SUBSCRIBER_ADDRESS = _R(
    Rule(
        "SNIP4.SUBSCRIBER.ADDRESS",
        4,
        "reject",
        "front_desk",
        "the subscriber is the patient, so the subscriber's address (2010BA N3/N4) is required",
        "Fill subscriber.address from the registration",
        "2010BA",
        "N3",
        None,
        "subscriber.address",
    )
)
SUBSCRIBER_DEMOGRAPHICS = _R(
    Rule(
        "SNIP4.SUBSCRIBER.DEMOGRAPHICS",
        4,
        "reject",
        "front_desk",
        "the subscriber is the patient, so the subscriber's birth date and sex (2010BA DMG) "
        "are required",
        "Send DMG in 2010BA with the patient's birth date and sex",
        "2010BA",
        "DMG",
        None,
        "subscriber.birth_date",
    )
)
ADMISSION_DATE = _R(
    Rule(
        "SNIP4.ADMISSION_DATE.MISSING",
        4,
        "reject",
        "billing",
        "place of service {pos} is an inpatient setting, so the admission date (DTP*435) is "
        "required",
        "Enter the inpatient admission date in admission_date",
        "2300",
        "DTP",
        "DTP03",
        "admission_date",
    )
)
INPATIENT_PLACES = frozenset({"21", "51", "61"})
"""Inpatient hospital, inpatient psychiatric facility, comprehensive inpatient rehabilitation:
the guide requires DTP*435 on claims for services there."""
PATIENT_ADDRESS = _R(
    Rule(
        "SNIP4.PATIENT.ADDRESS",
        4,
        "reject",
        "front_desk",
        "the patient's address (2010CA N3/N4) is required",
        "Fill patient.address from the registration",
        "2010CA",
        "N3",
        None,
        "patient.address",
    )
)
RENDERING_SAME = _R(
    Rule(
        "SNIP4.RENDERING.SAME_AS_BILLING",
        4,
        "warn",
        "billing",
        "the rendering provider (2310B) has the billing provider's NPI; the guide says omit it",
        "Leave rendering_provider empty when the billing provider rendered the service",
        "2310B",
        "NM1",
        "NM109",
        "rendering_provider",
    )
)
RENDERING_MISSING = _R(
    Rule(
        "SNIP4.RENDERING.MISSING",
        4,
        "reject",
        "billing",
        "the billing provider is an organization and no rendering provider is given: the "
        "837P would say the organization itself rendered the service",
        "Give the practitioner who saw the patient in rendering_provider",
        "2310B",
        "NM1",
        None,
        "rendering_provider",
    )
)
FUTURE_DATE = _R(
    Rule(
        "SNIP4.DATE.FUTURE",
        4,
        "reject",
        "coder",
        "line {line}: the date of service is in the future",
        "Bill services only after they are performed; check the service date",
        "2400",
        "DTP",
        "DTP03",
    )
)
ONSET_AFTER_SERVICE = _R(
    Rule(
        "SNIP4.DATE.ONSET_AFTER_SERVICE",
        4,
        "reject",
        "coder",
        "the onset date is after the first date of service",
        "Check onset_date: symptoms begin on or before the visit",
        "2300",
        "DTP",
        "DTP03",
        "onset_date",
    )
)
BEFORE_BIRTH = _R(
    Rule(
        "SNIP4.DATE.BEFORE_BIRTH",
        4,
        "reject",
        "front_desk",
        "line {line}: the date of service is before the patient's birth date",
        "Check the patient's birth date in registration and the service date",
        "2400",
        "DTP",
        "DTP03",
    )
)
SPAN_TOO_LONG = _R(
    Rule(
        "SNIP4.DATE.SPAN",
        4,
        "warn",
        "coder",
        "line {line} spans {days} days; professional lines over 31 days are usually rejected",
        "Bill one line per date of service, or per month at most",
        "2400",
        "DTP",
        "DTP03",
    )
)


LONGEST_LINE = timedelta(days=31)
"""Professional lines spanning more days than this are usually rejected."""


@check
def accident(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    acc = enc.accident
    if acc is None:
        return
    if acc.type == "AA" and not acc.state:
        yield fire(ACCIDENT_STATE)
    if acc.date and acc.date > service_start(enc, ctx):
        yield fire(ACCIDENT_AFTER_SERVICE)


@check
def frequency(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    if enc.frequency_code == "1" and enc.original_payer_claim_number:
        yield fire(ORIGINAL_UNEXPECTED)


@check
def patient_loop(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    patient, subscriber = enc.patient, enc.subscriber
    relationship = enc.__dict__.get("subscriber_relationship")  # SBR02, files only
    if relationship is not None:
        if relationship != "18" and patient is None:
            yield fire(PATIENT_LOOP_MISSING)
        elif relationship == "18" and patient is not None:
            yield fire(PATIENT_LOOP_UNEXPECTED)
    elif patient is not None and (
        patient.birth_date == subscriber.birth_date
        and patient.last_name.upper() == subscriber.last_name.upper()
        and patient.first_name.upper() == subscriber.first_name.upper()
    ):
        yield fire(PATIENT_IS_SUBSCRIBER)
    subscriber_is_patient = patient is None if relationship is None else relationship == "18"
    if subscriber_is_patient and subscriber.address is None:
        yield fire(SUBSCRIBER_ADDRESS)
    if subscriber_is_patient and (subscriber.birth_date is None or subscriber.sex is None):
        yield fire(SUBSCRIBER_DEMOGRAPHICS)
    if patient is not None and patient.address is None:
        yield fire(PATIENT_ADDRESS)


@check
def rendering(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    """The guide requires 2310B only when the renderer differs from the billing provider,
    so a file without it says the billing provider rendered: only an encounter, whose
    missing renderer may be an omission, is asked for one."""
    billing, claim_rendering = enc.billing_provider, enc.rendering_provider
    if claim_rendering is not None and claim_rendering.npi == billing.npi:
        yield fire(RENDERING_SAME)
    if (
        file_segments(enc) is None
        and not billing.is_person
        and claim_rendering is None
        and not all(line.rendering_provider for line in enc.service_lines)
    ):
        yield fire(RENDERING_MISSING)


@check
def admission(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    if enc.place_of_service in INPATIENT_PLACES and enc.admission_date is None:
        yield fire(ADMISSION_DATE, pos=enc.place_of_service)


@check
def dates(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    today = ctx.today
    birth = patient_of(enc).birth_date
    if enc.onset_date and enc.onset_date > service_start(enc, ctx):
        yield fire(ONSET_AFTER_SERVICE)
    for i, line in enumerate(enc.service_lines):
        end = line.service_date_end or line.service_date
        if end > today:
            yield fire(FUTURE_DATE, field=line_field(i, "service_date"), line=i + 1)
        if birth and line.service_date < birth:
            yield fire(BEFORE_BIRTH, field=line_field(i, "service_date"), line=i + 1)
        if end - line.service_date > LONGEST_LINE:
            days = (end - line.service_date).days + 1
            yield fire(
                SPAN_TOO_LONG, field=line_field(i, "service_date_end"), line=i + 1, days=days
            )
