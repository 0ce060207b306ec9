"""share_code and share_codes: what a Load share cell shows, as ints, one row or all."""

from __future__ import annotations

import random

import numpy as np
import pytest

from ui.cluster.server_table_model import SHARE_STEPS, share_code, share_codes, share_shown


def edge_pairs() -> list[tuple[int, int]]:
    """Clients and totals whose share lies on or next to a boundary of the text (a half
    percent: rounding half to even) or of the bar (a thousandth), and random ones."""
    pairs = [(0, 0), (0, 100), (1, 1), (1, 200), (1, 199), (1, 201), (5, 1000), (25, 1000)]
    for total in (200, 1000, 2000, 100_000):
        for numerator in range(0, total + 1, max(1, total // 400)):
            for clients in (numerator - 1, numerator, numerator + 1):
                if 0 <= clients <= total:
                    pairs.append((clients, total))
    rng = random.Random(4)
    for _ in range(3000):
        total = rng.randint(1, 10**7)
        pairs.append((rng.randint(0, total), total))
    return pairs


def test_equal_codes_exactly_when_the_cell_shows_the_same() -> None:
    pairs = edge_pairs()
    shown: dict[int, tuple[str, int]] = {}
    for clients, total in pairs:
        share = clients / total if total else 0.0
        code = share_code(share)
        assert shown.setdefault(code, share_shown(share)) == share_shown(share), (clients, total)
    assert len(set(shown.values())) == len(shown)  # different codes, different cells


@pytest.mark.parametrize("total", [0, 1, 199, 200, 1000, 100_000, 9_999_991])
def test_codes_of_a_whole_column_equal_the_row_by_row_codes(total: int) -> None:
    rng = random.Random(total)
    clients = [rng.randint(0, total) for _ in range(500)] if total else [0] * 10
    clients += [c for c in (0, 1, total // 200, total // 2, total) if c <= total]
    expected = [share_code(c / total if total else 0.0) for c in clients]
    assert share_codes(np.array(clients, dtype=np.int64), total).tolist() == expected


def test_a_bar_that_moves_by_a_step_changes_the_code() -> None:
    assert share_code(0.5) != share_code(0.5 + 1 / SHARE_STEPS)
    assert share_code(0.5) == share_code(0.5 + 0.4 / SHARE_STEPS)
