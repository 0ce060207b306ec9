"""Least-connections placement, as the cluster's load balancer does it."""

from __future__ import annotations

from collections.abc import Sequence


def least_connections(loads: Sequence[int], count: int) -> list[int]:
    """How many of ``count`` new Clients each candidate server receives.

    ``loads`` are the candidates' current Client counts, in server id order. The result
    equals placing the Clients one at a time, each on the candidate with the fewest
    Clients, ties going to the lowest id, but costs one sort instead of ``count`` scans
    (water filling). Returns one non-negative increment per candidate, summing to
    ``count``; an empty list when there are no candidates.
    """
    size = len(loads)
    if size == 0:
        return []
    increments = [0] * size
    if count <= 0:
        return increments
    order = sorted(range(size), key=loads.__getitem__)
    level = loads[order[0]]
    filled = 1  # order[:filled] all sit at `level` once raised
    remaining = count
    while filled < size:
        step_cost = filled * (loads[order[filled]] - level)
        if step_cost > remaining:
            break
        remaining -= step_cost
        level = loads[order[filled]]
        filled += 1
    rise, remaining = divmod(remaining, filled)
    level += rise
    group = sorted(order[:filled])
    for position, index in enumerate(group):
        increments[index] = level - loads[index] + (1 if position < remaining else 0)
    return increments
