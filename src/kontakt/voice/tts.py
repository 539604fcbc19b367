"""Speech synthesis behind a small protocol: espeak-ng for pl, uk and en, rendered once at
8 kHz (the telephone rate) and cached, since the bot says the same prompts all day.

Rendering is off the callers' path where it can be: the voice process renders every prompt
it can know in advance at start (``prerender``; seconds the first time, then from the disk
cache), and takes them from memory (``cached``) without a thread hop. espeak-ng starts
every text with about 40 ms of silence; the bot's prompts keep ``lead_in_ms`` of it, since
a caller who has just spoken waits for the bot's first sound.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import threading
import wave
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

RATE = 8000
VOICES = {"pl": "pl", "uk": "uk", "en": "en-gb"}


class TtsError(RuntimeError):
    pass


class TtsEngine(Protocol):
    def synthesize(self, text: str, lang: str) -> NDArray[np.int16]:
        """int16 PCM at 8 kHz."""
        ...


class EspeakTts:
    """Thread-safe. ``lead_in_ms``: silence kept before the first sound (None: espeak-ng's
    own, as a recording of a caller wants it)."""

    def __init__(
        self, cache_dir: Path | None = None, rate_wpm: int = 160, lead_in_ms: int | None = None
    ) -> None:
        self.cache_dir = cache_dir
        self.rate_wpm = rate_wpm
        self.lead_in_ms = lead_in_ms
        self._memory: dict[str, NDArray[np.int16]] = {}
        self._lock = threading.Lock()

    def cached(self, text: str, lang: str) -> NDArray[np.int16] | None:
        """The prompt if it is in memory already (never blocks), else None."""
        with self._lock:
            return self._memory.get(self._name(text, lang))

    def prerender(self, texts: Iterable[tuple[str, str]], parallel: int = 2) -> int:
        """Render (or load from the disk cache) every (text, lang) into memory; returns how
        many there are. espeak-ng runs as a program, so threads render in parallel."""
        todo = sorted(set(texts))
        with ThreadPoolExecutor(max(1, parallel), thread_name_prefix="tts") as pool:
            list(pool.map(lambda item: self.synthesize(*item), todo))
        return len(todo)

    def synthesize(self, text: str, lang: str) -> NDArray[np.int16]:
        voice = VOICES.get(lang, "pl")
        name = self._name(text, lang)
        with self._lock:
            if name in self._memory:
                return self._memory[name]
        path = self.cache_dir / f"{name}.npy" if self.cache_dir else None
        if path is not None and path.is_file():
            pcm: NDArray[np.int16] = np.load(path)
        else:
            pcm = self._render(text, voice)
            if self.lead_in_ms is not None:
                pcm = lead_in(pcm, self.lead_in_ms)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, pcm)
        with self._lock:
            self._memory[name] = pcm
        return pcm

    def _name(self, text: str, lang: str) -> str:
        voice = VOICES.get(lang, "pl")
        lead = "" if self.lead_in_ms is None else f"lead{self.lead_in_ms}|"
        key = f"{voice}|{self.rate_wpm}|{lead}{text}"
        return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()

    def _render(self, text: str, voice: str) -> NDArray[np.int16]:
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise TtsError("espeak-ng is not installed (apt-get install espeak-ng)")
        result = subprocess.run(  # noqa: S603 - fixed program, text passed as one argument
            [exe, "-v", voice, "-s", str(self.rate_wpm), "--stdout", text],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if result.returncode != 0 or not result.stdout:
            raise TtsError(f"espeak-ng failed: {result.stderr.decode(errors='replace')[:200]}")
        with wave.open(io.BytesIO(result.stdout)) as wav:
            rate = wav.getframerate()
            raw = wav.readframes(wav.getnframes())
        samples = np.frombuffer(raw, dtype=np.int16)
        return resample(samples, rate, RATE)


# Where a prompt's sound begins: 40 dB below its loudest sample (a soft first consonant).
ONSET_DB = 40.0


def lead_in(pcm: NDArray[np.int16], keep_ms: int) -> NDArray[np.int16]:
    """``pcm`` with its leading silence cut to ``keep_ms`` before the first sound."""
    level = np.abs(pcm.astype(np.int32))
    if not len(level) or not level.max():
        return pcm
    onset = int(np.argmax(level >= level.max() * 10 ** (-ONSET_DB / 20)))
    return pcm[max(0, onset - RATE * keep_ms // 1000) :]


def resample(pcm: NDArray[np.int16], rate: int, target: int) -> NDArray[np.int16]:
    """Polyphase resampling (scipy) with its anti-aliasing filter."""
    if rate == target:
        return pcm.astype(np.int16)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(rate, target)
    out = np.asarray(resample_poly(pcm.astype(np.float32), target // g, rate // g))
    result: NDArray[np.int16] = np.clip(np.round(out), -32768, 32767).astype(np.int16)
    return result
