"""Per-client rate limiting (token bucket, in process).

With several workers each keeps its own buckets, so the effective limit is per worker; the
desk issue moves this to Redis when KONTAKT_REDIS_URL is set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, count: int, window_s: float, max_clients: int = 100_000) -> None:
        self.capacity = float(count)
        self.rate = count / window_s
        self._buckets: dict[str, _Bucket] = {}
        self._max_clients = max_clients

    def take(self, client: str, now: float | None = None) -> float:
        """Spend one token; return 0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self._max_clients:
                self._evict(now)
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _evict(self, now: float) -> None:
        # Drop buckets that have refilled completely: they hold no information.
        full = [
            k
            for k, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate >= self.capacity
        ]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self._max_clients:
            self._buckets.clear()
