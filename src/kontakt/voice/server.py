"""The voice process: the SIP endpoint and its call flow, beside the web workers."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterable

from kontakt.config import Settings
from kontakt.runtime import Runtime
from kontakt.voice.call_flow import CallFlow
from kontakt.voice.sip.endpoint import SipEndpoint
from kontakt.voice.tts import EspeakTts
from kontakt.voice.warm_prompts import prompt_texts

log = logging.getLogger("kontakt.voice")
# The bot's prompts start this soon: a caller who has spoken waits for the first sound.
PROMPT_LEAD_IN_MS = 10


async def serve_sip(settings: Settings, stop: asyncio.Event | None = None) -> None:
    runtime = Runtime.build(settings)
    endpoint = SipEndpoint(settings.sip_host, settings.sip_port, max_calls=settings.sip_max_calls)
    flow = build_flow(settings, runtime, endpoint)
    texts = await prompt_texts(flow)
    await asyncio.to_thread(warm_up, flow, texts)
    endpoint.on_call = flow.handle
    await endpoint.start()
    log.info("SIP endpoint on udp://%s:%d", settings.sip_host, endpoint.port)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):  # `kontakt serve` ends us with SIGTERM
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await endpoint.stop()
        close_engines(flow)
        await runtime.close()


def build_flow(settings: Settings, runtime: Runtime, endpoint: SipEndpoint) -> CallFlow:
    """The call flow with the speech engines the settings name (loaded lazily by each)."""
    from kontakt.voice.asr import engines_from_settings
    from kontakt.voice.vad import Endpointer

    tts = EspeakTts(cache_dir=settings.var_dir / "prompts", lead_in_ms=PROMPT_LEAD_IN_MS)
    engines = engines_from_settings(settings)

    def endpointer() -> Endpointer:
        return Endpointer(
            silence_ms=settings.vad_silence_ms, min_silence_ms=settings.vad_min_silence_ms
        )

    return CallFlow(runtime, endpoint, tts, engines, endpointer)


def warm_up(flow: CallFlow, prompts: Iterable[tuple[str, str]] = ()) -> None:
    """Load the models, build missing speech artifacts and render ``prompts`` before the
    first call, so the first caller does not wait seconds for them, and no caller waits
    for a prompt to be rendered (see tts.py)."""
    from kontakt.voice.asr import prepare_engines

    model = flow.runtime.chat.topic_model()
    if model is not None:
        model.engine.predict(["dzień dobry"])  # loads the embedder the classifier uses
    prepare_engines(dict(flow.asr))
    prerender = getattr(flow.tts, "prerender", None)
    if prerender is not None:
        log.info("%d prompts ready", prerender(prompts))


def close_engines(flow: CallFlow) -> None:
    """Stop the recognisers' worker processes."""
    for engine in flow.asr.values():
        close = getattr(engine, "close", None)
        if close is not None:
            close()


def run(settings: Settings) -> None:
    """Entry point of the voice process started by `kontakt serve`."""
    logging.basicConfig(level=logging.INFO)
    asyncio.run(serve_sip(settings))
