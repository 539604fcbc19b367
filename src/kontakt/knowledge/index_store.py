"""Build the in-memory search index from the database and keep it fresh.

Every worker process holds one index. It is rebuilt when the knowledge base changes, which
the holder notices from the newest publish/remove event (a cheap indexed query, made at most
every few seconds), so an edit published in the admin reaches the chatbot quickly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kontakt.events import EventRow
from kontakt.knowledge.embedder import Embedder
from kontakt.knowledge.events import ArticlePublished, ArticleRemoved
from kontakt.knowledge.indexing import embed_published
from kontakt.knowledge.models import ArticleVector, ArticleVersion, published_versions
from kontakt.knowledge.search import IndexedArticle, LocalText, SearchIndex
from kontakt.nlu.normalize import Normalizer

log = logging.getLogger("kontakt.search")
_KINDS = (ArticlePublished.kind, ArticleRemoved.kind)


async def generation(session: AsyncSession) -> int:
    value = await session.scalar(select(func.max(EventRow.id)).where(EventRow.kind.in_(_KINDS)))
    return int(value or 0)


async def load_index(
    session: AsyncSession, embedder: Embedder, normalizer: Normalizer
) -> SearchIndex:
    missing = await embed_published(session, embedder)
    if missing:
        log.warning("embedded %d texts that had no stored vectors (run kontakt kb import)", missing)
    versions = (
        await session.scalars(published_versions().order_by(ArticleVersion.article_id))
    ).all()
    articles = [
        IndexedArticle(
            id=v.article_id,
            topic=v.topic,
            unit=v.unit,
            version=v.version,
            source_title=v.source_title,
            source_url=v.source_url,
            texts={
                t.lang: LocalText(t.title, tuple(t.questions), t.answer, t.speakable)
                for t in v.texts
            },
        )
        for v in versions
    ]
    by_version = {v.id: v.article_id for v in versions}
    vectors: dict[tuple[str, str], list[tuple[str, np.ndarray]]] = defaultdict(list)
    rows = await session.execute(
        select(
            ArticleVector.version_id, ArticleVector.kind, ArticleVector.lang, ArticleVector.vector
        )
        .where(ArticleVector.model == embedder.name, ArticleVector.version_id.in_(list(by_version)))
        .order_by(ArticleVector.id)
    )
    for version_id, kind, lang, blob in rows:
        vectors[(by_version[version_id], kind)].append(
            (lang, np.frombuffer(blob, dtype=np.float32))
        )
    return SearchIndex.build(articles, vectors, normalizer=normalizer, embedder=embedder)


class IndexHolder:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        embedder: Embedder,
        normalizer: Normalizer,
        *,
        check_every_s: float = 3.0,
    ) -> None:
        self._sessions = sessions
        self._embedder = embedder
        self._normalizer = normalizer
        self._check_every = check_every_s
        self._index: SearchIndex | None = None
        self._generation = -1
        self._checked_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> SearchIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < self._check_every:
            return self._index
        if self._index is not None and self._lock.locked():
            # Someone is already checking for a newer index: answer with the current one.
            # Waiting here would pile up requests that each hold a database connection
            # while the checker needs one more, and could drain the pool.
            return self._index
        async with self._lock:
            async with self._sessions() as session:
                gen = await generation(session)
                if self._index is None or gen != self._generation:
                    self._index = await load_index(session, self._embedder, self._normalizer)
                    await session.commit()  # keeps vectors embedded as a safety net
                    self._generation = gen
            self._checked_at = time.monotonic()
            return self._index

    def invalidate(self) -> None:
        self._checked_at = 0.0
        self._generation = -1
