"""The checkout this package runs from: the working directory of every deployed flow run.

``prefect.yaml``'s pull step calls :func:`enter_project` in each flow run's process on the
worker.  The worker installed this project (``pip install -e .``), so the package knows
where its checkout is: every machine finds its own, wherever it cloned it, and nothing
about one machine's paths is fixed when the deployments are made.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
"""The folder holding ``flows/``, ``prefect.yaml`` and (by default) ``claims-data/``."""


def enter_project() -> dict[str, str]:
    """Prefect pull step: work in this checkout.  Returns ``{"directory": ...}`` like
    Prefect's own ``set_working_directory``, which is what the engine changes into."""
    os.chdir(PROJECT)
    return {"directory": str(PROJECT)}
