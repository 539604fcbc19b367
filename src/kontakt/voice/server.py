"""The voice process: the SIP endpoint and its call flow, beside the web workers."""

from __future__ import annotations

import asyncio
import logging
import signal

from kontakt.config import Settings
from kontakt.runtime import Runtime
from kontakt.voice.call_flow import CallFlow
from kontakt.voice.sip.endpoint import SipEndpoint
from kontakt.voice.tts import EspeakTts

log = logging.getLogger("kontakt.voice")


async def serve_sip(settings: Settings, stop: asyncio.Event | None = None) -> None:
    runtime = Runtime.build(settings)
    endpoint = SipEndpoint(settings.sip_host, settings.sip_port, max_calls=settings.sip_max_calls)
    flow = build_flow(settings, runtime, endpoint)
    await asyncio.to_thread(warm_up, flow)
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
        await runtime.close()


def build_flow(settings: Settings, runtime: Runtime, endpoint: SipEndpoint) -> CallFlow:
    """The call flow with the speech engines the settings name (loaded lazily by each)."""
    from kontakt.voice.asr import engines_from_settings
    from kontakt.voice.vad import Endpointer

    tts = EspeakTts(cache_dir=settings.var_dir / "prompts")
    engines = engines_from_settings(settings)
    return CallFlow(
        runtime, endpoint, tts, engines, lambda: Endpointer(silence_ms=settings.vad_silence_ms)
    )


def warm_up(flow: CallFlow) -> None:
    """Load the models and build missing speech artifacts before the first call, so the
    first caller does not wait seconds for them."""
    from kontakt.voice.asr import prepare_engines

    flow.runtime.chat.topic_model()
    prepare_engines(dict(flow.asr))


def run(settings: Settings) -> None:
    """Entry point of the voice process started by `kontakt serve`."""
    logging.basicConfig(level=logging.INFO)
    asyncio.run(serve_sip(settings))
