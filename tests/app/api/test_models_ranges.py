"""Numbers from a server are checked against sane ranges: "reply not understood" otherwise."""

from __future__ import annotations

import pytest

from app.api.errors import ProtocolError
from app.api.models import MAX_CLIENTS, Server, TokenGrant
from app.api.replies import parse_model
from tests.app.api.test_models import server_json

URL = "https://mt/EkranSystem"


@pytest.mark.parametrize("clients", [MAX_CLIENTS, 2**63, 2**64 + 5, True, False, -1])
def test_out_of_range_or_boolean_clients_are_not_understood(clients: object) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_model(Server, server_json(clients=clients), status=200, url=URL)
    assert caught.value.message == (
        "The Management Tool sent a reply this console does not understand."
    )
    assert "clients" in caught.value.detail


@pytest.mark.parametrize("clients", [0, 1, MAX_CLIENTS - 1])
def test_clients_within_range_are_accepted(clients: int) -> None:
    assert parse_model(Server, server_json(clients=clients), status=200, url=URL).clients == clients


@pytest.mark.parametrize("expires_in", [True, float("inf"), float("nan"), 0])
def test_a_token_lifetime_must_be_a_finite_positive_number(expires_in: object) -> None:
    body = {"access_token": "x" * 20, "expires_in": expires_in}
    with pytest.raises(ProtocolError):
        parse_model(TokenGrant, body, status=200, url=URL, secret=True)
