"""Vosk (Kaldi) from a model folder an operator installs, e.g. a Polish or Ukrainian model.

Only ``vosk.Model(model_path=...)`` is used: given a name or a language instead, vosk would
download a model. On the closed steps (yes/no, digits) the recogniser gets the step's
phrases as a grammar, which models with a dynamic graph (``graph/HCLr.fst`` and
``Gr.fst``; the "small" ones) honour; big static-graph models ignore it and use their LM.

Confidence is the mean of Kaldi's per-word confidences (lattice posteriors, the "conf"
of each word in the result).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.asr.audio import speech_only, to_rate
from kontakt.voice.asr.base import NOTHING, AsrError, Recognition, Step, as_step
from kontakt.voice.asr.corpus import YES_NO, digit_phrases
from kontakt.voice.asr.text import spoken_digits, words

log = logging.getLogger(__name__)

MARGIN_MS = 200
UNKNOWN = "[unk]"  # lets a grammar answer "none of these" instead of forcing a phrase


def model_rate(model_dir: Path) -> int:
    """The sample rate the model was trained at (conf/mfcc.conf; Kaldi's default 16 kHz)."""
    conf = model_dir / "conf" / "mfcc.conf"
    if conf.is_file():
        found = re.search(r"--sample-frequency=(\d+)", conf.read_text(encoding="utf-8"))
        if found:
            return int(found.group(1))
    return 16000


def step_grammars(lang: str) -> dict[Step, list[str]]:
    if lang not in YES_NO:
        return {}
    return {"yes_no": YES_NO[lang], "digits": digit_phrases(lang)}


class VoskEngine:
    """Thread-safe: the model is loaded once, lazily, and shared; each recognition gets its
    own KaldiRecognizer, which is cheap to create."""

    def __init__(self, language: str, model_dir: Path, grammars: bool = True) -> None:
        if not (model_dir / "am").is_dir() and not (model_dir / "final.mdl").is_file():
            raise AsrError(f"{model_dir} is not a Vosk model folder (no am/)")
        self.language = language
        self.model_dir = model_dir
        self.rate = model_rate(model_dir)
        self.grammars = step_grammars(language) if grammars else {}
        self._model: Any = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        self._load()

    def recognize(self, pcm: NDArray[np.int16], rate: int, step: str) -> Recognition:
        speech = speech_only(pcm, rate, MARGIN_MS)
        if len(speech) < rate // 10:
            return NOTHING
        from vosk import KaldiRecognizer

        name = as_step(step)
        model = self._load()
        phrases = self.grammars.get(name)
        if phrases:
            grammar = json.dumps([*phrases, UNKNOWN], ensure_ascii=False)
            recognizer = KaldiRecognizer(model, float(self.rate), grammar)
        else:
            recognizer = KaldiRecognizer(model, float(self.rate))
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(to_rate(speech, rate, self.rate).tobytes())
        result = json.loads(recognizer.FinalResult())
        return self._result(result, name)

    @staticmethod
    def _result(result: dict[str, Any], step: str) -> Recognition:
        found = [w for w in result.get("result", []) if w.get("word") != UNKNOWN]
        text = " ".join(words(" ".join(str(w["word"]) for w in found)))
        if step == "digits":
            text = spoken_digits(text)
        if not text:
            return NOTHING
        confidence = sum(float(w.get("conf", 0.0)) for w in found) / len(found)
        return Recognition(text, min(1.0, max(0.0, confidence)))

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                import vosk

                vosk.SetLogLevel(-1)  # Kaldi logs every graph load to stderr
                self._model = vosk.Model(model_path=str(self.model_dir))
                log.info("vosk %s loaded from %s", self.language, self.model_dir)
            return self._model
