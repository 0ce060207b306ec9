"""What the packaging tests measured (name -> value), shown at the end of the run.

Under pytest-xdist the tests run on a worker: the worker hands its measurements to the
controller when it ends (``tests/conftest.py``), which prints them.
"""

from __future__ import annotations

MEASUREMENTS: dict[str, str] = {}
WORKER_OUTPUT_KEY = "packaging_measurements"
