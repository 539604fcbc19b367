"""A benchmark caller that knows what it called about and answers the bot's guess truthfully.

The voicebot confirms every guess ("Czy chodzi o podatki lokalne? Powiedz tak lub naciśnij
1..."). A caller who presses 1 to anything would let a wrong guess through; a real caller
says no. This one recognises which topic the bot proposed by comparing what it heard with
the confirmation prompt for every topic, rendered by the same espeak-ng voice the bot uses
(and passed through the same G.711 codec), and presses 1 for its own topic, 2 for any other.
Anything that is no confirmation (a reprompt, the question between two topics) gets no key.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kontakt.i18n import Translations
from kontakt.knowledge.content import load_taxonomy
from kontakt.voice import prompts
from kontakt.voice.caller import Answer
from kontakt.voice.caller_media import trim_silence
from kontakt.voice.g711 import codec_for
from kontakt.voice.tts import TtsEngine

# The best match must be this close to its own rendering (about 0.95 when heard again, at
# most about 0.9 for another topic's prompt); anything else is not a confirmation.
MATCH = 0.8


FRAME = 80  # 10 ms at 8 kHz


def envelope(pcm: NDArray[np.int16]) -> NDArray[np.float64]:
    """Log energy per 10 ms, mean removed: cheap to compare, and two renderings of one text
    have the same one."""
    pcm = trim_silence(pcm)
    frames = pcm[: len(pcm) // FRAME * FRAME].astype(np.float64).reshape(-1, FRAME)
    env = np.log1p(np.sqrt((frames**2).mean(axis=1)))
    return env - env.mean() if env.size else env


def similarity(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Peak normalised cross-correlation of two envelopes, scaled by the ratio of their
    lengths: two prompts that share their opening words but name different topics score
    below the same prompt heard again."""
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    if not a.size or not b.size or not norm:
        return 0.0
    peak = float(np.correlate(a, b, mode="full").max()) / norm
    return peak * min(len(a), len(b)) / max(len(a), len(b))


class TruthfulCaller:
    """Confirmation prompts of every topic in one language, rendered once."""

    def __init__(self, content_dir: Path, tts: TtsEngine, lang: str = "pl") -> None:
        texts = Translations("kontakt")
        codec = codec_for(0)
        assert codec is not None
        self.references: dict[str, NDArray[np.float64]] = {}
        for topic in load_taxonomy(content_dir).topics:
            name = getattr(topic.name, lang)
            text = texts.gettext(lang, prompts.CONFIRM_TOPIC, topic=name)
            pcm = codec.decode(codec.encode(tts.synthesize(text, lang)))
            self.references[topic.id] = envelope(pcm)

    def proposed(self, heard: NDArray[np.int16]) -> str | None:
        """The topic whose confirmation prompt ``heard`` is, or None."""
        env = envelope(heard)
        scores = {tid: similarity(env, ref) for tid, ref in self.references.items()}
        best = max(scores, key=lambda tid: scores[tid])
        return best if scores[best] >= MATCH else None

    def answer_for(self, topic: str) -> Answer:
        def answer(heard: NDArray[np.int16]) -> str | None:
            proposed = self.proposed(heard)
            if proposed is None:
                return None
            return "1" if proposed == topic else "2"

        return answer
