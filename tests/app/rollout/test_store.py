"""Saved runs: one file per connection, refused when damaged, one holder of the lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.paths import AppPaths
from app.rollout import (
    RolloutBusyError,
    RolloutPlan,
    RolloutState,
    RolloutStore,
    RolloutStoreError,
    start_run,
)
from app.rollout.store import ad_hoc_key
from tests.app.rollout.fakes import FakeCluster


@pytest.fixture
def store(tmp_path: Path) -> RolloutStore:
    return RolloutStore(AppPaths.under(tmp_path))


def a_run() -> RolloutState:
    cluster = FakeCluster.of(10, 10)
    return start_run(
        RolloutPlan(servers=("as-02", "as-01"), target_version="9.3"),
        cluster.snapshot(),
        connection_id="c1",
        connection_name="Prod",
        user="admin",
        now=cluster.now,
    )


def test_a_saved_run_reads_back_equal_and_leaves_no_temporary_file(store: RolloutStore) -> None:
    run = a_run()
    store.save("c1", run)
    assert store.load("c1") == run
    assert store.load("other") is None
    assert [p.name for p in store.folder.iterdir()] == ["c1.json"]
    store.delete("c1")
    assert store.load("c1") is None


def test_a_damaged_file_is_refused_and_kept(store: RolloutStore) -> None:
    store.folder.mkdir(parents=True)
    path = store.path_for("c1")
    path.write_text('{"format": 1, "servers": "cut sh', encoding="utf-8")
    with pytest.raises(RolloutStoreError, match="damaged"):
        store.load("c1")
    assert path.exists()


def test_only_one_run_per_connection_holds_the_lock(store: RolloutStore) -> None:
    with store.lock("c1"):
        with pytest.raises(RolloutBusyError, match="already running"):
            store.lock("c1").acquire()
        with store.lock("c2") as other:
            assert other.held
    with store.lock("c1") as again:
        assert again.held


def test_keys_stay_inside_the_folder(store: RolloutStore) -> None:
    assert store.path_for("../../evil").parent == store.folder
    assert ad_hoc_key(["https://a"], "admin") == ad_hoc_key(["https://a"], "admin")
    assert ad_hoc_key(["https://a"], "admin") != ad_hoc_key(["https://b"], "admin")
