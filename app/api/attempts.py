"""EndpointAttempt: what one endpoint did in one call, for the endpoint report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EndpointAttempt:
    """One endpoint tried by one call.

    ``url`` is the base URL; ``served`` whether it answered the call; ``outcome`` the
    one-line result ("answered", or the error's message, which may quote a server: show
    it through ``display_text``); ``from_cluster`` True for a server's own
    ``management_url`` taken from the last snapshot rather than the connection's URLs.
    """

    url: str
    served: bool
    outcome: str
    from_cluster: bool = False

    def describe(self) -> str:
        """``https://mt02/EkranSystem (a server's own endpoint): answered``."""
        where = " (a server's own endpoint)" if self.from_cluster else ""
        return f"{self.url}{where}: {self.outcome}"
