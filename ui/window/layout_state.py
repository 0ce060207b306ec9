"""Saving and restoring the window's layout (geometry, docks, splitter, table columns)."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
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

    ``hidden_until_used`` (the Downloads panel) stays hidden whatever was saved. The
    window ends up inside the available area of its screen (``fit_to_screen``): a
    geometry saved at another scale or on a larger screen is shrunk and moved.
    """
    geometry = settings.geometry()
    if geometry is not None:
        window.restoreGeometry(geometry)
    fit_to_screen(window)
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


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move ``window`` (frame included) into its screen's available area.

    The screen is the one under the window's centre, else the primary one. A maximised
    or full-screen window is left to the window manager.
    """
    if window.isMaximized() or window.isFullScreen():
        return
    screen = QGuiApplication.screenAt(window.geometry().center()) or window.screen()
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    inner = window.geometry()
    # the frame's extra size (title bar, borders); zero before the window was shown
    extra_w = max(0, frame.width() - inner.width())
    extra_h = max(0, frame.height() - inner.height())
    width = min(inner.width(), available.width() - extra_w)
    height = min(inner.height(), available.height() - extra_h)
    width = max(width, window.minimumWidth())
    height = max(height, window.minimumHeight())
    if (width, height) != (inner.width(), inner.height()):
        window.resize(width, height)
    fitted = QRect(frame.topLeft(), window.frameGeometry().size())
    left = min(max(fitted.left(), available.left()), available.right() - fitted.width() + 1)
    top = min(max(fitted.top(), available.top()), available.bottom() - fitted.height() + 1)
    left, top = max(left, available.left()), max(top, available.top())
    if (left, top) != (fitted.left(), fitted.top()):
        window.move(left, top)
