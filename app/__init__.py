"""Ekran Cluster Console core: Qt-free services shared by the window and the command line."""

__version__ = "0.1.0"
