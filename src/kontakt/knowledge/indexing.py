"""Compute and store article vectors for published versions (at import/publish time)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from kontakt.knowledge.embedder import Embedder
from kontakt.knowledge.models import ArticleVector, ArticleVersion, published_versions

ANSWER_WORDS = 60


def answer_passage(title: str, answer: str) -> str:
    """The title and the opening of the answer, where the substance is.

    Long passages cost e5 quadratically more time (a whole answer embeds ~10x slower than a
    question) while the opening carries most of the meaning.
    """
    words = answer.split()
    return f"{title}. {' '.join(words[:ANSWER_WORDS])}"


def texts_of(version: ArticleVersion) -> list[tuple[str, str, int, str]]:
    """(lang, kind, position, text) for everything of a version that gets a vector."""
    out: list[tuple[str, str, int, str]] = []
    for text in version.texts:
        out.append((text.lang, "q", 0, text.title))
        out.extend((text.lang, "q", i + 1, q) for i, q in enumerate(text.questions))
        out.append((text.lang, "a", 0, answer_passage(text.title, text.answer)))
    return out


async def embed_published(
    session: AsyncSession,
    embedder: Embedder,
    batch: int = 64,
    *,
    article_ids: list[str] | None = None,
) -> int:
    """Embed every published version that has no vectors from ``embedder`` yet.

    Returns the number of texts embedded. Unchanged articles keep their vectors, so a
    re-import after editing one file embeds only that file.
    """
    have = select(ArticleVector.version_id).where(ArticleVector.model == embedder.name)
    versions = (
        await session.scalars(
            published_versions()
            .where(ArticleVersion.id.not_in(have))
            .where(
                ArticleVersion.article_id.in_(article_ids) if article_ids is not None else true()
            )
        )
    ).all()
    todo = [(v.id, *item) for v in versions for item in texts_of(v)]
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        questions = [i for i, row in enumerate(chunk) if row[2] == "q"]
        answers = [i for i, row in enumerate(chunk) if row[2] == "a"]
        vectors: dict[int, np.ndarray] = {}
        if questions:
            qv = embedder.queries([chunk[i][4] for i in questions])
            vectors.update(zip(questions, qv, strict=True))
        if answers:
            av = embedder.passages([chunk[i][4] for i in answers])
            vectors.update(zip(answers, av, strict=True))
        session.add_all(
            ArticleVector(
                version_id=row[0],
                model=embedder.name,
                lang=row[1],
                kind=row[2],
                position=row[3],
                vector=np.asarray(vectors[i], dtype=np.float32).tobytes(),
            )
            for i, row in enumerate(chunk)
        )
        await session.flush()
    return len(todo)
