"""``claims schema``: print the JSON Schema of the encounter contract (encounter-v1)."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of an encounter", description=__doc__)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from edi.claims.models import Encounter

    schema = Encounter.model_json_schema()
    schema["title"] = "Coded encounter, version 1"
    print(json.dumps(schema, indent=2))
    return 0
