"""Fixtures of the health-only tests: a documented-only simulator."""

from tests.helpers.documented_simulator import closed_url, documented  # noqa: F401 (fixtures)
