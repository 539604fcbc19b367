"""The voice process: the SIP endpoint and its call flow, beside the web workers."""

from __future__ import annotations

import asyncio
import logging
import signal

from kontakt.config import Settings
from kontakt.runtime import Runtime
from kontakt.voice.keypad import KeypadFlow
from kontakt.voice.sip.endpoint import SipEndpoint
from kontakt.voice.tts import EspeakTts

log = logging.getLogger("kontakt.voice")


async def serve_sip(settings: Settings, stop: asyncio.Event | None = None) -> None:
    runtime = Runtime.build(settings)
    endpoint = SipEndpoint(settings.sip_host, settings.sip_port, max_calls=settings.sip_max_calls)
    flow = KeypadFlow(runtime, endpoint, EspeakTts(cache_dir=settings.var_dir / "prompts"))
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


def run(settings: Settings) -> None:
    """Entry point of the voice process started by `kontakt serve`."""
    logging.basicConfig(level=logging.INFO)
    asyncio.run(serve_sip(settings))
