"""The test suite's simulator pool: which options a reset may change (``split_options``)."""

from __future__ import annotations

from simulator.cli import build_parser
from simulator.options import RUN_SETTINGS, SimulatorOptions
from tests.helpers.simulator_pool import RUN_SETTING_FLAGS, split_options


def test_every_run_setting_has_its_command_line_option() -> None:
    options = {
        flag: action.dest for action in build_parser()._actions for flag in action.option_strings
    }

    assert sorted(RUN_SETTING_FLAGS.values()) == sorted(RUN_SETTINGS)
    assert all(flag in options for flag in RUN_SETTING_FLAGS)


def test_options_split_into_the_process_and_every_run_setting() -> None:
    fixed, settings = split_options(
        ["--servers", "3", "--seed", "7", "--documented-only", "--time-scale=0", "--churn", "0"]
    )

    defaults = SimulatorOptions()
    assert fixed == ["--servers", "3", "--documented-only"]
    assert settings == {
        **{name: getattr(defaults, name) for name in RUN_SETTINGS},
        "seed": 7,
        "time_scale": 0.0,
        "churn_per_minute": 0.0,
    }
    assert split_options(["--servers", "3"])[1] == split_options([])[1], (
        "a setting not asked for is reset to its default"
    )
    assert split_options(["--servers", "4", "--seed", "1"])[0] == split_options([])[0] == []
