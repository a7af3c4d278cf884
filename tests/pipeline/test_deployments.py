"""prefect.yaml's deployments run from any machine's checkout, with nothing fixed at
deploy time: the pull step, as Prefect's engine runs it, lands in this checkout."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import yaml
from prefect.deployments.steps.core import run_steps
from prefect.flows import load_flow_from_entrypoint

PROJECT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((PROJECT / "prefect.yaml").read_text())


def test_the_pull_step_finds_the_checkout_from_anywhere(prefect_api, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a process worker starts each run in a temporary folder
    monkeypatch.delenv("CLAIMS_HOME", raising=False)
    assert "{{" not in repr(CONFIG["pull"]), "a template fixed or required per machine"
    output = asyncio.run(run_steps(CONFIG["pull"]))
    assert Path(output["directory"]) == PROJECT
    assert Path.cwd() == PROJECT


@pytest.mark.parametrize("deployment", CONFIG["deployments"], ids=lambda d: d["name"])
def test_each_entrypoint_loads_from_the_checkout(deployment, monkeypatch):
    monkeypatch.chdir(PROJECT)
    flow = load_flow_from_entrypoint(deployment["entrypoint"])
    assert flow.name == deployment["name"]
    assert os.path.isfile(deployment["entrypoint"].split(":")[0])
