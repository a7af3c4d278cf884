"""Validate X12 text with pyx12 and return its findings as data, never as log lines.

The sandbox builds its 999 from these findings, and tests use :func:`validate` to prove
that every file the sandbox writes passes the implementation guides.  pyx12 reports what
it finds through the ``logging`` module, element values included, and those values can be
names or member IDs: its logger is therefore detached from the application's logging
here, and the messages are captured per call (per thread) into the result instead.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

_capture = threading.local()


class _CaptureHandler(logging.Handler):
    """Send pyx12's error records to the list of the validation running on this thread."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = getattr(_capture, "messages", None)
        if sink is not None:
            sink.append(record.getMessage())


_pyx12_logger = logging.getLogger("pyx12")
_pyx12_logger.propagate = False
_pyx12_logger.handlers[:] = [_CaptureHandler(level=logging.ERROR)]
_pyx12_logger.setLevel(logging.ERROR)
logging.getLogger("pyx12.error_999").setLevel(logging.ERROR)

# pyx12's control map makes GS mandatory, but an interchange that only carries a TA1
# (IEA01 = 0) is valid X12; pyx12 logs these two lines for it without counting an error.
_TA1_ONLY_NOISE = 'Mandatory loop "Functional Group Header" (GS_LOOP) missing'


@dataclass(frozen=True, slots=True)
class Pyx12Result:
    """pyx12's verdict on one document.

    ``tree`` is pyx12's error tree (interchanges → groups → transactions → segments →
    elements, see ``pyx12.errh_json``); ``messages`` are its error messages, which may
    quote element values and so must not be logged; ``engine_error`` is set when pyx12
    could not validate at all (not X12, or no map for the guide in GS08).
    """

    ok: bool
    tree: dict[str, Any] = field(default_factory=dict)
    messages: tuple[str, ...] = ()
    engine_error: str | None = None


def validate(data: bytes | str) -> Pyx12Result:
    """Validate ``data`` against the guide its GS08 names (pyx12's maps)."""
    text = data.decode("ascii", errors="replace") if isinstance(data, bytes) else data
    tree_out = io.StringIO()
    _capture.messages = messages = []
    try:
        ok = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), None, None, None, tree_out
        )
    except (pyx12.errors.EngineError, pyx12.errors.X12Error) as exc:
        return Pyx12Result(False, {}, tuple(messages), str(exc) or type(exc).__name__)
    except Exception as exc:  # pyx12 documents no other errors; its texts may quote data
        return Pyx12Result(False, {}, tuple(messages), f"pyx12 stopped ({type(exc).__name__})")
    finally:
        _capture.messages = None
    tree = json.loads(tree_out.getvalue()) if tree_out.getvalue() else {}
    if not tree:
        return Pyx12Result(False, {}, tuple(messages), "pyx12 did not read an interchange")
    real = tuple(m for m in messages if not _ta1_only_noise(m, tree))
    return Pyx12Result(ok and not real, tree, real)


def _ta1_only_noise(message: str, tree: dict[str, Any]) -> bool:
    interchanges = tree.get("interchanges", [])
    return _TA1_ONLY_NOISE in message and all(not i.get("groups") for i in interchanges)
