"""Conversion between content documents and stored article versions."""

from __future__ import annotations

from datetime import datetime

from kontakt.knowledge.content import article_hash
from kontakt.knowledge.documents import LANGS, ArticleDoc, LocalizedText, Source
from kontakt.knowledge.models import ArticleText, ArticleVersion


def version_from_doc(
    doc: ArticleDoc, *, version: int, origin: str, actor: str, at: datetime, note: str = ""
) -> ArticleVersion:
    row = ArticleVersion(
        article_id=doc.id,
        version=version,
        topic=doc.topic,
        unit=doc.unit,
        source_title=doc.source.title,
        source_url=doc.source.url,
        valid_from=doc.valid_from,
        valid_to=doc.valid_to,
        updated=doc.updated,
        content_hash=article_hash(doc),
        origin=origin,
        created_at=at,
        created_by=actor,
        note=note,
    )
    row.texts = [
        ArticleText(
            lang=lang,
            position=i,
            title=text.title,
            questions=list(text.questions),
            answer=text.answer,
            speakable=text.speakable,
        )
        for i, lang in enumerate(LANGS)
        if (text := doc.text(lang)) is not None
    ]
    return row


def doc_from_version(row: ArticleVersion) -> ArticleDoc:
    texts = {
        t.lang: LocalizedText(
            title=t.title, questions=list(t.questions), answer=t.answer, speakable=t.speakable
        )
        for t in row.texts
    }
    return ArticleDoc(
        id=row.article_id,
        topic=row.topic,
        unit=row.unit,
        source=Source(title=row.source_title, url=row.source_url),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        updated=row.updated,
        pl=texts["pl"],
        uk=texts.get("uk"),
        en=texts.get("en"),
    )
