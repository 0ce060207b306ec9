"""The main window on real screen sizes and scales, checked by geometry.

Each case lays the window out in a process of its own (``layout_probe``: the scale
factor and the screen are fixed when Qt starts) on an offscreen screen, with a
40-server cluster, long connection names with tags and a long status message.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.helpers.simulator_process import ROOT
from ui.cluster.columns import KEY_COLUMNS, Column

SIDEBAR_MIN_CHARS = 12
CASES: dict[str, dict[str, Any]] = {
    "1024x700 at 100 %": {"scale": 1, "screen": [1280, 1024], "window": [1024, 700]},
    "1024x700 at 150 %": {"scale": 1.5, "screen": [1920, 1440], "window": [1024, 700]},
    "1024x700 at 200 %": {"scale": 2, "screen": [2080, 1500], "window": [1024, 700]},
    # a 1080p laptop at 200 % (960 x 540 logical), with a geometry saved on a larger screen
    "saved 1600x1000, 1080p at 200 %": {
        "scale": 2,
        "screen": [1920, 1080],
        "window": None,
        "saved": [1600, 1000],
    },
    # the same screen, the window larger than it before its layout is restored
    "1600x1000 on 1080p at 200 %": {
        "scale": 2,
        "screen": [1920, 1080],
        "window": None,
        "before_start": [1600, 1000],
    },
}


def _probe(config: dict[str, Any]) -> dict[str, Any]:
    env = {key: value for key, value in os.environ.items() if key != "QT_SCALE_FACTOR"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.window.layout_probe", json.dumps(config)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def layouts() -> dict[str, dict[str, Any]]:
    """Every case's geometry facts, probed in parallel."""
    with ThreadPoolExecutor(max_workers=len(CASES)) as pool:
        futures = {name: pool.submit(_probe, config) for name, config in CASES.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_window_fits_its_screen(layouts: dict[str, dict[str, Any]], case: str) -> None:
    facts = layouts[case]
    assert facts["device_pixel_ratio"] == CASES[case]["scale"]
    sx, sy, sw, sh = facts["screen"]
    fx, fy, fw, fh = facts["frame"]
    assert sx <= fx, facts
    assert sy <= fy, facts
    assert fx + fw <= sx + sw, facts
    assert fy + fh <= sy + sh, facts


@pytest.mark.parametrize("case", [name for name, c in CASES.items() if c["window"]])
def test_key_columns_fit_without_scrolling_with_name_first(
    layouts: dict[str, dict[str, Any]], case: str
) -> None:
    facts = layouts[case]
    assert facts["window"] == CASES[case]["window"]
    assert facts["horizontal_scroll"] == 0
    columns = facts["columns"]
    assert set(columns) == {column.name for column in KEY_COLUMNS}
    for name, (left, right) in columns.items():
        assert 0 <= left < right <= facts["viewport_width"], (name, facts)
    assert columns[Column.NAME.name][0] == 0  # the first column: in view as long as any is


@pytest.mark.parametrize("case", list(CASES))
def test_sidebar_names_are_not_elided_below_twelve_characters(
    layouts: dict[str, dict[str, Any]], case: str
) -> None:
    for name, shown in layouts[case]["sidebar"].items():
        assert shown["visible_chars"] >= min(SIDEBAR_MIN_CHARS, len(name)), (name, shown)
        if shown["shown"] != name:
            assert "…" in shown["shown"]  # elided in the middle: both ends stay
            assert name.startswith(shown["shown"].split("…")[0])
            assert name.endswith(shown["shown"].split("…")[-1])


@pytest.mark.parametrize("case", list(CASES))
def test_status_bar_items_do_not_overlap(layouts: dict[str, dict[str, Any]], case: str) -> None:
    facts = layouts[case]
    spans = sorted(facts["status_items"].values())
    assert "statusMessage" in facts["status_items"]
    assert "statusDetailsLink" in facts["status_items"]
    for (_left, right), (next_left, _next_right) in itertools.pairwise(spans):
        assert right <= next_left, facts["status_items"]
    assert spans[-1][1] <= facts["status_bar_width"]
    assert facts["message_shown"].endswith("…")  # the long message is elided, not cut
