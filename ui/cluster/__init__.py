"""The live cluster table: model, filter proxy, view, stale banner and the pane around them."""

from ui.cluster.cluster_pane import ClusterPane
from ui.cluster.cluster_table_view import ClusterTableView
from ui.cluster.columns import Column, ServerRole
from ui.cluster.server_filter_proxy import ServerFilterProxy
from ui.cluster.server_table_model import ServerTableModel
from ui.cluster.stale_banner import StaleBanner

__all__ = [
    "ClusterPane",
    "ClusterTableView",
    "Column",
    "ServerFilterProxy",
    "ServerRole",
    "ServerTableModel",
    "StaleBanner",
]
