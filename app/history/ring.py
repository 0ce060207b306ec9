"""Column arrays of history rows: the shape every tier's reads return."""

from __future__ import annotations

from typing import Any

import numpy.typing as npt

Columns = dict[str, npt.NDArray[Any]]
"""Equal-length arrays keyed by column name, oldest row first."""

TIME = "t"
"""The column of every tier that holds the time (POSIX seconds, float64)."""
