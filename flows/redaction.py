"""A logging filter that redacts what must never reach a log, should anything slip.

The pipeline logs IDs by design; this is the second line of defence.  It masks, in every
record's final message: values of JSON or ``key=value`` pairs whose key names PHI (names,
birth dates, member IDs, addresses), US Social Security numbers, and ``DMG``/``NM1``
segments of X12 text.
"""

from __future__ import annotations

import logging
import re

PHI_KEYS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "member_id",
    "line1",
    "line2",
    "postal_code",
    "city",
    "patient_name",
    "subscriber_name",
)
_KEY = "|".join(PHI_KEYS)
_KEYED = re.compile(
    rf"""(?P<key>["']?(?:{_KEY})["']?\s*[:=]\s*)(?P<value>"[^"]*"|'[^']*'|[^\s,;}}]+)""",
    re.IGNORECASE,
)
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_SEGMENTS = re.compile(r"\b(?:NM1|DMG|N3|N4)\*[^~\n]*")
MASK = "[redacted]"


def redact(text: str) -> str:
    text = _KEYED.sub(lambda m: m.group("key") + MASK, text)
    text = _SSN.sub(MASK, text)
    return _SEGMENTS.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with :func:`redact`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def install_redaction(
    names: tuple[str, ...] = (
        "",
        "prefect",
        "prefect.flow_runs",
        "prefect.task_runs",
        "flows",
        "edi",
    ),
) -> None:
    """Attach the filter to the pipeline's loggers and their handlers (idempotent)."""
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
