"""Article retrieval: dense e5 similarity fused with BM25 over lemmas, with tuned weights.

Dense matching is what lets a Ukrainian or English question find a Polish article; BM25
over lemmas catches exact terms (PSZOK, CEIDG, street names) that embeddings blur. The
weights are not equal: they come from ``bench/tune_retrieval.py`` on the development set
(``content/eval/faq_dev.jsonl``) and are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from kontakt.knowledge.embedder import Embedder, Vectors
from kontakt.nlu.normalize import Normalizer


@dataclass(frozen=True)
class Weights:
    dense_questions: float = 1.0
    dense_answer: float = 0.5
    lexical: float = 0.1
    lexical_saturation: float = 12.0  # BM25 s -> s / (s + k): comparable across queries
    boost: float = 0.1  # per unit of classifier confidence; chosen on the dev set
    # e5 rates same-language pairs higher than cross-language paraphrases; centring each
    # language's similarities on their median lets a Ukrainian question reach a Polish-only
    # article instead of any Ukrainian one.
    centre_languages: bool = True


# Tuned on content/eval/faq_dev.jsonl by bench/tune_retrieval.py; see docs/benchmarks.md.
TUNED = Weights()


@dataclass(frozen=True)
class LocalText:
    title: str
    questions: tuple[str, ...]
    answer: str
    speakable: str


@dataclass(frozen=True)
class IndexedArticle:
    id: str
    topic: str
    unit: str
    version: int
    source_title: str
    source_url: str
    texts: Mapping[str, LocalText]


@dataclass(frozen=True)
class ArticleHit:
    article: IndexedArticle
    score: float
    dense: float
    lexical: float

    @property
    def id(self) -> str:
        return self.article.id


@dataclass
class _Lexical:
    owners: list[int]
    retriever: object


@dataclass
class SearchIndex:
    """An immutable in-memory index of the published knowledge base."""

    articles: list[IndexedArticle]
    q_vectors: Vectors
    q_owner: np.ndarray
    q_lang: np.ndarray
    a_vectors: Vectors
    a_owner: np.ndarray
    normalizer: Normalizer
    embedder: Embedder
    lexical: dict[str, _Lexical] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        articles: list[IndexedArticle],
        vectors: Mapping[tuple[str, str], list[tuple[str, np.ndarray]]],
        *,
        normalizer: Normalizer,
        embedder: Embedder,
    ) -> SearchIndex:
        """``vectors[(article_id, kind)]`` holds (lang, vector) pairs of kind q or a."""
        q_rows: list[np.ndarray] = []
        q_owner: list[int] = []
        q_lang: list[str] = []
        a_rows: list[np.ndarray] = []
        a_owner: list[int] = []
        for i, art in enumerate(articles):
            for lang, vec in vectors.get((art.id, "q"), []):
                q_rows.append(vec)
                q_owner.append(i)
                q_lang.append(lang)
            for _lang, vec in vectors.get((art.id, "a"), []):
                a_rows.append(vec)
                a_owner.append(i)
        dim = embedder.dim
        index = cls(
            articles=articles,
            q_vectors=np.vstack(q_rows).astype(np.float32)
            if q_rows
            else np.zeros((0, dim), np.float32),
            q_owner=np.asarray(q_owner, dtype=np.int64),
            q_lang=np.asarray(q_lang),
            a_vectors=np.vstack(a_rows).astype(np.float32)
            if a_rows
            else np.zeros((0, dim), np.float32),
            a_owner=np.asarray(a_owner, dtype=np.int64),
            normalizer=normalizer,
            embedder=embedder,
        )
        index._build_lexical()
        return index

    def _build_lexical(self) -> None:
        import bm25s

        for lang in ("pl", "uk", "en"):
            owners: list[int] = []
            corpus: list[list[str]] = []
            for i, art in enumerate(self.articles):
                text = art.texts.get(lang)
                if text is None:
                    continue
                doc = " ".join((text.title, *text.questions, text.questions[0], text.answer))
                tokens = self.normalizer.lemmas(doc, lang)
                if tokens:
                    owners.append(i)
                    corpus.append(tokens)
            if corpus:
                retriever = bm25s.BM25()
                retriever.index(corpus, show_progress=False)
                self.lexical[lang] = _Lexical(owners, retriever)

    def by_id(self, article_id: str) -> IndexedArticle | None:
        for art in self.articles:
            if art.id == article_id:
                return art
        return None

    def embed(self, query: str) -> np.ndarray:
        vector: np.ndarray = self.embedder.queries([query])[0]
        return vector

    def dense_scores(self, qv: np.ndarray, *, centre: bool) -> tuple[np.ndarray, np.ndarray]:
        """Per-article best question similarity and answer similarity for a query vector."""
        n = len(self.articles)
        da = np.full(n, -1.0, dtype=np.float32)
        if len(self.a_owner):
            np.maximum.at(da, self.a_owner, self.a_vectors @ qv)
        sims = self.q_vectors @ qv if len(self.q_owner) else np.zeros(0, np.float32)
        if not centre:
            dq = np.full(n, -1.0, dtype=np.float32)
            if len(self.q_owner):
                np.maximum.at(dq, self.q_owner, sims)
            return np.maximum(dq, 0.0), np.maximum(da, 0.0)
        best = np.full(n, -np.inf, dtype=np.float32)
        for lang in ("pl", "uk", "en"):
            mask = self.q_lang == lang
            if not mask.any():
                continue
            per = np.full(n, -np.inf, dtype=np.float32)
            np.maximum.at(per, self.q_owner[mask], sims[mask])
            present = np.isfinite(per)
            # Shift each language so its typical article sits at the same level; 0.8 keeps
            # the scores in e5's usual range for the thresholds.
            per[present] += 0.8 - float(np.median(per[present]))
            best = np.maximum(best, per)
        best[~np.isfinite(best)] = 0.0
        return np.maximum(best, 0.0), np.maximum(da, 0.0)

    def lexical_scores(self, query: str, lang: str) -> np.ndarray:
        scores = np.zeros(len(self.articles), dtype=np.float32)
        lex = self.lexical.get(lang)
        if lex is None:
            return scores
        tokens = self.normalizer.lemmas(query, lang)
        if not tokens:
            return scores
        raw = lex.retriever.get_scores(tokens)  # type: ignore[attr-defined]
        scores[np.asarray(lex.owners, dtype=np.int64)] = np.asarray(raw, dtype=np.float32)
        return scores

    def search(
        self,
        query: str,
        lang: str,
        *,
        weights: Weights = TUNED,
        boost: Mapping[str, float] | None = None,
        k: int = 5,
        use_dense: bool = True,
    ) -> list[ArticleHit]:
        if not self.articles:
            return []
        if use_dense:
            dq, da = self.dense_scores(self.embed(query), centre=weights.centre_languages)
        else:
            dq = da = np.zeros(len(self.articles), dtype=np.float32)
        raw = self.lexical_scores(query, lang)
        return self.rank(dq, da, raw, weights=weights, boost=boost, k=k)

    def rank(
        self,
        dq: np.ndarray,
        da: np.ndarray,
        raw_lexical: np.ndarray,
        *,
        weights: Weights = TUNED,
        boost: Mapping[str, float] | None = None,
        k: int = 5,
    ) -> list[ArticleHit]:
        """Fuse precomputed signals (kept separate so tuning can reuse them)."""
        lex = raw_lexical / (raw_lexical + weights.lexical_saturation)
        score = weights.dense_questions * dq + weights.dense_answer * da + weights.lexical * lex
        if boost:
            for i, art in enumerate(self.articles):
                b = boost.get(art.id, boost.get("topic:" + art.topic, 0.0))
                if b:
                    score[i] += weights.boost * b
        order = np.argsort(-score)[:k]
        return [
            ArticleHit(self.articles[i], float(score[i]), float(dq[i]), float(lex[i]))
            for i in order
        ]
