"""The logging filter masks PHI that slips into a log line, and nothing else."""

from __future__ import annotations

import logging

import pytest

from flows.redaction import install_redaction, redact


def test_keyed_values_ssns_and_segments_are_masked() -> None:
    line = (
        'claim E1 {"last_name": "Doe", "birth_date": "1980-04-02"} member_id=W123 ssn 123-45-6789'
    )
    assert redact(line) == (
        'claim E1 {"last_name": [redacted], "birth_date": [redacted]} member_id=[redacted] '
        "ssn [redacted]"
    )
    assert redact("NM1*IL*1*DOE*JANE****MI*W123~ CLM*E1*150~") == "[redacted]~ CLM*E1*150~"
    assert redact("built 12 claims in ISA13 000000042") == "built 12 claims in ISA13 000000042"


def test_the_filter_rewrites_records_of_the_pipeline_loggers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_redaction()
    with caplog.at_level(logging.INFO, logger="flows"):
        logging.getLogger("flows.test").info("patient %s", {"first_name": "Jane"})
    assert "Jane" not in caplog.text and "[redacted]" in caplog.text
