"""``kontakt eval``: measure the chatbot on labelled datasets."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

from kontakt.cli_support import CliError, out, run
from kontakt.evaluation.datasets import DatasetError, read_faq
from kontakt.evaluation.faq import FaqReport, evaluate
from kontakt.evaluation.topics import eval_topics
from kontakt.knowledge.models import Article
from kontakt.runtime import Runtime
from kontakt.topics.models import Topic

eval_app = typer.Typer(no_args_is_help=True, help="Evaluate on labelled datasets.")
eval_app.command("topics")(eval_topics)


@eval_app.command("faq")
def eval_faq(
    dataset: Path = typer.Option(
        ..., "--dataset", help="JSONL: question, lang, topic, optional article_id."
    ),
    show_misses: int = typer.Option(0, help="Print this many misses."),
) -> None:
    """Topic hit@1 and article hit@1/hit@3 per language; the last line is topic_hit_at_1=..."""

    async def work(rt: Runtime) -> FaqReport:
        async with rt.transaction() as session:
            topics = set((await session.scalars(select(Topic.id))).all())
            articles = set((await session.scalars(select(Article.id))).all())
        if not topics:
            raise CliError("the knowledge base is empty; run: kontakt kb import content/")
        try:
            items = read_faq(dataset, topics, articles)
        except DatasetError as exc:
            raise CliError(str(exc)) from exc
        return evaluate(await rt.chat.index.get(), items)

    report = run(work)
    out.print(f"{'lang':6}{'n':>6}{'topic@1':>10}{'art@1':>9}{'art@3':>9}")
    rows = [*sorted(report.per_lang.items()), ("all", report.total())]
    for lang, s in rows:
        a1 = f"{s.article_hit1 / s.with_ids:.3f}" if s.with_ids else "-"
        a3 = f"{s.article_hit3 / s.with_ids:.3f}" if s.with_ids else "-"
        out.print(f"{lang:6}{s.n:>6}{s.topic_hit1 / s.n:>10.3f}{a1:>9}{a3:>9}")
    for item, got in report.misses[:show_misses]:
        out.print(
            f"miss [{item.lang}] {item.question!r}: want {item.article_id}, got {got}", markup=False
        )
    total = report.total()
    out.print(f"topic_hit_at_1={total.topic_hit1 / total.n:.4f}")
