"""The suite's xdist scheduler (``tests/helpers/scheduling.py``): modules whole on one
worker, except those marked ``spread``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.scheduling import marks_module_spread
from tests.helpers.simulator_process import ROOT

pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    ("source", "spread"),
    [
        ("import pytest\npytestmark = pytest.mark.spread\n", True),
        ("pytestmark = [pytest.mark.filterwarnings('x'), pytest.mark.spread]\n", True),
        ("pytestmark: object = (pytest.mark.spread,)\n", True),
        ("pytestmark = pytest.mark.skip\n", False),
        ("def test_x():\n    pytestmark = pytest.mark.spread\n", False),  # not the module's
        ("spread = pytest.mark.spread\n", False),
    ],
)
def test_a_spread_module_is_told_from_its_source(source: str, spread: bool) -> None:
    assert marks_module_spread(source) is spread


def test_the_suites_long_process_modules_are_spread() -> None:
    for module in ("tests/app/cli/test_rollout_cli.py", "tests/ui/test_process_end.py"):
        assert marks_module_spread((ROOT / module).read_text(encoding="utf-8")), module
    assert not marks_module_spread((ROOT / "tests/app/test_paths.py").read_text("utf-8"))


def test_each_module_runs_whole_on_one_worker(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only xdist among the installed plugins: three fresh pytest processes start faster.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    record = pytester.path / "ran.jsonl"
    test_body = (
        "import json, os\n"
        "import pytest\n"
        "@pytest.mark.parametrize('n', range(6))\n"
        "def test_n(n):\n"
        f"    with open({str(record)!r}, 'a') as f:\n"
        "        f.write(json.dumps([__name__, os.environ['PYTEST_XDIST_WORKER']]) + '\\n')\n"
    )
    pytester.makepyfile(test_a=test_body, test_b=test_body, test_c=test_body)
    pytester.makeconftest(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import pytest\n"
        "@pytest.hookimpl(optionalhook=True)\n"
        "def pytest_xdist_make_scheduler(config, log):\n"
        "    from tests.helpers.scheduling import ModuleScheduling\n"
        "    return ModuleScheduling(config, log)\n"
    )
    result = pytester.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "--dist", "loadscope", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=18)
    workers: dict[str, set[str]] = {}
    for line in Path(record).read_text().splitlines():
        module, worker = json.loads(line)
        workers.setdefault(module, set()).add(worker)
    assert sorted(workers) == ["test_a", "test_b", "test_c"]
    assert all(len(ran_on) == 1 for ran_on in workers.values()), workers
