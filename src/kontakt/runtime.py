"""The objects one process needs, built once from Settings and passed down explicitly."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kontakt.clock import Clock, ShiftedClock, SystemClock
from kontakt.config import Settings
from kontakt.db import make_engine, make_session_factory
from kontakt.i18n import Translations
from kontakt.knowledge.embedder import Embedder, make_embedder
from kontakt.knowledge.index_store import IndexHolder
from kontakt.live import Bus, make_bus
from kontakt.nlu.language import LanguageDetector
from kontakt.nlu.normalize import Normalizer
from kontakt.nlu.when import WhenParser
from kontakt.topics.train import NoModel, TrainedModel
from kontakt.topics.train import latest as latest_model
from kontakt.topics.train import load as load_model

if TYPE_CHECKING:
    from kontakt.booking.notify import Notifier
    from kontakt.booking.service import Bookings
    from kontakt.dialogue.context import DialogueContext
    from kontakt.knowledge.search import SearchIndex


@dataclass
class ChatServices:
    """The language tools and the search index that the dialogue engine uses.

    Every heavy piece (models, dictionaries) loads lazily on first use, so building this is
    cheap for CLI commands that never chat.
    """

    embedder: Embedder
    normalizer: Normalizer
    detector: LanguageDetector
    bot_texts: Translations
    widget_texts: Translations
    index: IndexHolder
    when_parser: WhenParser
    models_dir: Path | None = None
    _topic_model: TrainedModel | None = None
    _topic_loaded: bool = False

    def topic_model(self) -> TrainedModel | None:
        """The newest topic model under var/models/ trained with this embedder, loaded once;
        None before ``kontakt train`` has run for it (the chatbot then works without topic
        boosts)."""
        if not self._topic_loaded:
            self._topic_loaded = True
            if self.models_dir is not None:
                try:
                    path = latest_model(self.models_dir, self.embedder.name)
                    self._topic_model = load_model(path, self.embedder)
                except (NoModel, ValueError) as exc:
                    logging.getLogger("kontakt").warning("topic model not used: %s", exc)
        return self._topic_model

    @classmethod
    def build(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        embedder: Embedder,
        models_dir: Path | None = None,
    ) -> ChatServices:
        normalizer = Normalizer()
        return cls(
            embedder=embedder,
            normalizer=normalizer,
            detector=LanguageDetector(),
            bot_texts=Translations("kontakt"),
            widget_texts=Translations("widget"),
            index=IndexHolder(sessions, embedder, normalizer),
            when_parser=WhenParser(),
            models_dir=models_dir,
        )

    async def warm_up(self) -> None:
        """Load models, dictionaries and the index before the first resident waits for them."""
        import asyncio

        await self.index.get()
        await asyncio.to_thread(self.topic_model)

        def _load() -> None:
            from kontakt.hours import status

            self.detector.warm_up()
            # Loads (on a first start: generates) the embedding model; not a cached query.
            self.embedder.passages(["dzień dobry"])
            status(datetime.now(UTC))  # loads the public-holiday tables
            self.detector.detect("dzien dobry, jak sie zameldowac")
            self.detector.detect("коли вивозять сміття")
            self.normalizer.lemmas(self.normalizer.restore_polish("gdzie oddac smieci"), "pl")
            self.normalizer.lemmas("де отримати песель", "uk")
            # Duckling loads its grammars on first use.
            self.when_parser.parse("w przyszły czwartek o 10", "pl", datetime.now(UTC))

        await asyncio.to_thread(_load)


class NotMigrated(Exception):
    def __str__(self) -> str:
        return "the database has no kontakt tables yet; run: kontakt db upgrade"


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    chat: ChatServices
    bus: Bus
    _notifier: Notifier | None = None

    @classmethod
    def build(
        cls, settings: Settings, clock: Clock | None = None, embedder: Embedder | None = None
    ) -> Runtime:
        url = settings.normalized_database_url()
        if url.startswith("sqlite"):
            # The default database lives under var/, which a fresh checkout does not have yet.
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url, pool_size=settings.db_pool_size)
        sessions = make_session_factory(engine)
        chat = ChatServices.build(
            sessions,
            embedder
            or make_embedder(
                settings.embedder,
                settings.embed_threads,
                settings.query_cache_size,
                cache_dir=settings.var_dir / "cache",
            ),
            settings.var_dir / "models",
        )
        if clock is None and settings.clock_start:
            clock = ShiftedClock(datetime.fromisoformat(settings.clock_start))
        return cls(
            settings, engine, sessions, clock or SystemClock(), chat, make_bus(settings.redis_url)
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back everything on any error."""
        async with self.sessions() as session:
            async with session.begin():
                yield session
            pending = session.info.pop("announce", [])
        # Only after the commit: a woken reader must find the change in the database.
        for topic, message in pending:
            await self.bus.publish(topic, message)

    async def dialogue(
        self, session: AsyncSession, index: SearchIndex | None = None
    ) -> DialogueContext:
        from kontakt.booking.backend import LocalBackend
        from kontakt.dialogue.context import DialogueContext
        from kontakt.routing.service import Desk

        return DialogueContext(
            session=session,
            clock=self.clock,
            index=index or await self.chat.index.get(),
            detector=self.chat.detector,
            normalizer=self.chat.normalizer,
            texts=self.chat.bot_texts,
            phone=self.settings.contact_phone,
            topics=self.chat.topic_model(),
            booking=LocalBackend(self.bookings(session)),
            when_parser=self.chat.when_parser,
            desk=Desk(session, self.clock),
        )

    def bookings(self, session: AsyncSession) -> Bookings:
        from kontakt.booking.service import BookingRules, Bookings

        rules = BookingRules(
            hold_minutes=self.settings.booking_hold_minutes,
            min_notice_minutes=self.settings.booking_min_notice_minutes,
        )
        return Bookings(session, self.clock, rules)

    def notifier(self) -> Notifier:
        """E-mail and SMS senders as configured (none by default), built once."""
        if self._notifier is None:
            from kontakt.booking.notify import notifier_from_settings

            self._notifier = notifier_from_settings(
                self.settings, Translations("notices"), self.clock
            )
        return self._notifier

    async def ensure_migrated(self) -> None:
        async with self.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        if "events" not in tables:
            raise NotMigrated()

    async def close(self) -> None:
        await self.bus.close()
        await self.engine.dispose()
