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
import math
import threading
import time
from concurrent.futures import Future, InvalidStateError
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.asr.base import NOTHING, STEPS, AsrError, Recognition, Step, as_step
from kontakt.voice.asr.build import GRAMMAR_STEPS, Artifacts, ensure_built
from kontakt.voice.asr.sphinx_pool import PoolTurn, SphinxPool
from kontakt.voice.asr.sphinx_worker import Outcome
from kontakt.voice.asr.text import spoken_digits

log = logging.getLogger(__name__)

# Speech kept around the trimmed utterance. More than the reference's 50-150 ms: short
# answers ("nie") lose their soft first consonant at 100 ms.
MARGIN_MS = 200
# Decoders each worker loads at start (0.14 s and 17 MB each); more are loaded when more
# turns are spoken at once, and kept.
SPARE_DECODERS = 8
# A sentence is complete (the turn may end on a shorter silence) when the step's LM gives
# it at least this probability of ending after its last word: P(</s> | "osobisty") is
# 0.72, after a content word mostly 0.1-0.5, after "o", "w", "na", "do", "i" 0.015-0.04.
END_PROBABILITY = 0.05
LOG_BASE = 1.0001  # pocketsphinx's logmath base: NGramModel.prob is log_{1.0001} P


class PocketsphinxEngine:
    """Thread-safe. Decoding runs in ``workers`` processes (see sphinx_worker for why not
    threads; as many as cores, since decoding is CPU-bound), started on first use or by
    ``prepare``: 1-3 s (more on a busy machine) and about 140 MB each plus 17 MB per
    decoder. A turn can be decoded as it is spoken (``open_stream``), or whole. The
    artifacts are built on first use if they are missing or stale (a few seconds)."""

    def __init__(
        self,
        language: str,
        voice_dir: Path,
        content_dir: Path,
        workers: int = 2,
        margin_ms: int = MARGIN_MS,
        spare_decoders: int = SPARE_DECODERS,
    ) -> None:
        self.language = language
        self.voice_dir = voice_dir
        self.content_dir = content_dir
        self.workers = max(1, workers)
        self.margin_ms = margin_ms
        self.spare_decoders = spare_decoders
        self._artifacts: Artifacts | None = None
        self._yes_no: frozenset[str] | None = None
        self._lms: dict[str, Any] = {}  # step -> its pocketsphinx NGramModel
        self._pool: SphinxPool | None = None
        self._lock = threading.Lock()

    def prepare(self) -> Artifacts:
        """Build the artifacts if needed and start every worker now, so the first caller
        does not wait for them. Safe to call more than once."""
        self._workers().ready()
        self._load_lms()
        return self._ensure_artifacts()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def recognize(self, pcm: NDArray[np.int16], rate: int, step: str) -> Recognition:
        return self.submit(pcm, rate, step).result()

    def submit(self, pcm: NDArray[np.int16], rate: int, step: str) -> Future[Recognition]:
        name = as_step(step)
        turn = self._workers().open(name, rate, self.margin_ms)
        return self._recognition(turn.finish(np.asarray(pcm, dtype=np.int16)), name)

    def open_stream(self, step: str, rate: int) -> SphinxStream:
        name = as_step(step)
        return SphinxStream(self, self._workers().open(name, rate, self.margin_ms), name)

    def _recognition(self, outcome: Future[Outcome], step: Step) -> Future[Recognition]:
        result: Future[Recognition] = Future()
        sent = time.monotonic()

        def settle(done: Future[Outcome]) -> None:
            if result.done():  # cancelled by whoever asked: nobody wants it any more
                return
            if done.cancelled():
                result.cancel()
                return
            try:
                if (error := done.exception()) is not None:
                    result.set_exception(error)
                else:
                    try:
                        recognition = self._finish(done.result(), step, sent)
                    except Exception as exc:  # e.g. an unreadable grammar file
                        result.set_exception(exc)
                    else:
                        result.set_result(recognition)
            except InvalidStateError:  # cancelled meanwhile, from another thread
                pass

        outcome.add_done_callback(settle)
        return result

    def _finish(self, outcome: Outcome, step: Step, sent: float) -> Recognition:
        text = outcome.text
        if outcome.settled:
            log.debug("turn %d (%s): settled %.3f s before its end", outcome.turn, step,
                      sent - outcome.done_at)  # fmt: skip
        else:
            log.debug(
                "turn %d (%s): waited %.3f s in the worker's queue, finished in %.3f s",
                outcome.turn, step, outcome.taken_at - sent, outcome.done_at - outcome.taken_at,
            )  # fmt: skip
        if step == "yes_no" and text and text not in self._phrases():
            # When no path reaches the grammar's end, pocketsphinx returns the best partial
            # one ("chyba" of "chyba nie"): half an answer is no answer.
            return NOTHING
        return self._result(text, outcome.posterior, step)

    @staticmethod
    def _result(text: str, posterior: float, step: str) -> Recognition:
        words = text.split()
        if not words:
            return NOTHING
        confidence = min(1.0, max(0.0, posterior)) ** (1.0 / len(words))
        if step == "digits":
            text = spoken_digits(text)
        return Recognition(" ".join(text.lower().split()), confidence)

    def complete(self, step: Step, text: str) -> bool:
        """Whether recognised words make a whole answer for the step: a yes/no phrase of
        the grammar, or an LM step's sentence that may well end there (END_PROBABILITY).
        Digits never are: callers pause between groups of them. Until ``prepare`` has
        loaded the LMs, nothing is complete (loading here would stall the caller's loop)."""
        words = text.split()
        if not words or step == "digits":
            return False
        if step == "yes_no":
            return text in self._phrases()
        lm = self._lms.get(step)
        if lm is None:
            return False
        try:
            log_prob = lm.prob(["</s>", words[-1]])  # P(</s> | last word), in logmath units
        except Exception:  # a word the LM does not have: no opinion
            return False
        return bool(log_prob >= math.log(END_PROBABILITY) / math.log(LOG_BASE))

    def _load_lms(self) -> None:
        from pocketsphinx import NGramModel

        artifacts = self._ensure_artifacts()
        for step in STEPS:
            if step not in GRAMMAR_STEPS and step not in self._lms:
                self._lms[step] = NGramModel.readfile(str(artifacts.search(step)))
        self._phrases()

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

    def _workers(self) -> SphinxPool:
        with self._lock:
            if self._pool is None or self._pool.broken:
                if self._pool is not None:
                    self._pool.close()
                self._pool = self._start()
            return self._pool

    def _start(self) -> SphinxPool:
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
        return SphinxPool(
            self.workers, (hmm, str(artifacts.dictionary), searches, self.spare_decoders)
        )


class SphinxStream:
    """A turn being decoded in a worker (StreamingAsr's SpeechStream)."""

    def __init__(self, engine: PocketsphinxEngine, turn: PoolTurn, step: Step) -> None:
        self._engine = engine
        self._turn = turn
        self._step = step
        self._complete: tuple[Outcome, bool] | None = None  # the last settled result judged

    def feed(self, pcm: NDArray[np.int16], quiet: bool = False) -> None:
        self._turn.feed(pcm, quiet)

    def finish(self, speech_until: int | None = None) -> Future[Recognition]:
        outcome = self._turn.finish(speech_until=speech_until)
        return self._engine._recognition(outcome, self._step)

    def cancel(self) -> None:
        self._turn.cancel()

    def complete(self, speech_until: int) -> bool:
        settled = self._turn.settled_after(speech_until)
        if settled is None:
            return False
        if self._complete is None or self._complete[0] is not settled:
            self._complete = (settled, self._engine.complete(self._step, settled.text))
        return self._complete[1]
