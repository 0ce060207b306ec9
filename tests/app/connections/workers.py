"""Child processes for the store tests: ``python -m tests.app.connections.workers <command>``.

save-loop HOME            save a new generation of 20 connections forever, printing each
                          generation number after its save returned
add-many HOME TAG COUNT GO   wait for the file GO, then add COUNT connections named "TAG n"
hold-lock PATH            take the inter-process lock on PATH, print "locked", wait for EOF
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

from app.connections.filelock import InterProcessLock
from app.connections.model import ConnectionProfile
from app.connections.store import ConnectionStore
from app.paths import AppPaths

GENERATION_SIZE = 20
_IDS = [str(uuid.UUID(int=n + 1)) for n in range(GENERATION_SIZE)]


def generation_of(profile: ConnectionProfile) -> int:
    """The generation number in a name written by ``save-loop`` ("gen 12 #3")."""
    return int(profile.name.split()[1])


def _generation(number: int) -> list[ConnectionProfile]:
    return [
        ConnectionProfile(
            id=_IDS[k],
            name=f"gen {number} #{k}",
            urls=[f"mt{k}.example:8443"],
            username="admin",
            notes="n" * 2000,
        )
        for k in range(GENERATION_SIZE)
    ]


def save_loop(home: str) -> None:
    store = ConnectionStore(AppPaths.under(Path(home)))
    profiles = store.load().profiles
    number = max((generation_of(p) for p in profiles), default=0)
    while True:
        number += 1
        store.save(_generation(number))
        print(number, flush=True)


def add_many(home: str, tag: str, count: int, go_file: str) -> None:
    store = ConnectionStore(AppPaths.under(Path(home)), lock_timeout_s=60)
    deadline = time.monotonic() + 60
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            raise SystemExit("the start signal never came")
        time.sleep(0.005)
    for n in range(count):
        store.add(ConnectionProfile(name=f"{tag} {n}", urls=["mt.example"], username="u"))


def hold_lock(path: str) -> None:
    with InterProcessLock(Path(path)):
        print("locked", flush=True)
        sys.stdin.read()


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "save-loop":
        save_loop(args[0])
    elif command == "add-many":
        add_many(args[0], args[1], int(args[2]), args[3])
    elif command == "hold-lock":
        hold_lock(args[0])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
