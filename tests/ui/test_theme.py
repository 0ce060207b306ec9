"""Colour schemes and readable graphics in light, dark and high-contrast palettes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ui.theme import (
    MIN_GRAPHIC_CONTRAST,
    Appearance,
    apply_appearance,
    contrast_ratio,
    dark_palette,
    graphic_colour,
    is_dark,
    light_palette,
)


def _high_contrast() -> QPalette:
    """Like Windows' "High Contrast Black": a black base, and a dark-blue highlight
    that alone would vanish on it."""
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#000000"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#1a1a60"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#1a1a70"))
    return palette


@pytest.fixture
def qt_app(qapp: QApplication) -> Iterator[QApplication]:
    app = qapp
    palette = app.palette()
    yield app
    apply_appearance(app, Appearance.SYSTEM)
    app.setPalette(palette)


@pytest.mark.parametrize("palette", [light_palette(), dark_palette(), _high_contrast()])
@pytest.mark.parametrize("selected", [False, True])
def test_graphics_keep_three_to_one_contrast(palette: QPalette, selected: bool) -> None:
    colour = graphic_colour(palette, selected=selected)
    background = palette.color(
        QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base
    )
    assert contrast_ratio(colour, background) >= MIN_GRAPHIC_CONTRAST


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)


def test_dark_and_light_are_applied_and_system_follows_the_platform(qt_app: QApplication) -> None:
    # (the offscreen platform has no colour scheme of its own: the palette tells)
    platform = QPalette(qt_app.palette())
    apply_appearance(qt_app, Appearance.DARK)
    assert is_dark(qt_app.palette())
    apply_appearance(qt_app, Appearance.LIGHT)
    assert not is_dark(qt_app.palette())
    apply_appearance(qt_app, Appearance.SYSTEM)
    assert qt_app.palette() == platform  # the platform's own (high contrast included)
