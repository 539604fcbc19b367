"""Speech recognition behind the AsrEngine protocol: pocketsphinx (Polish, closed domain),
faster-whisper and Vosk from local model folders. See ``select`` for who serves whom."""

from kontakt.voice.asr.base import STEPS, AsrEngine, AsrError, Recognition, Step
from kontakt.voice.asr.select import engines_from_settings, prepare_engines

__all__ = [
    "STEPS",
    "AsrEngine",
    "AsrError",
    "Recognition",
    "Step",
    "engines_from_settings",
    "prepare_engines",
]
