"""Retrieval quality on a labelled FAQ set: topic hit@1 and article hit@1/hit@3 per language."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kontakt.evaluation.datasets import FaqItem
from kontakt.knowledge.search import TUNED, SearchIndex, Weights
from kontakt.nlu.normalize import Normalizer


@dataclass
class LangScore:
    n: int = 0
    topic_hit1: int = 0
    with_ids: int = 0
    article_hit1: int = 0
    article_hit3: int = 0


@dataclass
class FaqReport:
    per_lang: dict[str, LangScore] = field(default_factory=lambda: defaultdict(LangScore))
    misses: list[tuple[FaqItem, str]] = field(default_factory=list)

    def total(self) -> LangScore:
        t = LangScore()
        for s in self.per_lang.values():
            t.n += s.n
            t.topic_hit1 += s.topic_hit1
            t.with_ids += s.with_ids
            t.article_hit1 += s.article_hit1
            t.article_hit3 += s.article_hit3
        return t


def search_query(normalizer: Normalizer, question: str, lang: str) -> tuple[str, str]:
    """The query and search language the dialogue engine would use for this question."""
    search_lang = "uk" if lang == "ru" else lang
    query = normalizer.restore_polish(question) if search_lang == "pl" else question
    return query, search_lang


def evaluate(
    index: SearchIndex,
    items: list[FaqItem],
    *,
    weights: Weights | None = None,
    use_dense: bool = True,
) -> FaqReport:
    report = FaqReport()
    for item in items:
        query, lang = search_query(index.normalizer, item.question, item.lang)
        hits = index.search(query, lang, k=3, use_dense=use_dense, weights=weights or TUNED)
        score = report.per_lang[item.lang]
        score.n += 1
        top = hits[0] if hits else None
        if top is not None and top.article.topic == item.topic:
            score.topic_hit1 += 1
        if item.article_id is not None:
            score.with_ids += 1
            ids = [h.id for h in hits]
            if ids[:1] == [item.article_id]:
                score.article_hit1 += 1
            else:
                report.misses.append((item, ids[0] if ids else ""))
            if item.article_id in ids[:3]:
                score.article_hit3 += 1
    return report
