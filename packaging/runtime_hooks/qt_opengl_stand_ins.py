"""Runtime hook of the frozen console: stand-ins for PySide6.QtOpenGL and QtOpenGLWidgets.

pyqtgraph imports both modules by name when it is imported (``pyqtgraph.Qt`` and
``pyqtgraph.Qt.OpenGLHelpers``), but uses them only to draw through OpenGL, which the
console never turns on (pyqtgraph's ``useOpenGL`` and ``enableExperimental`` options stay
off: its graphs are painted with QPainter). The spec leaves Qt's OpenGL modules and
libraries out of the frozen folder (about 10 MB), and this hook answers those two imports
when the real modules are absent: ``QOpenGLWidget`` is a class that refuses to be created,
any other name is missing. A real module, where one is bundled, wins: the stand-ins'
finder is the last on ``sys.meta_path``.

Standard library only (``importlib.machinery``), imported before the entry script.
"""

import importlib.machinery
import sys

STAND_IN_MODULES = ("PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets")
UNAVAILABLE = "Qt's OpenGL modules are not part of the frozen Ekran Cluster Console"


class OpenGLUnavailable:
    """Base of the stand-in classes: subclassing works, creating an instance raises."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(UNAVAILABLE)


def _missing(name):
    raise AttributeError(f"{name}: {UNAVAILABLE}")


class QtOpenGLStandIns:
    """A meta path finder and loader of the stand-in modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in STAND_IN_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        if module.__name__ == "PySide6.QtOpenGLWidgets":
            module.QOpenGLWidget = type(
                "QOpenGLWidget", (OpenGLUnavailable,), {"__module__": module.__name__}
            )
        module.__getattr__ = _missing


sys.meta_path.append(QtOpenGLStandIns())
