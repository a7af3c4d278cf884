"""What a 277CA entity code (STC01-3) points at on our 837P, in the billers' words.

The status code says what is wrong ("NPI missing or invalid"), the entity code says whose
data it is: together they name the field to fix.  Codes not listed fall back to the
entity's plain text from the code list.
"""

from __future__ import annotations

ENTITY_FIELDS = {
    "41": "Submitter (loop 1000A: name, ID, contact)",
    "40": "Receiver (loop 1000B: clearinghouse or payer ID)",
    "85": "Billing provider (loop 2010AA: NPI, tax ID, name, address)",
    "87": "Pay-to provider (loop 2010AB: address)",
    "IL": "Subscriber (loop 2010BA: member ID, name, birth date, address)",
    "QC": "Patient (loop 2010BA or 2010CA: name, birth date, member ID)",
    "PR": "Payer (loop 2010BB: payer ID and name)",
    "82": "Rendering provider (loop 2310B: NPI, name, taxonomy)",
    "DN": "Referring provider (loop 2310A: NPI, name)",
    "DK": "Ordering provider (loop 2420E: NPI, name)",
    "77": "Service facility (loop 2310C: NPI, address)",
    "DQ": "Supervising provider (loop 2310D: NPI, name)",
    "1P": "Provider (the NPI the status code names)",
    "03": "Dependent patient (loop 2010CA: name, birth date)",
    "TT": "Transfer-to payer (secondary payer, loop 2330B)",
}


def field_of(entity: str, entity_text: str = "") -> str:
    """The plain name of the field an entity code points at; empty when no entity."""
    code = entity.strip().upper()
    if not code:
        return ""
    return ENTITY_FIELDS.get(code) or entity_text or f"entity {code}"
