"""Knowledge-base operations with no HTTP: import, export, drafts, publishing and rollback.

Every function works inside the caller's transaction and records its events there, so a
failure anywhere leaves neither rows nor events behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.clock import Clock
from kontakt.events import record
from kontakt.knowledge.content import ContentSet, article_hash
from kontakt.knowledge.documents import LANGS, ArticleDoc, TopicDoc, UnitDoc
from kontakt.knowledge.events import (
    ArticlePublished,
    ArticleRemoved,
    ArticleVersionCreated,
    ContentImported,
)
from kontakt.knowledge.models import Article, ArticleText, ArticleVersion, published_versions
from kontakt.knowledge.versions import doc_from_version, version_from_doc
from kontakt.topics.models import OrgUnit, Topic


class KnowledgeError(Exception):
    """A request the knowledge base cannot carry out; the message is for the user."""


class NotFound(KnowledgeError):
    pass


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


async def latest_numbers(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(ArticleVersion.article_id, func.max(ArticleVersion.version)).group_by(
            ArticleVersion.article_id
        )
    )
    return {article_id: number for article_id, number in rows}


async def _published_hashes(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(
        select(Article.id, ArticleVersion.content_hash).join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id)
            & (ArticleVersion.version == Article.published_version),
        )
    )
    return dict(rows.all())


async def _sync_taxonomy(
    session: AsyncSession, topics: list[TopicDoc], units: list[UnitDoc]
) -> None:
    await session.execute(delete(Topic))
    await session.execute(delete(OrgUnit))
    session.add_all(
        Topic(
            id=t.id,
            position=i,
            name_pl=t.name.pl,
            name_uk=t.name.uk,
            name_en=t.name.en,
            scope=t.scope,
            default_queue=t.default_queue,
            units=list(t.units),
        )
        for i, t in enumerate(topics)
    )
    session.add_all(
        OrgUnit(
            id=u.id,
            position=i,
            short=u.short,
            name_pl=u.name.pl,
            name_uk=u.name.uk,
            name_en=u.name.en,
            handles=u.handles,
            website=u.website,
        )
        for i, u in enumerate(units)
    )
    await session.flush()


async def import_content(
    session: AsyncSession,
    content: ContentSet,
    *,
    actor: str,
    clock: Clock,
    on_article: Callable[[str], None] | None = None,
) -> ImportReport:
    """Bring the database in line with ``content``; only changed articles get a new version."""
    now = clock.now()
    report = ImportReport()
    await _sync_taxonomy(session, content.topics, content.units)
    articles = {a.id: a for a in (await session.scalars(select(Article))).all()}
    published = await _published_hashes(session)
    latest = await latest_numbers(session)

    for doc in content.articles:
        article = articles.get(doc.id)
        digest = article_hash(doc)
        if article is None:
            article = Article(id=doc.id, topic=doc.topic, created_at=now)
            session.add(article)
            report.added.append(doc.id)
        elif published.get(doc.id) == digest:
            if article.removed_at is None:
                report.unchanged += 1
            else:
                article.removed_at = None
                report.added.append(doc.id)
            if on_article:
                on_article(doc.id)
            continue
        elif article.removed_at is not None:
            article.removed_at = None
            report.added.append(doc.id)
        else:
            report.changed.append(doc.id)
        number = latest.get(doc.id, 0) + 1
        row = await _add_version(session, doc, number, origin="import", actor=actor, clock=clock)
        await _publish(session, article, row, actor=actor, clock=clock)
        if on_article:
            on_article(doc.id)

    present = {d.id for d in content.articles}
    for article_id, article in sorted(articles.items()):
        if article_id not in present and article.removed_at is None:
            article.removed_at = now
            report.removed.append(article_id)
            await record(session, ArticleRemoved(article_id=article_id, actor=actor), at=now)

    await record(
        session,
        ContentImported(
            actor=actor,
            added=report.added,
            changed=report.changed,
            removed=report.removed,
            unchanged=report.unchanged,
        ),
        at=now,
    )
    await session.flush()
    return report


async def _add_version(
    session: AsyncSession,
    doc: ArticleDoc,
    number: int,
    *,
    origin: str,
    actor: str,
    clock: Clock,
    note: str = "",
) -> ArticleVersion:
    now = clock.now()
    row = version_from_doc(doc, version=number, origin=origin, actor=actor, at=now, note=note)
    session.add(row)
    await record(
        session,
        ArticleVersionCreated(article_id=doc.id, version=number, origin=origin, actor=actor),
        at=now,
    )
    return row


async def _publish(
    session: AsyncSession, article: Article, version: ArticleVersion, *, actor: str, clock: Clock
) -> None:
    now = clock.now()
    version.published_at = now
    article.published_version = version.version
    article.topic = version.topic
    await record(
        session,
        ArticlePublished(article_id=article.id, version=version.version, actor=actor),
        at=now,
    )


async def get_article(session: AsyncSession, article_id: str) -> Article:
    article = await session.get(Article, article_id)
    if article is None:
        raise NotFound(f"no article with id {article_id!r}")
    return article


async def versions(session: AsyncSession, article_id: str) -> list[ArticleVersion]:
    await get_article(session, article_id)
    rows = await session.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.version.desc())
    )
    return list(rows.all())


async def get_version(session: AsyncSession, article_id: str, number: int) -> ArticleVersion:
    row = await session.scalar(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article_id, ArticleVersion.version == number
        )
    )
    if row is None:
        raise NotFound(f"article {article_id!r} has no version {number}")
    return row


async def published_doc(session: AsyncSession, article_id: str) -> ArticleDoc:
    article = await get_article(session, article_id)
    if article.published_version is None:
        raise NotFound(f"article {article_id!r} has no published version")
    return doc_from_version(await get_version(session, article_id, article.published_version))


async def save_draft(
    session: AsyncSession, doc: ArticleDoc, *, actor: str, clock: Clock, note: str = ""
) -> ArticleVersion:
    """Store an edited article as an unpublished version. Residents keep seeing the old one."""
    await get_article(session, doc.id)
    latest = (await latest_numbers(session)).get(doc.id, 0)
    last = await get_version(session, doc.id, latest)
    if last.content_hash == article_hash(doc):
        raise KnowledgeError("nothing changed: the draft equals the latest version")
    row = await _add_version(
        session, doc, latest + 1, origin="edit", actor=actor, clock=clock, note=note
    )
    return row


async def publish(
    session: AsyncSession, article_id: str, number: int, *, actor: str, clock: Clock
) -> None:
    article = await get_article(session, article_id)
    version = await get_version(session, article_id, number)
    if article.published_version == number:
        raise KnowledgeError(f"version {number} is already published")
    await _publish(session, article, version, actor=actor, clock=clock)


async def rollback(
    session: AsyncSession, article_id: str, to_version: int, *, actor: str, clock: Clock
) -> ArticleVersion:
    """Publish the content of an earlier version as a new version; history is never rewritten."""
    article = await get_article(session, article_id)
    old = await get_version(session, article_id, to_version)
    if article.published_version == to_version:
        raise KnowledgeError(f"version {to_version} is already the published one")
    latest = (await latest_numbers(session)).get(article_id, 0)
    row = await _add_version(
        session,
        doc_from_version(old),
        latest + 1,
        origin="rollback",
        actor=actor,
        clock=clock,
        note=f"rollback to version {to_version}",
    )
    await _publish(session, article, row, actor=actor, clock=clock)
    return row


async def published_content(session: AsyncSession) -> ContentSet:
    """Everything residents currently see, as documents (what ``kb export`` writes)."""
    topics = [
        TopicDoc.model_validate(
            {
                "id": t.id,
                "name": {"pl": t.name_pl, "uk": t.name_uk, "en": t.name_en},
                "scope": t.scope,
                "default_queue": t.default_queue,
                "units": list(t.units),
            }
        )
        for t in (await session.scalars(select(Topic).order_by(Topic.position))).all()
    ]
    units = [
        UnitDoc.model_validate(
            {
                "id": u.id,
                "short": u.short,
                "name": {"pl": u.name_pl, "uk": u.name_uk, "en": u.name_en},
                "handles": u.handles,
                "website": u.website,
            }
        )
        for u in (await session.scalars(select(OrgUnit).order_by(OrgUnit.position))).all()
    ]
    rows = await session.scalars(published_versions().order_by(ArticleVersion.article_id))
    return ContentSet(topics=topics, units=units, articles=[doc_from_version(r) for r in rows])


@dataclass
class TopicStats:
    topic: str
    articles: int
    by_lang: dict[str, int]


async def stats(session: AsyncSession) -> list[TopicStats]:
    """Published, not removed articles per topic, and how many have each language."""
    topic_ids = list((await session.scalars(select(Topic.id).order_by(Topic.position))).all())
    rows = await session.execute(
        select(ArticleVersion.topic, ArticleText.lang, func.count())
        .join(ArticleText, ArticleText.version_id == ArticleVersion.id)
        .join(
            Article,
            (Article.id == ArticleVersion.article_id)
            & (Article.published_version == ArticleVersion.version),
        )
        .where(Article.removed_at.is_(None))
        .group_by(ArticleVersion.topic, ArticleText.lang)
    )
    counts: dict[str, dict[str, int]] = {}
    for topic, lang, n in rows:
        counts.setdefault(topic, {})[lang] = n
    for topic in counts:
        if topic not in topic_ids:
            topic_ids.append(topic)
    return [
        TopicStats(
            topic=t,
            articles=counts.get(t, {}).get("pl", 0),
            by_lang={lang: counts.get(t, {}).get(lang, 0) for lang in LANGS},
        )
        for t in topic_ids
    ]


async def count_with_languages(session: AsyncSession, langs: tuple[str, ...]) -> int:
    """How many published, not removed articles have every language in ``langs``."""
    per_version = (
        select(ArticleText.version_id)
        .where(ArticleText.lang.in_(langs))
        .group_by(ArticleText.version_id)
        .having(func.count() == len(langs))
        .subquery()
    )
    n = await session.scalar(
        select(func.count())
        .select_from(Article)
        .join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id)
            & (ArticleVersion.version == Article.published_version),
        )
        .join(per_version, per_version.c.version_id == ArticleVersion.id)
        .where(Article.removed_at.is_(None))
    )
    return int(n or 0)


async def list_articles(
    session: AsyncSession, *, topic: str | None = None, include_removed: bool = False
) -> list[tuple[Article, ArticleVersion | None]]:
    """Articles with their published version (None while only a draft exists)."""
    stmt = (
        select(Article, ArticleVersion)
        .outerjoin(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id)
            & (ArticleVersion.version == Article.published_version),
        )
        .order_by(Article.topic, Article.id)
    )
    if topic is not None:
        stmt = stmt.where(Article.topic == topic)
    if not include_removed:
        stmt = stmt.where(Article.removed_at.is_(None))
    return [(a, v) for a, v in (await session.execute(stmt))]
