"""``ekran-console-cli`` run in the test's own process: ``main(argv)`` with captured output.

Much faster than a subprocess; used wherever the process boundary is not the subject.
The console's folders live under a temporary ``EKRAN_CONSOLE_HOME``; the keyring is an
in-memory one (or none at all, like a headless machine).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.audit import AuditLog
from app.cli.main import Services, main
from app.connections import ConnectionStore
from app.credentials import CredentialStore, NullCredentialStore
from app.logsetup import forget_registered_secrets
from app.paths import AppPaths
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.simulator_process import SimulatorProcess


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class InProcessCli:
    """Calls ``app.cli.main`` with ``argv``; ``keyring`` None means no usable keyring."""

    def __init__(
        self,
        home: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        *,
        keyring: MemoryKeyring | None,
    ) -> None:
        self.home = home
        self.keyring = keyring
        self._monkeypatch = monkeypatch
        self._capsys = capsys

    @property
    def fixtures(self) -> tuple[pytest.MonkeyPatch, pytest.CaptureFixture[str]]:
        """The test's ``monkeypatch`` and ``capsys``, for another console in the same test."""
        return self._monkeypatch, self._capsys

    def services(self, paths: AppPaths) -> Services:
        return Services(
            paths=paths,
            store=ConnectionStore(paths),
            credentials=(
                NullCredentialStore("no keyring in this test")
                if self.keyring is None
                else CredentialStore(self.keyring)
            ),
            audit=AuditLog.in_data_dir(paths),
        )

    def run(self, *args: str, password: str | None = None, check: int | None = 0) -> Result:
        self._monkeypatch.setenv("EKRAN_CONSOLE_HOME", str(self.home))
        if password is None:
            self._monkeypatch.delenv("EKRAN_CONSOLE_PASSWORD", raising=False)
        else:
            self._monkeypatch.setenv("EKRAN_CONSOLE_PASSWORD", password)
        self._capsys.readouterr()  # drop anything printed before
        try:
            code = main(list(args), services_factory=self.services)
        finally:
            forget_registered_secrets()  # a process would end here and take them along
        out, err = self._capsys.readouterr()
        result = Result(code, out, err)
        if check is not None:
            assert code == check, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
        return result

    def json(self, *args: str, password: str | None = None, check: int | None = 0) -> Any:
        return self.run(*args, "--json", password=password, check=check).json()

    def add(self, sim: SimulatorProcess, name: str = "Demo", *extra: str) -> None:
        """Save a connection to ``sim`` that trusts its CA."""
        self.run(
            "connections", "add", name,
            "--url", sim.url, "--user", sim.info.username, "--ca", str(sim.info.ca_file),
            *extra,
        )  # fmt: skip
