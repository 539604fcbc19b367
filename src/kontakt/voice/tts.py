"""Speech synthesis behind a small protocol: espeak-ng for pl, uk and en, rendered once at
8 kHz (the telephone rate) and cached, since the bot says the same prompts all day."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import threading
import wave
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
    def __init__(self, cache_dir: Path | None = None, rate_wpm: int = 160) -> None:
        self.cache_dir = cache_dir
        self.rate_wpm = rate_wpm
        self._memory: dict[str, NDArray[np.int16]] = {}
        self._lock = threading.Lock()

    def synthesize(self, text: str, lang: str) -> NDArray[np.int16]:
        voice = VOICES.get(lang, "pl")
        key = hashlib.sha1(f"{voice}|{self.rate_wpm}|{text}".encode(), usedforsecurity=False)
        name = key.hexdigest()
        with self._lock:
            if name in self._memory:
                return self._memory[name]
        path = self.cache_dir / f"{name}.npy" if self.cache_dir else None
        if path is not None and path.is_file():
            pcm: NDArray[np.int16] = np.load(path)
        else:
            pcm = self._render(text, voice)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, pcm)
        with self._lock:
            self._memory[name] = pcm
        return pcm

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
