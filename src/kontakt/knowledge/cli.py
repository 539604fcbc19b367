"""``kontakt kb``: import, export and inspect the knowledge base."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from kontakt.cli_support import fail, out, run
from kontakt.knowledge import service
from kontakt.knowledge.content import (
    ContentSet,
    article_paths,
    article_text,
    load_content,
    write_content,
)
from kontakt.knowledge.indexing import embed_published
from kontakt.knowledge.versions import doc_from_version
from kontakt.runtime import Runtime

kb_app = typer.Typer(no_args_is_help=True, help="The knowledge base.")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=out,
        transient=True,
    )


@kb_app.command("import")
def kb_import(
    directory: Path = typer.Argument(Path("content"), help="The content folder."),
    actor: str = typer.Option("cli", help="Who is importing (recorded in the audit log)."),
    skip_vectors: bool = typer.Option(
        False,
        "--skip-vectors",
        help="Do not compute article vectors now (the server then computes missing ones when "
        "it builds its search index). For quick checks of content only.",
    ),
) -> None:
    """Import content/ in one transaction; only changed articles get a new version."""

    total = len(article_paths(directory)) if directory.is_dir() else 0

    async def work(rt: Runtime) -> service.ImportReport:
        with _progress() as progress:
            task = progress.add_task("checking", total=total)
            content = load_content(directory, on_file=lambda _p: progress.advance(task))
            task2 = progress.add_task("importing", total=len(content.articles))
            async with rt.transaction() as session:
                report = await service.import_content(
                    session,
                    content,
                    actor=actor,
                    clock=rt.clock,
                    on_article=lambda _id: progress.advance(task2),
                )
                # Vectors are computed here, once per changed article, never at query time.
                if not skip_vectors:
                    progress.add_task("computing article vectors", total=None)
                    await embed_published(session, rt.chat.embedder)
                return report

    report = run(work)
    for label, ids in (
        ("added", report.added),
        ("changed", report.changed),
        ("removed", report.removed),
    ):
        for article_id in ids:
            out.print(f"  {label:8} {article_id}")
    out.print(
        f"added {len(report.added)}, changed {len(report.changed)}, "
        f"removed {len(report.removed)}, unchanged {report.unchanged}"
    )


@kb_app.command("export")
def kb_export(directory: Path = typer.Argument(..., help="Folder to write content into.")) -> None:
    """Write the published knowledge base as content files (the import format)."""

    if directory.exists() and not directory.is_dir():
        fail(f"{directory} exists and is not a directory")

    async def work(rt: Runtime) -> ContentSet:
        async with rt.transaction() as session:
            return await service.published_content(session)

    content = run(work)
    try:
        write_content(directory, content)
    except OSError as exc:
        fail(f"cannot write {exc.filename or directory}: {exc.strerror}")
    n = len(content.articles)
    out.print(f"exported {n} articles to {directory}")


@kb_app.command("check")
def kb_check(directory: Path = typer.Argument(Path("content"))) -> None:
    """Validate content files without touching the database."""
    content = run(lambda _rt: _load(directory), migrated=False)
    out.print(
        f"ok: {len(content.topics)} topics, {len(content.units)} units, "
        f"{len(content.articles)} articles"
    )


async def _load(directory: Path) -> ContentSet:
    return load_content(directory)


@kb_app.command("fmt")
def kb_fmt(directory: Path = typer.Argument(Path("content"))) -> None:
    """Rewrite content files in the canonical layout that export writes."""
    content = run(lambda _rt: _load(directory), migrated=False)
    changed = [
        p
        for p in article_paths(directory)
        if p.read_text(encoding="utf-8")
        != article_text(next(a for a in content.articles if a.id == p.stem))
    ]
    write_content(directory, content)
    out.print(f"formatted {len(changed)} of {len(content.articles)} article files")


@kb_app.command("list")
def kb_list(topic: str = typer.Option(None, help="Only this topic.")) -> None:
    """List published articles."""

    async def work(rt: Runtime) -> list[tuple[str, str, int | None, str, str]]:
        async with rt.transaction() as session:
            rows = await service.list_articles(session, topic=topic)
            return [
                (
                    a.id,
                    a.topic,
                    a.published_version,
                    ",".join(t.lang for t in v.texts) if v else "-",
                    next((t.title for t in v.texts if t.lang == "pl"), "") if v else "(draft only)",
                )
                for a, v in rows
            ]

    table = Table("id", "topic", "ver", "langs", "title (pl)")
    for row in run(work):
        table.add_row(row[0], row[1], str(row[2] or "-"), row[3], row[4])
    out.print(table)


@kb_app.command("show")
def kb_show(
    article_id: str = typer.Argument(...),
    version: int = typer.Option(None, help="A specific version (default: the published one)."),
) -> None:
    """Show one article as its content file, plus its version history."""

    async def work(rt: Runtime) -> tuple[str, list[str]]:
        async with rt.transaction() as session:
            history = await service.versions(session, article_id)
            article = await service.get_article(session, article_id)
            number = version or article.published_version or history[0].version
            row = await service.get_version(session, article_id, number)
            doc = doc_from_version(row)
            lines = [
                f"v{v.version} {v.origin:8} {v.created_at:%Y-%m-%d %H:%M} {v.created_by}"
                + ("  (published)" if v.version == article.published_version else "")
                + ("  (draft)" if v.published_at is None else "")
                for v in history
            ]
            return article_text(doc), lines

    text, history = run(work)
    out.print(text, markup=False, end="")
    out.print("# history")
    for line in history:
        out.print("# " + line, markup=False)


@kb_app.command("stats")
def kb_stats() -> None:
    """Published articles per topic and language."""

    async def work(rt: Runtime) -> tuple[list[service.TopicStats], int]:
        async with rt.transaction() as session:
            return await service.stats(session), await service.count_with_languages(
                session, ("pl", "uk", "en")
            )

    rows, trilingual = run(work)
    table = Table("topic", "articles", "pl", "uk", "en")
    for s in rows:
        table.add_row(s.topic, str(s.articles), *(str(s.by_lang[x]) for x in ("pl", "uk", "en")))
    total = sum(s.articles for s in rows)
    table.add_row(
        "total", str(total), *(str(sum(s.by_lang[x] for s in rows)) for x in ("pl", "uk", "en"))
    )
    out.print(table)
    out.print(f"articles in all of pl, uk and en: {trilingual}")
