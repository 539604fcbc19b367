"""``kontakt voice``: the voicebot's commands (a test call to a running kontakt)."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import typer

from kontakt.cli_support import fail, out

voice_app = typer.Typer(no_args_is_help=True, help="The voicebot (SIP).")


@voice_app.command("call")
def call_command(
    text: str = typer.Option(None, help="What the caller says (synthesised with espeak-ng)."),
    lang: str = typer.Option("pl", help="Language of the text: pl, uk or en."),
    dtmf: str = typer.Option(
        "",
        help='Keys to press, one per bot prompt, e.g. "13". The text is said after the keys, '
        'or where "_" stands: "1_1" is key 1, the text, then key 1 (a yes). Keys in brackets '
        'are typed in one go after one prompt, as a number is: "141[01012026#]".',
    ),
    to: str = typer.Option("sip:127.0.0.1:5060", help="The bot's SIP URI."),
    transport: str = typer.Option("udp", help="udp or tcp."),
    timeout: float = typer.Option(60.0, min=1.0, help="Hang up after this many seconds."),
    record: Path = typer.Option(None, help="Write the bot's audio to this WAV file (8 kHz)."),
    barge_in: bool = typer.Option(
        False, "--barge-in", help="Key in or speak as soon as a prompt begins, not after it."
    ),
) -> None:
    """Place a real SIP call to a running kontakt and print how it ended, e.g.
    "transferred queue=waste topic=waste method=speech". Exit 0 when the bot transferred or
    ended the call, 1 for no answer, a rejection or a timeout."""
    from kontakt.voice.caller import CallerError, parse_target, place_call, steps_of
    from kontakt.voice.tts import VOICES, TtsError

    if lang not in VOICES:
        fail(f"--lang must be one of {', '.join(VOICES)}, not {lang!r}")
    try:
        parse_target(to, transport)
        steps_of(dtmf, text)
        call = place_call(
            to, text=text, lang=lang, dtmf=dtmf, transport=transport, timeout_s=timeout,
            barge_in=barge_in,
        )  # fmt: skip
        result = asyncio.run(call)
    except (CallerError, TtsError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot place the call: {exc.strerror or exc}")
    if record is not None:
        try:
            with wave.open(str(record), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(8000)
                wav.writeframes(result.bot_audio.tobytes())
        except OSError as exc:
            fail(f"cannot write {record}: {exc.strerror or exc}")
    out.print(result.line(), markup=False)
    raise typer.Exit(0 if result.outcome in ("transferred", "ended by bot") else 1)


@voice_app.command("build")
def build_command(
    content: Path = typer.Option(None, help="The content folder (default: KONTAKT_CONTENT_DIR)."),
    lang: list[str] = typer.Option(
        None,
        help="Build for this language (pl or en; repeatable). Default: the languages "
        "pocketsphinx serves with the current settings.",
    ),
    force: bool = typer.Option(False, help="Rebuild even if the current build is up to date."),
) -> None:
    """Build the speech recogniser's lexicon, LMs and grammars from content/ into
    KONTAKT_VOICE_DIR (var/voice), versioned by a hash of the content. The voice process
    also builds them on first use; this does it ahead of time (a few seconds)."""
    from kontakt.config import Settings
    from kontakt.knowledge.content import ContentError
    from kontakt.voice.asr import AsrError, engines_from_settings
    from kontakt.voice.asr.build import LANGS, build, build_dir
    from kontakt.voice.asr.sphinx_engine import PocketsphinxEngine

    settings = Settings()
    content_dir = content or settings.content_dir
    voice_dir = settings.resolved_voice_dir()
    try:
        langs = lang or [
            code
            for code, engine in engines_from_settings(settings).items()
            if isinstance(engine, PocketsphinxEngine)
        ]
        for code in langs:
            if code not in LANGS:
                fail(f"--lang must be one of {', '.join(LANGS)}, not {code!r}")
            folder = build_dir(voice_dir, content_dir, code)
            if (folder / "meta.json").is_file() and not force:
                out.print(f"{code}: {folder} is up to date", markup=False)
                continue
            meta = build(voice_dir, content_dir, code).meta()
            out.print(
                f"{code}: {folder} ({meta['words']} words, {meta['seconds']} s)", markup=False
            )
    except (AsrError, ContentError) as exc:
        fail(str(exc))
