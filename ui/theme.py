"""Application-wide look: high-DPI policy, style, light/dark colour scheme, readable
accent colours and the environment tag colours."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

MIN_GRAPHIC_CONTRAST = 3.0
"""WCAG's minimum contrast for graphics (sparklines, load bars) against their background."""


class Appearance(StrEnum):
    """The colour scheme the admin chose in Preferences (the value is what is stored)."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"

    @property
    def label(self) -> str:
        return {"system": "Same as the system", "light": "Light", "dark": "Dark"}[self.value]


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


def apply_appearance(app: QApplication, appearance: Appearance) -> None:
    """Follow the system's light/dark setting, or force one (``QStyleHints.colorScheme``).

    With SYSTEM the platform decides, high-contrast themes included (Windows 10/11 and
    Qt 6.5+ report the system's scheme; the palette follows it). With LIGHT or DARK the
    scheme is requested from the platform and, where the style's palette does not
    follow (Fusion on platforms without a theme), a matching palette is set.
    """
    hints = QGuiApplication.styleHints()
    app.setPalette(QPalette())  # an empty palette: back to the platform's own
    if appearance is Appearance.SYSTEM:
        hints.unsetColorScheme()
        return
    wanted = Qt.ColorScheme.Dark if appearance is Appearance.DARK else Qt.ColorScheme.Light
    hints.setColorScheme(wanted)
    if is_dark(app.palette()) != (appearance is Appearance.DARK):
        app.setPalette(dark_palette() if appearance is Appearance.DARK else light_palette())


def is_dark(palette: QPalette) -> bool:
    """True when the palette's window background is darker than its text."""
    return (
        palette.color(QPalette.ColorRole.Window).lightness()
        < palette.color(QPalette.ColorRole.WindowText).lightness()
    )


def light_palette() -> QPalette:
    """A light palette (Fusion's colours)."""
    return _palette(
        window="#efefef",
        base="#ffffff",
        alternate="#f7f7f7",
        text="#000000",
        button="#efefef",
        highlight="#308cc6",
        highlighted_text="#ffffff",
        placeholder="#6b6b6b",
        link="#0b57a8",
        mid="#a0a0a0",
    )


def dark_palette() -> QPalette:
    """A dark palette whose accent keeps 3:1 contrast on its backgrounds."""
    return _palette(
        window="#2b2b2b",
        base="#1e1e1e",
        alternate="#262626",
        text="#f0f0f0",
        button="#353535",
        highlight="#3d9ae8",
        highlighted_text="#000000",
        placeholder="#a8a8a8",
        link="#7cb8ff",
        mid="#707070",
    )


def _palette(**colours: str) -> QPalette:
    role = QPalette.ColorRole
    palette = QPalette()
    roles = {
        "window": [role.Window],
        "base": [role.Base, role.ToolTipBase],
        "alternate": [role.AlternateBase],
        "text": [role.WindowText, role.Text, role.ButtonText, role.ToolTipText, role.BrightText],
        "button": [role.Button],
        "highlight": [role.Highlight],
        "highlighted_text": [role.HighlightedText],
        "placeholder": [role.PlaceholderText],
        "link": [role.Link, role.LinkVisited],
        "mid": [role.Mid, role.Dark, role.Shadow],
    }
    for name, targets in roles.items():
        for target in targets:
            palette.setColor(target, QColor(colours[name]))
    disabled = QColor(colours["placeholder"])
    for target in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, target, disabled)
    palette.setColor(role.Light, QColor(colours["button"]).lighter(130))
    palette.setColor(role.Midlight, QColor(colours["button"]).lighter(115))
    return palette


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(colour.redF())
            + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF())
        )

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def graphic_colour(palette: QPalette, *, selected: bool = False) -> QColor:
    """The colour of a small graphic (sparkline, load bar) in a view cell.

    The highlight colour (highlighted text on a selected row), made lighter or darker
    until it has ``MIN_GRAPHIC_CONTRAST`` against the cell's background, so it stays
    readable in light, dark and high-contrast palettes.
    """
    role = QPalette.ColorRole
    colour = QColor(palette.color(role.HighlightedText if selected else role.Highlight))
    background = palette.color(role.Highlight if selected else role.Base)
    toward_light = background.lightness() < 128
    for _ in range(12):
        if contrast_ratio(colour, background) >= MIN_GRAPHIC_CONTRAST:
            break
        colour = colour.lighter(125) if toward_light else colour.darker(125)
        if toward_light and colour.lightness() >= 250:
            colour = QColor("#ffffff")
        if not toward_light and colour.lightness() <= 5:
            colour = QColor("#000000")
    return colour
