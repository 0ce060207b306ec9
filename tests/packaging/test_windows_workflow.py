"""The Windows workflow builds with build.py, smoke-tests the frozen app and uploads both."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.packaging.paths import WORKFLOW


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    job = workflow["jobs"]["windows"]
    assert job["runs-on"] == "windows-latest"
    return list(job["steps"])


def test_it_runs_on_every_push_and_pull_request(workflow: dict[Any, Any]) -> None:
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as true
    assert "push" in triggers
    assert "pull_request" in triggers


def test_it_uses_python_3_11(workflow: dict[Any, Any]) -> None:
    setup = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11"


def test_it_installs_with_the_constraints_file(workflow: dict[Any, Any]) -> None:
    commands = [s.get("run", "") for s in steps(workflow)]
    assert any("-c requirements/constraints.txt -e" in c and "[test,dev]" in c for c in commands)


def test_the_real_keyring_tests_must_find_the_credential_manager(workflow: dict[Any, Any]) -> None:
    keyring = next(s for s in steps(workflow) if "-m keyring_real" in s.get("run", ""))
    assert keyring["env"]["EKRAN_TEST_REAL_KEYRING"] == "required"


def test_it_builds_the_installer_and_smoke_tests_the_frozen_app(workflow: dict[Any, Any]) -> None:
    commands = [s.get("run", "") for s in steps(workflow)]
    assert "python packaging/build.py --installer --smoke" in commands


def test_it_uploads_the_installer_and_the_frozen_folder(workflow: dict[Any, Any]) -> None:
    uploads = [
        s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    paths = {u["with"]["path"] for u in uploads}
    assert paths == {"dist/*.exe", "dist/ekran-console/"}
    assert all(u["with"]["if-no-files-found"] == "error" for u in uploads)
    build = [s.get("run", "") for s in steps(workflow)].index(
        "python packaging/build.py --installer --smoke"
    )
    assert all(steps(workflow).index(u) > build for u in uploads)
