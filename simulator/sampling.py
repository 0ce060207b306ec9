"""Fast integer random variates for the cluster model.

The model moves whole populations of Clients at once, so it needs counts drawn from
binomial and Poisson distributions without looping over individual Clients. Small means
are drawn exactly by inversion; large means use a rounded normal approximation, which is
indistinguishable at the scales the simulator shows.
"""

from __future__ import annotations

import math
import random

_EXACT_MEAN_LIMIT = 12.0


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A draw from Binomial(n, p), always in ``[0, n]``.

    Exact for ``min(n*p, n*(1-p)) < 12``; a continuity-corrected normal approximation
    otherwise. Costs O(1 + n*p) for small means, O(1) for large ones.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - binomial(rng, n, 1.0 - p)
    mean = n * p
    if mean < _EXACT_MEAN_LIMIT:
        return _binomial_inversion(rng, n, p)
    deviation = math.sqrt(mean * (1.0 - p))
    return min(n, max(0, math.floor(rng.gauss(mean, deviation) + 0.5)))


def poisson(rng: random.Random, mean: float) -> int:
    """A draw from Poisson(mean), exact for small means, normal-approximated for large."""
    if mean <= 0.0:
        return 0
    if mean < _EXACT_MEAN_LIMIT:
        threshold = math.exp(-mean)
        count = 0
        product = rng.random()
        while product > threshold:
            count += 1
            product *= rng.random()
        return count
    return max(0, math.floor(rng.gauss(mean, math.sqrt(mean)) + 0.5))


def split_evenly(rng: random.Random, n: int, parts: int) -> list[int]:
    """Assign each of ``n`` items to one of ``parts`` equally likely bins; the bin sizes.

    A multinomial draw made of ``parts`` binomial draws; the sizes always sum to ``n``.
    """
    if parts <= 0:
        raise ValueError("parts must be positive")
    sizes: list[int] = []
    remaining = n
    for index in range(parts):
        share = binomial(rng, remaining, 1.0 / (parts - index))
        sizes.append(share)
        remaining -= share
    return sizes


def _binomial_inversion(rng: random.Random, n: int, p: float) -> int:
    """Exact binomial draw by walking the CDF from 0; expected steps about ``n*p``."""
    u = rng.random()
    probability = (1.0 - p) ** n
    cumulative = probability
    ratio = p / (1.0 - p)
    k = 0
    while u > cumulative and k < n:
        probability *= ratio * (n - k) / (k + 1)
        k += 1
        cumulative += probability
    return k
