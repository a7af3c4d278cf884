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


# The Kubernetes worker's job variables (prefect-kubernetes' KubernetesWorkerVariables and
# Prefect's BaseVariables): a misspelt one would be silently ignored by the pool.
KUBERNETES_JOB_VARIABLES = {
    "name", "env", "labels", "command",
    "namespace", "image", "service_account_name", "image_pull_policy", "backoff_limit",
    "finished_job_ttl", "job_watch_timeout_seconds", "pod_watch_timeout_seconds",
    "stream_output", "cluster_config",
}  # fmt: skip


def _claims_variables() -> set[str]:
    """Every CLAIMS_* name the pipeline reads: Settings' fields and the S3 settings."""
    import inspect
    import re

    import flows.s3.store
    from flows.settings import Settings

    s3 = set(re.findall(r'"(CLAIMS_S3_[A-Z_]+)"', inspect.getsource(flows.s3.store)))
    return {f"CLAIMS_{name.upper()}" for name in Settings.model_fields} | s3


@pytest.mark.parametrize(
    "deployment", CONFIG["definitions"]["kubernetes_deployments"], ids=lambda d: d["name"]
)
def test_the_kubernetes_example_is_a_valid_deployment(deployment, monkeypatch):
    from prefect.cli.deploy._models import PrefectYamlModel

    model = PrefectYamlModel.model_validate({**CONFIG, "deployments": [deployment]})
    work_pool = model.deployments[0].work_pool
    assert work_pool is not None and work_pool.name == "kubernetes"
    variables = work_pool.job_variables
    assert set(variables) <= KUBERNETES_JOB_VARIABLES, set(variables) - KUBERNETES_JOB_VARIABLES
    env = variables["env"]
    assert all(isinstance(v, str) for v in env.values()), "Kubernetes env values are strings"
    unknown = {name for name in env if name.startswith("CLAIMS_")} - _claims_variables()
    assert not unknown, f"settings the pipeline does not read: {unknown}"
    monkeypatch.chdir(PROJECT)
    assert load_flow_from_entrypoint(deployment["entrypoint"]).name == "nightly-submission"
    assert not {d["name"] for d in CONFIG["deployments"]} & {deployment["name"]}
