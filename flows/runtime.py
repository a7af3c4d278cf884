"""Process settings for the pipeline's batch runs (the CLI and the flows)."""

from __future__ import annotations

import gc
import os
import warnings

BATCH_GC_THRESHOLD = (50_000, 20, 100)

THIRD_PARTY_NOISE = ("asyncssh",)
"""Packages whose ``CryptographyDeprecationWarning`` lines are silenced.

asyncssh (the demo's SFTP server) names DSA key classes at import time, which cryptography
43 and later deprecate: ten warning lines on every ``claims demo`` or ``claims sandbox``
start, about code the pipeline never runs (its keys are Ed25519).  The filter matches only
warnings raised inside those packages, so our own warnings and any other library's still
show.  Drop an entry once the package stops warning.
"""


def tune_for_batches() -> None:
    """Let CPython's cycle collector run far less often.

    A batch allocates millions of short-lived objects (models, findings, segments) and
    keeps a few thousand alive at a time (one interchange's claims).  With the default
    threshold of 700 allocations the collector rescans those live objects again and
    again: ``bench_scrub.py`` spent 40% of its time there.  Memory is unaffected, since
    nearly nothing here forms reference cycles; reference counting frees it at once.

    It also keeps NumPy's OpenBLAS to one thread: the pipeline does no linear algebra,
    and the pool OpenBLAS starts when NumPy is imported (a thread per CPU) costs CPU time
    for nothing, about 25 ms of every ``claims validate`` on two CPUs.  That setting only
    counts before NumPy's first import, as in the CLI; a value set outside wins.
    """
    gc.set_threshold(*BATCH_GC_THRESHOLD)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def quiet_third_party_warnings() -> None:
    """Silence the deprecation noise of :data:`THIRD_PARTY_NOISE` (call before importing them)."""
    from cryptography.utils import CryptographyDeprecationWarning

    for package in THIRD_PARTY_NOISE:
        warnings.filterwarnings(
            "ignore", category=CryptographyDeprecationWarning, module=rf"{package}(\.|$)"
        )
