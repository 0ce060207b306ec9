"""The simulator serves exactly the operations ``docs/openapi.yaml`` describes, and no others."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator.assembly import Credentials, create_state
from simulator.http_api import build_management_app, management_routes
from simulator.openapi import openapi_document_path
from simulator.options import SimulatorOptions

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def documented_operations() -> set[tuple[str, str]]:
    document = yaml.safe_load(openapi_document_path().read_text(encoding="utf-8"))
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


@pytest.fixture
def served(tmp_path: Path) -> set[tuple[str, str]]:
    options = SimulatorOptions()
    state = create_state(options, Credentials.for_options(options), work_dir=tmp_path)
    return management_routes(build_management_app(state, state.cluster.servers[0].id))


def test_the_document_is_found_next_to_the_package() -> None:
    path = openapi_document_path()

    assert path == Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
    assert path.is_file()


def test_every_served_route_is_documented(served: set[tuple[str, str]]) -> None:
    assert served, "the application has routes"
    assert served - documented_operations() == set()


def test_every_documented_operation_is_served(served: set[tuple[str, str]]) -> None:
    documented = documented_operations()

    assert documented, "the document has operations"
    assert documented - served == set()


def test_frozen_builds_look_in_the_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)

    assert openapi_document_path() == tmp_path / "docs" / "openapi.yaml"
