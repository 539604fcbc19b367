"""Live updates: "something changed" signals to waiting residents and open desks.

Domain code only *announces* on its session (``announce``); ``Runtime.transaction`` publishes
the announcements after the commit, so nobody is woken before the change can be read. The
signal carries no data that matters: receivers re-read the event log, which is why a missed
or duplicated signal never loses or repeats a message.

One process: an in-memory fan-out. Several workers: every worker publishes to Redis and one
pattern subscription per worker fans Redis messages out to its own waiters.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger("kontakt.live")
PREFIX = "kontakt:"


def announce(session: AsyncSession, topic: str, message: dict[str, Any] | None = None) -> None:
    """Queue a signal to be published when this session's transaction commits."""
    session.info.setdefault("announce", []).append((topic, message or {}))


class Subscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=100)

    async def next(self, seconds: float) -> dict[str, Any] | None:
        """The next signal, or None after ``seconds``."""
        try:
            async with asyncio.timeout(seconds):
                return await self.queue.get()
        except TimeoutError:
            return None

    def put(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a slow reader re-reads the log anyway
            self.queue.put_nowait(message)


class Bus(Protocol):
    async def publish(self, topic: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, topic: str) -> contextlib.AbstractAsyncContextManager[Subscription]: ...

    async def close(self) -> None: ...


class LocalBus:
    """Fan-out inside one process."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    def deliver(self, topic: str, message: dict[str, Any]) -> None:
        for sub in list(self._subs.get(topic, ())):
            sub.put(message)

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        self.deliver(topic, message)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        sub = Subscription()
        self._subs[topic].add(sub)
        try:
            yield sub
        finally:
            self._subs[topic].discard(sub)
            if not self._subs[topic]:
                del self._subs[topic]

    async def close(self) -> None:
        self._subs.clear()


class RedisBus(LocalBus):
    """Publish through Redis so every worker's waiters hear every worker's changes."""

    def __init__(self, url: str) -> None:
        super().__init__()
        from redis import asyncio as aioredis

        self._redis = aioredis.Redis.from_url(url)
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def _read(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.psubscribe(PREFIX + "*")
                self._ready.set()
                async for raw in pubsub.listen():
                    if raw.get("type") != "pmessage":
                        continue
                    topic = raw["channel"].decode()[len(PREFIX) :]
                    self.deliver(topic, json.loads(raw["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis restarted: waiters fall back to their timeouts meanwhile
                log.warning("lost the Redis subscription; reconnecting", exc_info=True)
                await asyncio.sleep(1)

    async def _start(self) -> None:
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 5)

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        await self._start()
        try:
            await self._redis.publish(PREFIX + topic, json.dumps(message))
        except Exception:
            # Never fail the resident's request over a signal: local waiters still hear it.
            log.warning("cannot publish to Redis", exc_info=True)
            self.deliver(topic, message)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        await self._start()
        async with super().subscribe(topic) as sub:
            yield sub

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        await self._redis.aclose()
        await super().close()


def make_bus(redis_url: str) -> Bus:
    return RedisBus(redis_url) if redis_url else LocalBus()
