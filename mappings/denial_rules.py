"""Loaders of the worklist rules people edit: ``denials.csv`` and ``worklists.yaml``.

``denials.csv`` maps a CAS group + CARC (+ a RARC where it changes the meaning) to whether
the adjustment is a denial to work or a normal adjustment to post, and for denials to a
category, the team that owns it, the kind of action and the action in the project's own
words.  See :mod:`edi.worklists.rules` for how a lookup falls back.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import yaml

from edi.worklists.rules import (
    ACTION_KINDS,
    ANY,
    DENIAL_CATEGORIES,
    GROUPS,
    AdjustmentRule,
    DenialRules,
)
from edi.worklists.settings import WorklistSettings

HERE = Path(__file__).parent
DENIALS_CSV = HERE / "denials.csv"
WORKLISTS_YAML = HERE / "worklists.yaml"
COLUMNS = ("group", "carc", "rarc", "kind", "category", "team", "action_kind", "why", "action")


class RulesFileError(ValueError):
    """A row of the rules file is wrong; the message names the file, the line and the fix."""


def _rule(row: dict[str, str], where: str) -> AdjustmentRule:
    values = {k: (row.get(k) or "").strip() for k in COLUMNS}
    values["group"] = values["group"].upper() or ANY
    values["carc"] = values["carc"].upper()
    values["rarc"] = values["rarc"].upper()
    if values["group"] not in (*GROUPS, ANY):
        raise RulesFileError(f"{where}: group {values['group']!r} is not one of {GROUPS} or *")
    if not values["carc"]:
        raise RulesFileError(f"{where}: carc is empty (use * for any)")
    if values["kind"] not in ("denial", "normal"):
        raise RulesFileError(f"{where}: kind must be 'denial' or 'normal'")
    if values["kind"] == "denial" and values["category"] not in DENIAL_CATEGORIES:
        raise RulesFileError(
            f"{where}: category {values['category']!r} is not one of {DENIAL_CATEGORIES}"
        )
    if values["action_kind"] not in ACTION_KINDS:
        raise RulesFileError(f"{where}: action_kind must be one of {ACTION_KINDS}")
    for key in ("category", "team", "why", "action"):
        if not values[key]:
            raise RulesFileError(f"{where}: {key} is empty")
    return AdjustmentRule(**values)  # type: ignore[arg-type]


def load_denial_rules(path: str | Path = DENIALS_CSV) -> DenialRules:
    """Read and check a denials table; any bad row raises :class:`RulesFileError`."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise RulesFileError(f"{path.name}: missing columns {sorted(missing)}")
        rows = [_rule(row, f"{path.name} line {reader.line_num}") for row in reader]
    try:
        return DenialRules(rows)
    except ValueError as exc:
        raise RulesFileError(f"{path.name}: {exc}") from exc


@cache
def denial_rules() -> DenialRules:
    """The bundled denials table, loaded once per process."""
    return load_denial_rules(DENIALS_CSV)


def load_worklist_settings(path: str | Path = WORKLISTS_YAML) -> WorklistSettings:
    with Path(path).open(encoding="utf-8") as f:
        return WorklistSettings.model_validate(yaml.safe_load(f) or {})


@cache
def worklist_settings() -> WorklistSettings:
    """The bundled worklist settings, loaded once per process."""
    return load_worklist_settings(WORKLISTS_YAML)
