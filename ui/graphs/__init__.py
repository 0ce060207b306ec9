"""Load graphs: Clients per server and in total over time, from the load history.

PySide6 is imported first so that pyqtgraph, imported by the modules below, binds to it.
"""

import PySide6.QtCore  # noqa: F401

from ui.graphs.graph_range import GraphRange
from ui.graphs.load_graph_panel import LoadGraphPanel

__all__ = ["GraphRange", "LoadGraphPanel"]
