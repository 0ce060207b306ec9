"""Retry delays for a failing endpoint: exponential, capped, with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """``delay(n)`` for the n-th consecutive failure (n >= 1).

    The delay grows as ``base * 2**(n-1)`` up to ``cap`` and is then scaled by a random
    factor in [1 - jitter, 1], so that many consoles do not retry in lockstep. A server's
    ``Retry-After`` advice, when longer, wins (up to ``max_retry_after``).
    """

    base: float = 2.0
    cap: float = 60.0
    jitter: float = 0.5
    max_retry_after: float = 600.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        exponent = min(max(failures, 1) - 1, 16)
        raw = min(self.cap, self.base * 2.0**exponent)
        delay = raw * (1.0 - self.jitter * self.rng.random())
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay
