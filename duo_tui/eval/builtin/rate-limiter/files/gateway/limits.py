"""Request limits for the gateway."""

import time

MAX_BODY_BYTES = 1 << 20


class RateLimiter:
    """Allow at most `per_minute` requests per client in each minute window."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._windows: dict[str, tuple[int, int]] = {}

    def allow(self, client_id: str) -> bool:
        window = int(time.time() // 60)
        start, count = self._windows.get(client_id, (window, 0))
        if start != window:
            start, count = window, 0
        if count >= self.per_minute:
            return False
        self._windows[client_id] = (start, count + 1)
        return True
