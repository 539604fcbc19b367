"""Import, export, versions, drafts and rollback, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from kontakt.events import EventRow
from kontakt.knowledge import service
from kontakt.knowledge.content import ContentError, load_content, write_content
from kontakt.knowledge.models import Article, ArticleVersion
from kontakt.runtime import Runtime


async def _import(runtime: Runtime, root: Path) -> service.ImportReport:
    content = load_content(root)
    async with runtime.transaction() as session:
        return await service.import_content(session, content, actor="test", clock=runtime.clock)


def _edit_answer(root: Path, needle: str, replacement: str) -> None:
    path = root / "articles/citizen_affairs/zameldowanie.yaml"
    text_ = path.read_text(encoding="utf-8")
    assert needle in text_
    path.write_text(text_.replace(needle, replacement, 1), encoding="utf-8")


async def test_second_import_changes_nothing(runtime: Runtime, content_copy: Path) -> None:
    first = await _import(runtime, content_copy)
    second = await _import(runtime, content_copy)
    assert len(first.added) == len(load_content(content_copy).articles)
    assert (second.changes, second.unchanged) == (0, len(first.added))


async def test_editing_one_file_gives_exactly_one_new_version(
    runtime: Runtime, content_copy: Path
) -> None:
    await _import(runtime, content_copy)
    _edit_answer(content_copy, "Zameldowanie jest bezpłatne.", "Zameldowanie nic nie kosztuje.")
    report = await _import(runtime, content_copy)
    async with runtime.transaction() as session:
        versions = await session.scalar(select(func.count()).select_from(ArticleVersion))
        doc = await service.published_doc(session, "zameldowanie")
    assert (report.changed, report.added, report.removed) == (["zameldowanie"], [], [])
    assert versions == len(load_content(content_copy).articles) + 1
    assert "Zameldowanie nic nie kosztuje." in doc.pl.answer


async def test_export_round_trips_byte_for_byte(
    runtime: Runtime, content_copy: Path, tmp_path: Path
) -> None:
    await _import(runtime, content_copy)
    out = tmp_path / "exported"
    async with runtime.transaction() as session:
        write_content(out, await service.published_content(session))
    # The knowledge base is the articles and the taxonomy; services.yaml, queues.yaml and
    # glossary.yaml are loaded by their own commands.
    originals = sorted(
        p.relative_to(content_copy)
        for p in content_copy.rglob("*.yaml")
        if p.parent.name != "content" or p.name in ("topics.yaml", "units.yaml")
    )
    exported = sorted(p.relative_to(out) for p in out.rglob("*.yaml"))
    assert exported == originals
    differing = [
        str(p) for p in originals if (content_copy / p).read_bytes() != (out / p).read_bytes()
    ]
    assert differing == []


async def test_removed_file_is_reported_and_can_return(
    runtime: Runtime, content_copy: Path
) -> None:
    await _import(runtime, content_copy)
    path = content_copy / "articles/citizen_affairs/zameldowanie.yaml"
    saved = path.read_bytes()
    path.unlink()
    removed = await _import(runtime, content_copy)
    path.write_bytes(saved)
    back = await _import(runtime, content_copy)
    async with runtime.transaction() as session:
        versions = await service.versions(session, "zameldowanie")
    assert removed.removed == ["zameldowanie"]
    assert back.added == ["zameldowanie"]
    assert [v.version for v in versions] == [1]


async def test_malformed_file_imports_nothing(runtime: Runtime, content_copy: Path) -> None:
    bad = content_copy / "articles/waste/zzz-broken.yaml"
    bad.write_text("id: zzz-broken\ntopic: waste\n", encoding="utf-8")
    with pytest.raises(ContentError):
        await _import(runtime, content_copy)
    async with runtime.transaction() as session:
        articles = await session.scalar(select(func.count()).select_from(Article))
        events = await session.scalar(select(func.count()).select_from(EventRow))
    assert (articles, events) == (0, 0)


async def test_failure_mid_import_rolls_back_everything(
    runtime: Runtime, content_copy: Path
) -> None:
    content = load_content(content_copy)

    def explode(article_id: str) -> None:
        if article_id == content.articles[10].id:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        async with runtime.transaction() as session:
            await service.import_content(
                session, content, actor="t", clock=runtime.clock, on_article=explode
            )
    async with runtime.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ArticleVersion)) == 0


async def test_draft_is_invisible_until_published(runtime: Runtime, content_copy: Path) -> None:
    await _import(runtime, content_copy)
    async with runtime.transaction() as session:
        doc = await service.published_doc(session, "zameldowanie")
        edited = doc.model_copy(update={"updated": doc.updated.replace(year=2027)})
        draft = await service.save_draft(session, edited, actor="editor", clock=runtime.clock)
    async with runtime.transaction() as session:
        before = await service.published_doc(session, "zameldowanie")
        await service.publish(
            session, "zameldowanie", draft.version, actor="editor", clock=runtime.clock
        )
    async with runtime.transaction() as session:
        after = await service.published_doc(session, "zameldowanie")
    assert (before.updated.year, after.updated.year, draft.version) == (2026, 2027, 2)


async def test_rollback_publishes_old_content_as_a_new_version(
    runtime: Runtime, content_copy: Path
) -> None:
    await _import(runtime, content_copy)
    _edit_answer(content_copy, "Zameldowanie jest bezpłatne.", "Zmieniony tekst.")
    await _import(runtime, content_copy)
    async with runtime.transaction() as session:
        row = await service.rollback(
            session, "zameldowanie", 1, actor="editor", clock=runtime.clock
        )
    async with runtime.transaction() as session:
        history = await service.versions(session, "zameldowanie")
        doc = await service.published_doc(session, "zameldowanie")
        article = await service.get_article(session, "zameldowanie")
    assert row.version == 3
    assert [(v.version, v.origin) for v in history] == [
        (3, "rollback"),
        (2, "import"),
        (1, "import"),
    ]
    assert history[2].content_hash == history[0].content_hash
    assert article.published_version == 3
    assert "Zameldowanie jest bezpłatne." in doc.pl.answer


async def test_rollback_to_the_published_version_is_refused(
    runtime: Runtime, content_copy: Path
) -> None:
    await _import(runtime, content_copy)
    with pytest.raises(service.KnowledgeError):
        async with runtime.transaction() as session:
            await service.rollback(session, "zameldowanie", 1, actor="e", clock=runtime.clock)


async def test_stats_count_languages(runtime: Runtime, content_copy: Path) -> None:
    await _import(runtime, content_copy)
    content = load_content(content_copy)
    async with runtime.transaction() as session:
        stats = {s.topic: s for s in await service.stats(session)}
        trilingual = await service.count_with_languages(session, ("pl", "uk", "en"))
    assert stats["citizen_affairs"].articles == sum(
        a.topic == "citizen_affairs" for a in content.articles
    )
    assert trilingual == sum(a.uk is not None and a.en is not None for a in content.articles)


async def test_event_log_is_append_only(runtime: Runtime, content_copy: Path) -> None:
    await _import(runtime, content_copy)
    with pytest.raises(DBAPIError):
        async with runtime.transaction() as session:
            await session.execute(text("UPDATE events SET kind = 'forged'"))
    with pytest.raises(DBAPIError):
        async with runtime.transaction() as session:
            await session.execute(text("DELETE FROM events"))
