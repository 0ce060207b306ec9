"""Replies a hostile or broken server sends: duplicate ids, stalled bodies, doubled advice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.api.errors import ProtocolError, UnreachableError, UnreachableReason
from app.api.models import ClusterReply, Problem
from app.api.replies import parse_model, read_bounded
from app.api.status_errors import error_for_status
from tests.app.api.test_models import server_json

URL = "https://mt.corp/EkranSystem/api/v1/cluster"


def test_a_server_id_listed_twice_is_not_understood() -> None:
    body = {
        "cluster": {"name": "Prod", "generated_at": "2025-03-12T10:15:01Z"},
        "servers": [server_json(), server_json(name="EKRAN-IMPOSTOR")],
    }
    with pytest.raises(ProtocolError) as caught:
        parse_model(ClusterReply, body, status=200, url=URL)
    assert caught.value.message == (
        "The Management Tool sent a reply this console does not understand."
    )
    assert "listed twice" in caught.value.detail


class _StallingBody(httpx.AsyncByteStream):
    """Sends the start of a body, then nothing until the client's read timeout fires."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"cluster": '
        raise httpx.ReadTimeout("timed out")


async def test_a_body_that_stalls_after_its_headers_is_named_as_such() -> None:
    response = httpx.Response(200, stream=_StallingBody())
    with pytest.raises(UnreachableError) as caught:
        await read_bounded(response, 1 << 20, URL)
    assert caught.value.reason is UnreachableReason.TIMEOUT
    assert caught.value.message == "mt.corp started to answer, then stopped sending its reply."
    assert "did not answer in time" not in caught.value.message


def test_a_lockout_says_try_again_once() -> None:
    problem = Problem(
        status=429, detail="Too many failed logins for this account; try again in 60 seconds."
    )
    error = error_for_status(429, url=URL, problem=problem, excerpt=None, retry_after=60.0)
    assert error.message.casefold().count("try again") == 1
    plain = error_for_status(429, url=URL, problem=None, excerpt=None, retry_after=60.0)
    assert plain.message.casefold().count("try again") == 1


class _ClosableBody(httpx.AsyncByteStream):
    """A body larger than the limit that records whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 10

    async def aclose(self) -> None:
        self.closed = True


async def test_a_refused_body_is_closed_by_the_reader_not_the_garbage_collector() -> None:
    body = _ClosableBody()
    response = httpx.Response(200, stream=body)
    with pytest.raises(ProtocolError, match="larger than"):
        await read_bounded(response, 25, URL)
    assert body.closed
    assert response.is_closed
