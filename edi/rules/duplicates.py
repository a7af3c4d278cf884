"""SNIP level 7: the same service billed twice under different encounter IDs.

Payers deny the second claim for the same member, date of service, procedure and
provider as a duplicate (CARC 18).  A repeat can be real (two visits in one day, a test
repeated), so it is held for the coder to confirm with modifier 76/77/91 or drop.

The check runs over a batch, not one encounter: :func:`duplicate_services` takes the
batch and the services already billed (the night passes the ledger's: each key with the
CLM01s billing it), and :func:`service_keys` gives the keys to remember.  A key billed
under the encounter's own CLM01 is the same claim seen again (a rerun of its night, the
next payer of a COB claim), not a duplicate.  Keys are digests, so a set of them (in
memory, in the ledger) holds no member ID.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from edi.rules.common import line_field
from edi.rules.registry import Finding, Rule, fire, register

REPEAT_MODIFIERS = frozenset({"76", "77", "91"})
"""Repeat procedure by the same or another practitioner, repeat lab test: a repeat said."""
REPLACING = frozenset({"7", "8"})
"""Claim frequencies that replace or void a claim already billed: its services again, on
purpose (the ledger keeps the replacement's services instead of the original's)."""

Billed = Mapping[str, Collection[str]]
"""Service key to the CLM01s already billing it, earliest first."""

DUPLICATE_SERVICE = register(
    Rule(
        "SNIP7.DUPLICATE.SERVICE",
        7,
        "warn",
        "coder",
        "line {line}: {code} on {dos} for the same member and provider is already billed "
        "{where}; payers deny the second as a duplicate",
        "Drop the line if it is the same service; if it was truly repeated, add 76/77 "
        "(or 91 for a lab test) and keep the documentation",
        "2400",
        "SV1",
        "SV101-2",
        disposition="hold",
    )
)


def service_key(enc: Any, line: Any) -> str:
    """Digest of payer, member, date of service, procedure and rendering provider."""
    rendering = line.rendering_provider or enc.rendering_provider or enc.billing_provider
    parts = (enc.payer.payer_id, enc.subscriber.member_id,
             (enc.patient.first_name, str(enc.patient.birth_date)) if enc.patient else "",
             line.service_date.isoformat(), line.procedure_code, rendering.npi)  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def service_keys(enc: Any) -> list[str]:
    """The keys of an encounter's lines, to remember once it is billed."""
    return [service_key(enc, line) for line in enc.service_lines]


def duplicate_services(encounters: Iterable[Any], known: Billed | None = None) -> Iterator[Finding]:
    """Findings for lines repeating a service billed earlier in the batch under another
    encounter ID, or before under another CLM01 (``known``).  Lines with a repeat modifier
    and claims replacing or voiding one (frequency 7/8) are not told."""
    first_seen: dict[str, str] = {}
    for enc in encounters:
        yield from duplicates_of(enc, first_seen, known or {})


def duplicates_of(
    enc: Any, first_seen: dict[str, str], known: Billed, source: str | None = None
) -> Iterator[Finding]:
    """One encounter's duplicates, remembering its services in ``first_seen`` (key to
    the first encounter ID billing it): the step :func:`duplicate_services` repeats, for
    callers that stream a batch."""
    eid, clm01 = enc.encounter_id, enc.claim_id
    replacing = enc.frequency_code in REPLACING
    for i, line in enumerate(enc.service_lines):
        key = service_key(enc, line)
        earlier = first_seen.setdefault(key, eid)
        if replacing or REPEAT_MODIFIERS.intersection(line.modifiers):
            continue
        billed = known.get(key, ())
        if clm01 in billed:
            continue  # this claim itself, billed before: a rerun, not a duplicate
        if billed:
            where = f"on claim {next(iter(billed))}"  # the earliest, as the ledger lists them
        elif earlier != eid:
            where = f"on encounter {earlier}"
        else:
            continue
        yield fire(
            DUPLICATE_SERVICE,
            field=line_field(i, "procedure_code"),
            encounter_id=eid,
            source=source,
            line=i + 1,
            code=line.procedure_code,
            dos=line.service_date.isoformat(),
            where=where,
        )
