"""AboutDialog: the console's version, the Qt and PySide versions and the log folder."""

from __future__ import annotations

import platform
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

import app
from ui.icons import icon
from ui.settings import APPLICATION


def version_lines() -> list[str]:
    """ "Version 0.1.0", "Qt 6.x", "PySide6 6.x", "Python 3.x": for the box and bug reports."""
    return [
        f"Version {app.__version__}",
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}",
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
    ]


class AboutDialog(QDialog):
    """The About box; the log folder link opens it in the file manager."""

    def __init__(self, log_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APPLICATION}")
        self.setAccessibleName(f"About {APPLICATION}")
        self._log_dir = log_dir

        logo = QLabel(self)
        size = self.fontMetrics().height() * 4
        logo.setPixmap(icon("app").pixmap(size, size))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel(f"<h2>{APPLICATION}</h2>", self)
        details = QLabel("<br>".join(version_lines()), self)
        details.setObjectName("aboutVersions")
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        purpose = QLabel(
            "Monitor the Application Servers of Ekran System high-availability clusters, "
            "isolate them for maintenance, check versions and download logs.",
            self,
        )
        purpose.setWordWrap(True)
        self.log_link = QLabel(f'<a href="log">Open the log folder</a> ({log_dir})', self)
        self.log_link.setObjectName("aboutLogFolder")
        self.log_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.log_link.linkActivated.connect(self._on_log_link_activated)

        text = QVBoxLayout()
        for widget in (title, details, purpose, self.log_link):
            text.addWidget(widget)
        top = QHBoxLayout()
        top.addWidget(logo)
        top.addLayout(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def _on_log_link_activated(self, _link: str) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_dir)))
