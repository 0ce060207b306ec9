"""Saving and restoring the window's layout (geometry, docks, splitter, table columns)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from ui.cluster.cluster_pane import ClusterPane
from ui.settings import WindowSettings


def restore_layout(
    settings: WindowSettings,
    window: QMainWindow,
    splitter: QSplitter,
    cluster: ClusterPane,
    hidden_until_used: QWidget,
) -> None:
    """Apply what ``save_layout`` kept; missing or unusable values leave the defaults.

    ``hidden_until_used`` (the Downloads panel) stays hidden whatever was saved.
    """
    geometry = settings.geometry()
    if geometry is not None:
        window.restoreGeometry(geometry)
    state = settings.window_state()
    if state is not None:
        window.restoreState(state)
    hidden_until_used.hide()
    sizes = settings.splitter_state()
    if sizes is not None:
        splitter.restoreState(sizes)
    header = settings.cluster_header_state()
    if header is not None:
        cluster.restore_state(header)


def save_layout(
    settings: WindowSettings, window: QMainWindow, splitter: QSplitter, cluster: ClusterPane
) -> None:
    settings.set_geometry(window.saveGeometry())
    settings.set_window_state(window.saveState())
    settings.set_splitter_state(splitter.saveState())
    settings.set_cluster_header_state(cluster.save_state())
