"""Ekran Cluster Console window (PySide6): views and models over the core in ``app``."""
