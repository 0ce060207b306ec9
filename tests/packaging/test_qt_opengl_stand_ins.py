"""The frozen app's stand-ins for PySide6.QtOpenGL and QtOpenGLWidgets (a runtime hook).

The spec leaves Qt's OpenGL modules out; pyqtgraph imports them by name all the same.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.packaging.paths import QT_OPENGL_STAND_INS

STAND_INS = ("PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets")

# Runs in a fresh interpreter: hides the real modules as a frozen folder without them does
# (the stand-ins' finder goes first), then has pyqtgraph draw the kinds of items the load
# graph uses.
DRAW_WITHOUT_QT_OPENGL = """
import runpy, sys
runpy.run_path(sys.argv[1])
sys.meta_path.insert(0, sys.meta_path.pop())
import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication
application = QApplication([])
widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem("bottom")})
widget.resize(400, 300)
plot = widget.getPlotItem()
plot.setMenuEnabled(False)
legend = plot.addLegend()
x = np.arange(100, dtype=float) + 1.7e9
plot.addItem(pg.PlotDataItem(x, np.sin(x), name="server", pen=pg.mkPen("r", width=2)))
plot.addItem(pg.PlotCurveItem(x, np.cos(x)))
plot.addItem(pg.ScatterPlotItem(x[:5], np.ones(5)))
plot.addItem(pg.InfiniteLine(x[50]))
widget.show()
image = widget.grab().toImage()
loaders = {type(sys.modules[name].__spec__.loader).__name__ for name in sys.argv[2:]}
print(image.isNull(), image.width(), sorted(loaders))
"""


@pytest.fixture
def stand_ins() -> Iterator[ModuleType]:
    """The hook run as a module; the finder it appends is taken off ``sys.meta_path`` after."""
    spec = importlib.util.spec_from_file_location("qt_opengl_stand_ins", QT_OPENGL_STAND_INS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    before = list(sys.meta_path)
    spec.loader.exec_module(module)
    try:
        yield module
    finally:
        sys.meta_path[:] = before


def stand_in(hook: ModuleType, name: str) -> ModuleType:
    finder = hook.QtOpenGLStandIns()
    spec = finder.find_spec(name)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    finder.exec_module(module)
    return module


def test_the_hook_appends_one_finder_for_the_two_opengl_modules_only(
    stand_ins: ModuleType,
) -> None:
    finder = sys.meta_path[-1]
    assert isinstance(finder, stand_ins.QtOpenGLStandIns)
    for name in STAND_INS:
        assert finder.find_spec(name) is not None
    for other in ("PySide6.QtGui", "PySide6.QtOpenGLWidgets.sub", "OpenGL", "QtOpenGL"):
        assert finder.find_spec(other) is None


def test_an_opengl_widget_can_be_subclassed_but_not_created(stand_ins: ModuleType) -> None:
    widgets = stand_in(stand_ins, "PySide6.QtOpenGLWidgets")

    class GraphicsViewGLWidget(widgets.QOpenGLWidget):  # type: ignore[name-defined, misc]
        pass

    with pytest.raises(RuntimeError, match="not part of the frozen"):
        GraphicsViewGLWidget()
    assert not isinstance(object(), widgets.QOpenGLWidget)


def test_any_other_name_is_missing(stand_ins: ModuleType) -> None:
    opengl = stand_in(stand_ins, "PySide6.QtOpenGL")
    assert not hasattr(opengl, "QOpenGLBuffer")
    with pytest.raises(AttributeError, match="not part of the frozen"):
        opengl.QOpenGLShaderProgram  # noqa: B018


def test_a_bundled_module_wins_over_its_stand_in() -> None:
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1]); import PySide6.QtOpenGL as m;"
        "print(type(m.__spec__.loader).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(QT_OPENGL_STAND_INS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ExtensionFileLoader"


def test_pyqtgraph_imports_and_draws_with_the_stand_ins() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", DRAW_WITHOUT_QT_OPENGL, str(QT_OPENGL_STAND_INS), *STAND_INS],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "400", "['QtOpenGLStandIns']"], result.stdout
