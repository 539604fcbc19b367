"""The fitted topic model as plain dictionaries and arrays, for scoring one message quickly.

scikit-learn validates its input, builds sparse matrices and stacks them on every call,
which costs a few milliseconds per message (about all of the classifier's time on one text).
Here the same arithmetic runs directly: the vectorizers' own analyzers cut the text into
n-grams, the vocabularies map them to columns, TF-IDF weighting and L2 norms follow, and
only the columns that occur are read from the coefficient matrix. The probabilities equal
``predict_proba``'s up to rounding (tests hold them within 1e-9).

Nothing here is stored: a scorer is compiled from the fitted estimators when a model is
fitted or loaded, so model artifacts are the same as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SparseBlock:
    """One fitted ``TfidfVectorizer``: text -> (columns, L2-normalised TF-IDF weights)."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: Floats | None
    sublinear: bool
    norm: str | None
    offset: int  # where this block's columns start in the model's feature vector

    @classmethod
    def compile(cls, vectorizer: Any, offset: int) -> SparseBlock:
        if vectorizer.binary or vectorizer.norm not in (None, "l2"):
            raise ValueError("only count-based TF-IDF with an L2 norm (or none) is compiled")
        return cls(
            analyze=vectorizer.build_analyzer(),
            vocabulary=vectorizer.vocabulary_,  # shared with the vectorizer, not copied
            idf=np.asarray(vectorizer.idf_, dtype=np.float64) if vectorizer.use_idf else None,
            sublinear=bool(vectorizer.sublinear_tf),
            norm=vectorizer.norm,
            offset=offset,
        )

    def weights(self, text: str) -> tuple[npt.NDArray[np.intp], Floats]:
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for gram in self.analyze(text):
            column = vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            values = np.log(values) + 1.0
        if self.idf is not None:
            values *= self.idf[columns]
        if self.norm == "l2" and len(values):
            values /= np.sqrt(values @ values)
        return columns + self.offset, values


@dataclass(frozen=True)
class CompactScorer:
    """TF-IDF blocks ⊕ dense vectors → the logistic regression's class probabilities."""

    blocks: tuple[SparseBlock, ...]
    coef: Floats  # (classes or 1, features): the estimator's own array, not a copy
    intercept: Floats
    dense_from: int  # the first dense (e5) column

    @classmethod
    def compile(cls, vectorizers: list[Any], model: Any) -> CompactScorer:
        blocks = []
        offset = 0
        for vectorizer in vectorizers:
            blocks.append(SparseBlock.compile(vectorizer, offset))
            offset += len(vectorizer.vocabulary_)
        coef = np.asarray(model.coef_, dtype=np.float64)
        return cls(tuple(blocks), coef, np.asarray(model.intercept_, np.float64), offset)

    def probabilities(self, texts: list[str], dense: npt.NDArray[np.floating[Any]]) -> Floats:
        """``texts`` as the vectorizers were fitted on (normalised); ``dense``: one row per
        text, already weighted, with no columns when the model has no e5 features."""
        coef = self.coef
        scores = np.empty((len(texts), coef.shape[0]), dtype=np.float64)
        dense_coef = coef[:, self.dense_from :]
        for row, text in enumerate(texts):
            total = self.intercept.copy()
            for block in self.blocks:
                columns, values = block.weights(text)
                if len(columns):
                    total += coef[:, columns] @ values
            if dense_coef.shape[1]:
                total += dense_coef @ np.asarray(dense[row], dtype=np.float64)
            scores[row] = total
        if coef.shape[0] == 1:  # two classes: one decision, the logistic function
            p = expit(scores[:, 0])
            return np.column_stack([1.0 - p, p])
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores
