"""Topic classification: which of the 22 topics a resident's message is about.

The engine concatenates sparse TF-IDF features (character 2–5-grams within word boundaries,
and word 1–2-grams) with dense multilingual e5 sentence features, and fits one linear model.
TF-IDF catches dispatcher shorthand, form names and typos; e5 carries meaning across
languages, so Ukrainian and English messages route even where their training data is thin.

scikit-learn fits the model; scoring runs on a compact copy of it (``scorer``), which gives
the same probabilities without scikit-learn's per-call overhead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from kontakt.knowledge.embedder import Embedder
from kontakt.topics.scorer import CompactScorer


@dataclass(frozen=True)
class TopicPrediction:
    topic: str
    confidence: float
    runner_up: str | None
    runner_up_confidence: float


class Classifier(Protocol):
    def predict(self, texts: list[str]) -> list[TopicPrediction]:
        """One prediction per text, with the runner-up for clarifying questions."""
        ...


@dataclass(frozen=True)
class EngineConfig:
    embedding_weight: float = 2.0  # scales e5 features against the unit-norm TF-IDF blocks
    c: float = 10.0  # inverse regularisation of the logistic regression
    use_embeddings: bool = True


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


class TopicEngine:
    """TF-IDF (char + word) ⊕ e5 features → multinomial logistic regression."""

    def __init__(self, embedder: Embedder | None, config: EngineConfig | None = None) -> None:
        self.embedder = embedder
        self.config = config or EngineConfig()
        self.labels: list[str] = []
        self._char: Any = None
        self._word: Any = None
        self._model: Any = None
        self._scorer: CompactScorer | None = None

    def _dense(self, texts: list[str]) -> np.ndarray:
        if self.embedder is None or not self.config.use_embeddings:
            return np.zeros((len(texts), 0), dtype=np.float32)
        vectors = (
            np.vstack([self.embedder.queries(texts[i : i + 64]) for i in range(0, len(texts), 64)])
            if texts
            else np.zeros((0, 1))
        )
        return np.asarray(vectors, dtype=np.float32) * self.config.embedding_weight

    def _features(self, texts: list[str], dense: np.ndarray | None = None) -> Any:
        norm = [_normalise(t) for t in texts]
        blocks = [self._char.transform(norm), self._word.transform(norm)]
        d = self._dense(texts) if dense is None else dense
        if d.shape[1]:
            blocks.append(sparse.csr_matrix(d))
        return sparse.hstack(blocks).tocsr()

    def fit(
        self, texts: list[str], labels: list[str], dense: np.ndarray | None = None
    ) -> TopicEngine:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        norm = [_normalise(t) for t in texts]
        self._char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=1,
            max_features=200_000,
        )
        self._word = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w[\w+-]*\b",  # noqa: S106 - a regex, not a secret
            min_df=1,
        )
        self._char.fit(norm)
        self._word.fit(norm)
        x = self._features(texts, dense)
        self._model = LogisticRegression(C=self.config.c, max_iter=3000)
        self._model.fit(x, labels)
        self.labels = [str(c) for c in self._model.classes_]
        self._scorer = CompactScorer.compile([self._char, self._word], self._model)
        return self

    def probabilities(self, texts: list[str], dense: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities (columns in ``labels`` order), one row per text."""
        if self._scorer is None:
            raise RuntimeError("the topic engine is not fitted")
        d = self._dense(texts) if dense is None else dense
        return self._scorer.probabilities([_normalise(t) for t in texts], d)

    def sklearn_probabilities(
        self, texts: list[str], dense: np.ndarray | None = None
    ) -> np.ndarray:
        """The same through scikit-learn's own ``predict_proba``: the reference that the
        compact scorer is tested against."""
        proba: np.ndarray = self._model.predict_proba(self._features(texts, dense))
        return proba

    def predict(self, texts: list[str], dense: np.ndarray | None = None) -> list[TopicPrediction]:
        if not texts:
            return []
        proba = self.probabilities(texts, dense)
        out = []
        for row in proba:
            order = np.argsort(-row)
            first, second = int(order[0]), int(order[1]) if len(order) > 1 else None
            out.append(
                TopicPrediction(
                    topic=self.labels[first],
                    confidence=float(row[first]),
                    runner_up=self.labels[second] if second is not None else None,
                    runner_up_confidence=float(row[second]) if second is not None else 0.0,
                )
            )
        return out

    def __getstate__(self) -> dict[str, Any]:
        # The embedder is a process resource (a loaded model), not part of the artifact.
        # The compact scorer is derived from the estimators, so it is rebuilt on loading,
        # which also gives artifacts stored before it existed one.
        state = dict(self.__dict__)
        state["embedder"] = None
        state.pop("_scorer", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._scorer = (
            CompactScorer.compile([self._char, self._word], self._model)
            if self._model is not None
            else None
        )
