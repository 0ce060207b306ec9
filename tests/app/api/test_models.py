"""The reply models: tolerant of additions, strict about what the console relies on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from app.api.errors import ProtocolError
from app.api.models import (
    ClusterReply,
    HealthStatus,
    Server,
    ServerStatus,
    TokenGrant,
    VersionInfo,
)
from app.api.replies import parse_model


def server_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "as-01",
        "name": "EKRAN-AS01",
        "address": "10.20.0.11",
        "status": "online",
        "clients": 57,
        "version": "9.2.4.1270",
        "isolation": None,
        "last_seen": "2025-03-12T10:15:01Z",
        "management_url": "https://as01.corp.local/EkranSystem",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("value", ["maintenance", "", "ONLINE?", 3, None])
def test_an_unknown_status_reads_as_unknown(value: object) -> None:
    assert Server.model_validate(server_json(status=value)).status is ServerStatus.UNKNOWN


def test_known_statuses_are_case_insensitive() -> None:
    assert Server.model_validate(server_json(status="Isolated")).status is ServerStatus.ISOLATED


def test_unknown_fields_are_ignored_everywhere() -> None:
    reply = ClusterReply.model_validate(
        {
            "cluster": {"name": "EKRAN-PROD", "generated_at": "2025-03-12T10:15:02Z", "zone": 1},
            "servers": [
                server_json(
                    datacenter="eu-1",
                    isolation={"since": "2025-03-12T09:40:00+01:00", "by": "admin",
                               "reason": "updates", "ticket": "CHG-1"},
                )
            ],
            "next_page": None,
        }
    )  # fmt: skip
    server = reply.servers[0]
    assert server.isolation is not None
    assert server.isolation.since == datetime(2025, 3, 12, 8, 40, tzinfo=UTC)
    assert not hasattr(server, "datacenter")


def test_models_are_immutable() -> None:
    server = Server.model_validate(server_json())
    with pytest.raises(ValidationError):
        server.clients = 3


def test_negative_clients_are_a_protocol_error_naming_the_field() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_model(Server, server_json(clients=-1), status=200, url="https://mt/EkranSystem")
    assert "clients" in caught.value.detail
    assert caught.value.status == 200


def test_validation_errors_never_echo_values() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_model(
            TokenGrant,
            {"access_token": "s3cr3t-token-value", "expires_in": "soon"},
            status=200,
            url="https://mt/EkranSystem/api/v1/auth/token",
            secret=True,
        )
    error = caught.value
    assert error.excerpt is None
    for text in (str(error), repr(error), error.detail):
        assert "s3cr3t" not in text


def test_token_is_hidden_in_repr() -> None:
    grant = TokenGrant.model_validate(
        {"access_token": "mF_9.B5f-4.1JqM", "token_type": "Bearer", "expires_in": 3600}
    )
    assert "mF_9" not in repr(grant)
    assert grant.access_token.get_secret_value() == "mF_9.B5f-4.1JqM"


def test_version_info_reads_the_documented_shape() -> None:
    info = VersionInfo.model_validate(
        {"version": "9.1.8.1143", "build": 1143, "released": "2024-11-18", "channel": "lts"}
    )
    assert info == VersionInfo(version="9.1.8.1143", build="1143", released=date(2024, 11, 18))


def test_health_status_parsing() -> None:
    assert HealthStatus.parse("degraded") is HealthStatus.DEGRADED
    assert HealthStatus.parse("Broken") is HealthStatus.UNKNOWN
    assert HealthStatus.parse(None) is HealthStatus.UNKNOWN
