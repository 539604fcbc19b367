"""Pocketsphinx with per-step LMs and grammars built from ``content/``: the default Polish
recogniser (and an English fallback when no Whisper model is installed).

How it hears Polish: the en-us acoustic model from the pocketsphinx wheel, a lexicon that
spells Polish words in English phones, and a small LM or grammar for the dialogue step.
It is a topic guesser for a confirm-or-keypad dialogue, not a transcriber (see
docs/benchmarks.md, "Speech recognition", for measured accuracy).

Confidence is the posterior probability of the whole hypothesis given the audio, from the
forward-backward pass over the decoder's word lattice, normalised per word as its
geometric mean: ``P(hypothesis | audio) ** (1 / words)``. A sentence posterior shrinks
with every word that has competitors, so without the normalisation long utterances would
always look unsure. It measures how much the decoder hesitated between hypotheses, not
whether the audio was Polish at all: a closed grammar can be confidently wrong on speech
outside it, so the dialogue confirms what it heard.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.asr import sphinx_worker
from kontakt.voice.asr.base import NOTHING, STEPS, AsrError, Recognition, as_step
from kontakt.voice.asr.build import GRAMMAR_STEPS, Artifacts, ensure_built
from kontakt.voice.asr.text import spoken_digits

log = logging.getLogger(__name__)

# Speech kept around the trimmed utterance. More than the reference's 50-150 ms: short
# answers ("nie") lose their soft first consonant at 100 ms.
MARGIN_MS = 200


class PocketsphinxEngine:
    """Thread-safe. Decoding runs in a pool of ``workers`` processes (see sphinx_worker
    for why not threads), started on first use or by ``prepare``: 1-3 s (more on a busy
    machine) and about 140 MB each, mostly the Python libraries a spawned interpreter
    imports. Decoding is CPU-bound, so more workers than cores only queue differently.
    The artifacts are built on first use if they are missing or stale (a few seconds)."""

    def __init__(
        self,
        language: str,
        voice_dir: Path,
        content_dir: Path,
        workers: int = 2,
        margin_ms: int = MARGIN_MS,
    ) -> None:
        self.language = language
        self.voice_dir = voice_dir
        self.content_dir = content_dir
        self.workers = max(1, workers)
        self.margin_ms = margin_ms
        self._artifacts: Artifacts | None = None
        self._yes_no: frozenset[str] | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def prepare(self) -> Artifacts:
        """Build the artifacts if needed and start every worker now, so the first caller
        does not wait for them. Safe to call more than once."""
        pool = self._executor()
        # Tasks submitted together start a worker each; each one loads its decoder.
        for ready in [pool.submit(sphinx_worker.ready) for _ in range(self.workers)]:
            ready.result()
        return self._ensure_artifacts()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def recognize(self, pcm: NDArray[np.int16], rate: int, step: str) -> Recognition:
        name = as_step(step)
        data = np.ascontiguousarray(pcm, dtype=np.int16).tobytes()
        try:
            future = self._executor().submit(sphinx_worker.decode, data, rate, name, self.margin_ms)
            text, posterior = future.result()
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
            with self._lock:
                self._pool = None  # the next recognition starts a new pool
            raise AsrError("a pocketsphinx worker died") from exc
        if name == "yes_no" and text and text not in self._phrases():
            # When no path reaches the grammar's end, pocketsphinx returns the best partial
            # one ("chyba" of "chyba nie"): half an answer is no answer.
            return NOTHING
        return self._result(text, posterior, name)

    @staticmethod
    def _result(text: str, posterior: float, step: str) -> Recognition:
        words = text.split()
        if not words:
            return NOTHING
        confidence = min(1.0, max(0.0, posterior)) ** (1.0 / len(words))
        if step == "digits":
            text = spoken_digits(text)
        return Recognition(" ".join(text.lower().split()), confidence)

    def _phrases(self) -> frozenset[str]:
        """The yes/no grammar's phrases, from its one public rule."""
        if self._yes_no is None:
            rule = self._ensure_artifacts().search("yes_no").read_text(encoding="utf-8")
            body = rule.split("=", 1)[1].rsplit(";", 1)[0]
            self._yes_no = frozenset(" ".join(p.split()) for p in body.split("|"))
        return self._yes_no

    def _ensure_artifacts(self) -> Artifacts:
        if self._artifacts is None:
            self._artifacts = ensure_built(self.voice_dir, self.content_dir, self.language)
        return self._artifacts

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = self._start()
            return self._pool

    def _start(self) -> ProcessPoolExecutor:
        try:
            from pocketsphinx import get_model_path
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise AsrError("pocketsphinx is not installed") from exc
        artifacts = self._ensure_artifacts()
        hmm = str(Path(get_model_path(), "en-us", "en-us"))
        searches: list[tuple[str, str, bool]] = [
            (s, str(artifacts.search(s)), s in GRAMMAR_STEPS) for s in STEPS
        ]
        log.info("pocketsphinx %s: %d workers on %s", self.language, self.workers, artifacts)
        # spawn, not fork: the voice process runs threads and an event loop.
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=sphinx_worker.init,
            initargs=(hmm, str(artifacts.dictionary), searches),
        )
