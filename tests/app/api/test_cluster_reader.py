"""ClusterReplyReader: a reply's unchanged servers are the previous reply's objects."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from app.api.cluster_reader import ClusterReplyReader
from app.api.errors import ProtocolError
from app.api.models import ClusterReply
from app.api.replies import parse_model

URL = "https://tool.example:8443"


def entry(number: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": f"as-{number:02d}",
        "name": f"EKRAN-AS{number:02d}",
        "address": f"10.0.0.{number}",
        "status": "online",
        "clients": number * 10,
        "version": "9.2.4.1270",
        "isolation": None,
        "last_seen": "2026-12-07T11:00:00Z",
        "management_url": f"https://10.0.0.{number}:8443",
    }
    data.update(changes)
    return data


def reply(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"cluster": {"name": "Lab", "generated_at": "2026-12-07T11:00:01Z"}, "servers": entries}


def read(reader: ClusterReplyReader, data: dict[str, Any]) -> ClusterReply:
    return reader.read(copy.deepcopy(data), status=200, url=URL)


def test_unchanged_servers_are_the_same_objects_and_changed_ones_new() -> None:
    reader = ClusterReplyReader()
    first = read(reader, reply([entry(n) for n in range(1, 5)]))
    second = read(reader, reply([entry(1), entry(2, clients=3), entry(3), entry(4)]))
    assert [a is b for a, b in zip(first.servers, second.servers, strict=True)] == [
        True,
        False,
        True,
        True,
    ]
    assert second.servers[1].clients == 3
    plain = reply([entry(1), entry(2, clients=3), entry(3), entry(4)])
    assert second == parse_model(ClusterReply, plain, status=200, url=URL)


def test_a_value_equal_in_python_but_of_another_json_type_is_validated_again() -> None:
    reader = ClusterReplyReader()
    read(reader, reply([entry(1, clients=1)]))
    with pytest.raises(ProtocolError) as raised:
        read(reader, reply([entry(1, clients=True)]))  # True == 1, yet not a count
    with pytest.raises(ProtocolError) as plain:
        parse_model(ClusterReply, reply([entry(1, clients=True)]), status=200, url=URL)
    assert raised.value.detail == plain.value.detail
    assert raised.value.excerpt == plain.value.excerpt


def test_a_bad_entry_beside_reused_ones_reports_as_without_reuse() -> None:
    reader = ClusterReplyReader()
    read(reader, reply([entry(1), entry(2)]))
    bad = reply([entry(1), entry(2, status=None, clients=-1)])
    with pytest.raises(ProtocolError) as raised:
        read(reader, bad)
    with pytest.raises(ProtocolError) as plain:
        parse_model(ClusterReply, bad, status=200, url=URL)
    assert (raised.value.detail, raised.value.excerpt) == (plain.value.detail, plain.value.excerpt)
    # a duplicated id is refused even when both entries could be reused
    with pytest.raises(ProtocolError, match="does not understand"):
        read(reader, reply([entry(1), entry(1)]))


def test_random_polls_read_as_a_plain_validation_does() -> None:
    rng = random.Random(14)
    reader = ClusterReplyReader()
    entries = [entry(n) for n in range(1, 41)]
    for _poll in range(60):
        for item in rng.sample(entries, 5):
            choice = rng.randrange(4)
            if choice == 0:
                item["clients"] = rng.randrange(500)
            elif choice == 1:
                item["status"] = rng.choice(["online", "isolated", "offline", "Weird"])
            elif choice == 2:
                item["isolation"] = {"by": "ops", "reason": "updates", "since": None}
            else:
                item["last_seen"] = f"2026-12-07T11:{rng.randrange(60):02d}:00Z"
        if rng.random() < 0.1:
            entries.pop(rng.randrange(len(entries)))
        if rng.random() < 0.1:
            entries.append(entry(100 + _poll))
        data = reply(entries)
        assert read(reader, data) == parse_model(
            ClusterReply, copy.deepcopy(data), status=200, url=URL
        )
