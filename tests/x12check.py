"""pyx12 as the tests' independent judge of X12 validity."""

from __future__ import annotations

import io
import json
import logging

import pyx12.params
import pyx12.x12n_document

logging.getLogger("pyx12").setLevel(logging.CRITICAL)


def pyx12_errors(text: str) -> list[dict]:
    """Every error pyx12 reports for ``text``, at any envelope or segment level."""
    report = io.StringIO()
    ok = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), io.StringIO(text), io.StringIO(), None, None, fd_json=report
    )
    errors: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            errors.extend(node.get("errors", []) or [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(report.getvalue() or "{}"))
    if not ok and not errors:
        errors.append({"message": "pyx12 judged the document invalid"})
    return errors
