"""When the Downloads actions apply, and what their tooltips say when they do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.downloads.items import make_item
from ui.downloads import DownloadItem, DownloadState
from ui.downloads.download_actions import ACCESSIBLE_NAME, DownloadActions


@pytest.fixture
def actions(qapp: QApplication) -> DownloadActions:
    return DownloadActions()


def in_state(state: DownloadState, server_id: str = "as-01") -> DownloadItem:
    item = make_item(server_id)
    if state is DownloadState.DONE:
        item.mark_done(Path("/downloads/x.zip"))
    elif state is DownloadState.FAILED:
        item.mark_failed("The connection was lost.", "")
    elif state is DownloadState.CANCELLED:
        item.mark_cancelled(None)
    else:
        item.state = state
    return item


def enabled(actions: DownloadActions) -> dict[str, bool]:
    every = (
        actions.cancel,
        actions.resume,
        actions.open_folder,
        actions.details,
        actions.remove,
        actions.clear_finished,
    )
    return {action.objectName(): action.isEnabled() for action in every}


def test_every_action_has_a_stable_name_and_an_accessible_name(
    actions: DownloadActions,
) -> None:
    assert set(enabled(actions)) == {
        "actionCancelDownload",
        "actionResumeDownload",
        "actionOpenDownloadFolder",
        "actionShowDownloadDetails",
        "actionClearDownload",
        "actionClearFinishedDownloads",
    }
    for action in actions.findChildren(type(actions.cancel)):
        assert action.property(ACCESSIBLE_NAME), action.objectName()


def test_nothing_selected_enables_only_clear_finished(actions: DownloadActions) -> None:
    actions.update([], any_saved=True)
    assert [name for name, on in enabled(actions).items() if on] == ["actionClearFinishedDownloads"]
    assert actions.cancel.toolTip() == "Select a download in progress to cancel it."
    actions.update([], any_saved=False)
    assert not actions.clear_finished.isEnabled()
    assert actions.clear_finished.toolTip() == "No saved downloads in the list."


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (DownloadState.QUEUED, {"actionCancelDownload"}),
        (DownloadState.RUNNING, {"actionCancelDownload"}),
        (DownloadState.CANCELLED, {"actionResumeDownload", "actionClearDownload"}),
        (
            DownloadState.FAILED,
            {"actionResumeDownload", "actionShowDownloadDetails", "actionClearDownload"},
        ),
        (DownloadState.DONE, {"actionClearDownload"}),
    ],
)
def test_actions_follow_the_selected_downloads_state(
    actions: DownloadActions, state: DownloadState, expected: set[str]
) -> None:
    actions.update([in_state(state)], any_saved=False)
    on = {name for name, is_on in enabled(actions).items() if is_on}
    assert on == expected | {"actionOpenDownloadFolder"}


def test_running_downloads_cannot_be_removed_and_the_tooltip_says_so(
    actions: DownloadActions,
) -> None:
    actions.update([in_state(DownloadState.RUNNING)], any_saved=False)
    assert not actions.remove.isEnabled()
    assert "cancel them first" in actions.remove.toolTip()


def test_a_cancel_already_asked_for_is_not_offered_again(actions: DownloadActions) -> None:
    item = in_state(DownloadState.RUNNING)
    item.cancel_requested = True
    actions.update([item], any_saved=False)
    assert not actions.cancel.isEnabled()


def test_resume_reads_retry_for_failures_and_names_a_closed_connection(
    actions: DownloadActions,
) -> None:
    failed = in_state(DownloadState.FAILED)
    actions.update([failed], any_saved=False)
    assert actions.resume.text() == "&Retry"
    actions.update([failed, in_state(DownloadState.CANCELLED, "as-02")], any_saved=False)
    assert actions.resume.text() == "&Resume"
    assert not actions.details.isEnabled(), "details are for one failed download"

    failed.connection_open = False
    actions.update([failed], any_saved=False)
    assert not actions.resume.isEnabled()
    assert actions.resume.toolTip() == (
        "The connection Production is closed: connect again to resume."
    )
