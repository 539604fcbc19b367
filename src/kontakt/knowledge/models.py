"""Articles and their versions.

An article's history is append-only: every import change, edit, and rollback adds a version.
``Article.published_version`` points at the version residents see; versions above it that
were never published are drafts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kontakt.db import Base, JSONType


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    topic: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime]
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Set when the article disappears from content/; it stays for history and can return.
    removed_at: Mapped[datetime | None] = mapped_column(nullable=True)

    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", order_by="ArticleVersion.version", lazy="raise"
    )


class ArticleVersion(Base):
    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(80))
    source_title: Mapped[str] = mapped_column(String(300))
    source_url: Mapped[str] = mapped_column(String(500))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated: Mapped[date] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16))  # import | edit | rollback
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    published_at: Mapped[datetime | None] = mapped_column(nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    article: Mapped[Article] = relationship(back_populates="versions", lazy="raise")
    texts: Mapped[list[ArticleText]] = relationship(
        back_populates="version",
        order_by="ArticleText.position",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class ArticleText(Base):
    __tablename__ = "article_texts"
    __table_args__ = (UniqueConstraint("version_id", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("article_versions.id"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    questions: Mapped[list[str]] = mapped_column(JSONType)
    answer: Mapped[str] = mapped_column(Text)
    speakable: Mapped[str] = mapped_column(Text)

    version: Mapped[ArticleVersion] = relationship(back_populates="texts", lazy="raise")


class ArticleVector(Base):
    """Embeddings of a version's texts, computed when the version is imported or published.

    ``kind`` is ``q`` for the title and question phrasings (matched query-to-query) and ``a``
    for the answer (matched query-to-passage). ``model`` names the embedder, so switching
    models re-embeds instead of mixing incompatible vectors.
    """

    __tablename__ = "article_vectors"
    __table_args__ = (UniqueConstraint("version_id", "model", "lang", "kind", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("article_versions.id"), index=True)
    model: Mapped[str] = mapped_column(String(120))
    lang: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(1))
    position: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


def published_versions() -> Select[ArticleVersion]:
    """The version residents see of every article still in the knowledge base."""
    return (
        select(ArticleVersion)
        .join(
            Article,
            (Article.id == ArticleVersion.article_id)
            & (Article.published_version == ArticleVersion.version),
        )
        .where(Article.removed_at.is_(None))
    )
