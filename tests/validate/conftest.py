"""Base files for the agreement tests: the project's own outputs, built here."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.pipeline.conftest import night  # noqa: F401  (the pipeline's real-services fixture)


def built_837p(claims: int, day: date = date(2026, 11, 26)) -> bytes:
    """An 837P of ``claims`` synthetic claims, as ``claims build`` writes it."""
    from edi.claims.build_837p import build_interchanges
    from edi.claims.models import Encounter
    from edi.x12.control import MemoryControlNumbers
    from mappings.profiles import clearinghouse_profile
    from sandbox.synthetic import encounters

    models = (Encounter.model_validate(d) for d in encounters(claims, day, broken_share=0.0))
    profile = clearinghouse_profile("sandbox")
    created = datetime(2026, 11, 27, 1, 0)
    return b"".join(
        ic.data for ic in build_interchanges(models, profile, MemoryControlNumbers(), created)
    )


@pytest.fixture(scope="session")
def project_outputs() -> list[tuple[str, str]]:
    """A built 837P and what the sandbox clearinghouse answers it: 999, 277CA, 835s."""
    return project_outputs_now()


def project_outputs_now() -> list[tuple[str, str]]:
    from sandbox.responder import Responder

    claims = built_837p(6)
    replies = Responder(clock=lambda: datetime(2026, 11, 27, 2, 0), seed=3).respond(
        claims, "night.x12"
    )
    return [("837P", claims.decode("ascii"))] + [
        (f"{r.kind}:{r.name}", r.data.decode("ascii")) for r in replies
    ]
