"""SNIP level 2 rules on encounters: what makes the builder's 837P right by construction.

Most level-2 limits (lengths, repeat counts, qualifiers) are value constraints of the
encounter model and become findings in :mod:`edi.rules.record`; the ones here relate
fields, or guard data read from other systems' files where the model is relaxed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from edi.rules.record import CLM01_FORMAT
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

REFERRING_PERSON = register(
    Rule(
        "SNIP2.REFERRING.PERSON",
        2,
        "reject",
        "billing",
        "the referring provider (2310A) must be a person, not an organization",
        "Give the referring practitioner's last_name and first_name and individual NPI",
        "2310A",
        "NM1",
        "NM102",
        "referring_provider",
    )
)

_CLM01 = re.compile(r"[A-Za-z0-9-]{1,20}")


@check
def claim_id_shape(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    """CLM01 ≤ 20: the model enforces it for encounters; files from others may break it."""
    if not _CLM01.fullmatch(enc.encounter_id):
        yield fire(CLM01_FORMAT)


@check
def referring_is_person(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    if enc.referring_provider is not None and not enc.referring_provider.is_person:
        yield fire(REFERRING_PERSON)
