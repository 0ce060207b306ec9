"""How pytest-xdist hands the suite's tests to its workers (``--dist loadscope``).

- Each test module goes to one worker, whole: its module-scoped fixtures (a shared
  simulator, the window layout probe) start once, and its tests reuse the worker's
  pooled simulators. Spread over every worker, each worker would start them again.
- The packaging tests go to one worker together: they share one frozen build.
- A module marked ``spread`` (``pytestmark = pytest.mark.spread``) is the exception: its
  tests are long and mostly wait on processes of their own, so each goes to any worker,
  and they are handed out first, so that none of them is left running alone at the end
  while the other workers have finished.

xdist's own ``loadgroup`` cannot do this here: it tells the controller a test's group by
rewriting the test's node id on the worker, which pytest 9.2's structured node ids ignore
(pytest-xdist issue 1386), so every test went to any worker. The controller sees only
node ids, so whether a module is marked ``spread`` is read from its source.
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from pathlib import Path

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import WorkerController

PACKAGING = "tests/packaging/"


def marks_module_spread(source: str) -> bool:
    """Whether a module's source sets ``pytestmark`` to ``pytest.mark.spread`` (alone or
    in a list or tuple)."""
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets):
            continue
        marks = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        for mark in marks:
            if (
                isinstance(mark, ast.Attribute)
                and mark.attr == "spread"
                and isinstance(mark.value, ast.Attribute)
                and mark.value.attr == "mark"
            ):
                return True
    return False


class ModuleScheduling(LoadScopeScheduling):
    """``LoadScopeScheduling`` with the scopes above: a module, the packaging tests, or
    one test of a ``spread`` module; spread tests first, then the larger scopes."""

    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        super().__init__(config, log)
        self._root = Path(config.rootpath)
        self._spread: dict[str, bool] = {}
        self._ordered = False

    def is_spread(self, module: str) -> bool:
        if module not in self._spread:
            try:
                source = (self._root / module).read_text(encoding="utf-8")
            except OSError:  # not a file of ours (a doctest's path, say): keep it whole
                source = ""
            self._spread[module] = marks_module_spread(source)
        return self._spread[module]

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        if module.startswith(PACKAGING):
            return PACKAGING
        if self.is_spread(module):
            return nodeid
        return module

    def _assign_work_unit(self, node: WorkerController) -> None:
        if not self._ordered:  # the first assignment: the work queue is complete
            self._ordered = True
            units = sorted(
                self.workqueue.items(),
                key=lambda unit: (not self.is_spread(unit[0].split("::", 1)[0]), -len(unit[1])),
            )
            self.workqueue = OrderedDict(units)
        super()._assign_work_unit(node)
