"""Application-wide look: high-DPI policy, style and the environment tag colours."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QStyleFactory

BASIC_PLATFORMS = ("offscreen", "minimal")


def configure_high_dpi() -> None:
    """Before the QApplication exists: keep fractional scale factors (125 %, 150 %) exact."""
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )


def apply_style(app: QApplication) -> None:
    """Use Fusion where the platform has no native style (offscreen, minimal).

    On Windows and macOS the native style stays: administrators expect it.
    """
    if QGuiApplication.platformName() in BASIC_PLATFORMS and "Fusion" in list(QStyleFactory.keys()):
        app.setStyle("Fusion")
        font = QFont(app.font())
        if font.pointSizeF() < 9:
            font.setPointSizeF(9.5)
            app.setFont(font)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` ("#rrggbb")."""
    colour = QColor(background)
    luminance = 0.2126 * colour.redF() + 0.7152 * colour.greenF() + 0.0722 * colour.blueF()
    return "#000000" if luminance > 0.45 else "#ffffff"
