"""Server status as the small integer kept in history buffers and in the database."""

from __future__ import annotations

from enum import IntEnum

from app.api.models import ServerStatus


class StatusCode(IntEnum):
    """One byte per sample; ``NONE`` marks a series with no status (the cluster total)."""

    NONE = 0
    ONLINE = 1
    ISOLATED = 2
    STARTING = 3
    STOPPING = 4
    OFFLINE = 5
    UNKNOWN = 6

    @classmethod
    def of(cls, status: ServerStatus) -> StatusCode:
        """The code recorded for a server in ``status``."""
        return _CODES[status]

    @classmethod
    def parse(cls, value: int) -> StatusCode:
        """The member for a stored value; ``UNKNOWN`` for a value this console does not know."""
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN

    @property
    def server_status(self) -> ServerStatus | None:
        """The API status this code stands for; None for ``NONE``."""
        return _STATUSES.get(self)


_CODES: dict[ServerStatus, StatusCode] = {
    ServerStatus.ONLINE: StatusCode.ONLINE,
    ServerStatus.ISOLATED: StatusCode.ISOLATED,
    ServerStatus.STARTING: StatusCode.STARTING,
    ServerStatus.STOPPING: StatusCode.STOPPING,
    ServerStatus.OFFLINE: StatusCode.OFFLINE,
    ServerStatus.UNKNOWN: StatusCode.UNKNOWN,
}
_STATUSES: dict[StatusCode, ServerStatus] = {code: status for status, code in _CODES.items()}
