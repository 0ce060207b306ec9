"""SessionManager against the simulator: opening, re-opening, retrying and closing sessions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.connections import ConnectionProfile
from app.monitor import ConnectionState, MonitorStatus
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import wait_until
from ui.sessions import SessionManager
from ui.tasks import TaskRunner


class Passwords:
    """A password source that answers from a list and records ``forget()`` calls."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked = 0
        self.forgotten = 0

    async def __call__(self) -> str:
        self.asked += 1
        return self.answers[min(self.asked, len(self.answers)) - 1]

    def forget(self, reason: str = "") -> None:
        self.forgotten += 1


@pytest.fixture
async def runner() -> AsyncIterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    await task_runner.shutdown()


def state_of(sessions: SessionManager, profile: ConnectionProfile) -> ConnectionState | None:
    connection = sessions.connection(profile.id)
    return None if connection is None else connection.status.state


async def healthchecks_done(sessions: SessionManager, profile: ConnectionProfile) -> None:
    """Wait for the first round of healthchecks: closing while their TLS connections are
    being set up leaves sockets to the garbage collector (a ResourceWarning)."""
    connection = sessions.connection(profile.id)
    assert connection is not None
    monitor = connection.session.monitor
    await wait_until(lambda: len(monitor.health) == 4)


async def test_a_rejected_password_is_forgotten_and_retry_signs_in_again(
    runner: TaskRunner, shared_simulator: SimulatorProcess
) -> None:
    passwords = Passwords("wrong", shared_simulator.info.password)
    sessions = SessionManager(runner, lambda _profile: passwords)
    statuses: list[tuple[str, MonitorStatus]] = []
    sessions.status_changed.connect(lambda cid, status: statuses.append((cid, status)))
    profile = simulator_profile(shared_simulator)

    sessions.activate(profile)
    # The monitor's own status changes first; the window hears of it (and the password
    # is forgotten) when the bridge delivers it, a loop callback later.
    await wait_until(lambda: any(s.state is ConnectionState.AUTH_FAILED for _, s in statuses))
    assert passwords.forgotten == 1
    assert statuses[-1][0] == profile.id

    sessions.retry(profile.id)
    await wait_until(lambda: state_of(sessions, profile) is ConnectionState.CONNECTED)
    assert passwords.asked == 2
    await healthchecks_done(sessions, profile)
    await sessions.close_all()
    assert sessions.session_count == 0


async def test_closing_right_after_a_disconnect_still_closes_the_session(
    runner: TaskRunner, shared_simulator: SimulatorProcess
) -> None:
    sessions = SessionManager(runner, lambda _p: Passwords(shared_simulator.info.password))
    profile = simulator_profile(shared_simulator)
    connection = sessions.activate(profile)
    await wait_until(lambda: connection.status.state is ConnectionState.CONNECTED)
    await healthchecks_done(sessions, profile)

    sessions.close_connection(profile.id)
    assert sessions.current is None
    await runner.shutdown()  # cancels the task waiting for the close, not the close itself
    await sessions.close_all()

    assert sessions.session_count == 0
    assert not connection.session.monitor.running
    this_task = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not this_task and not t.done()] == []


async def test_a_changed_connection_is_reopened_and_keeps_its_password(
    runner: TaskRunner, shared_simulator: SimulatorProcess
) -> None:
    made: list[Passwords] = []

    def source(_profile: ConnectionProfile) -> Passwords:
        made.append(Passwords(shared_simulator.info.password))
        return made[-1]

    sessions = SessionManager(runner, source)
    current: list[object] = []
    sessions.current_changed.connect(current.append)
    profile = simulator_profile(shared_simulator)
    first = sessions.activate(profile)
    await wait_until(lambda: first.status.state is ConnectionState.CONNECTED)
    await healthchecks_done(sessions, profile)

    slower = profile.with_changes(poll_interval_s=1.0)
    sessions.profiles_changed([slower])
    second = sessions.connection(profile.id)
    assert second is not None
    assert second is not first
    assert current[-1] is second
    assert second.password is first.password  # not asked again
    await wait_until(lambda: second.status.state is ConnectionState.CONNECTED)
    await healthchecks_done(sessions, profile)

    sessions.profiles_changed([])  # removed: closed
    assert sessions.connection(profile.id) is None
    await sessions.close_all()
    assert sessions.session_count == 0
    assert len(made) == 1


async def test_connections_not_on_screen_poll_in_the_background(
    runner: TaskRunner, shared_simulator: SimulatorProcess
) -> None:
    sessions = SessionManager(
        runner,
        lambda _profile: Passwords(shared_simulator.info.password),
        background_poll_interval=5.0,
    )
    first = simulator_profile(shared_simulator, name="First")
    second = simulator_profile(shared_simulator, name="Second")
    slow = simulator_profile(shared_simulator, name="Slow", poll_interval_s=30.0)

    def interval(profile: ConnectionProfile) -> float:
        connection = sessions.connection(profile.id)
        assert connection is not None
        return connection.session.monitor.poll_interval

    sessions.activate(first)
    assert interval(first) == 0.5
    sessions.activate(second)
    sessions.activate(slow)
    assert (interval(first), interval(second), interval(slow)) == (5.0, 5.0, 30.0)
    sessions.activate(first)
    assert (interval(first), interval(second), interval(slow)) == (0.5, 5.0, 30.0)
    await wait_until(
        lambda: all(
            state_of(sessions, p) is ConnectionState.CONNECTED for p in (first, second, slow)
        )
    )
    for profile in (first, second, slow):
        await healthchecks_done(sessions, profile)
    await sessions.close_all()
    assert sessions.session_count == 0
