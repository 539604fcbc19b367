"""One call's media: G.711 RTP out (paced 20 ms frames), and in: DTMF events, and the
caller's audio put in order by a jitter buffer and handed on as 20 ms frames of PCM."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from typing import cast

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.dtmf import DtmfDetector
from kontakt.voice.g711 import Codec
from kontakt.voice.rtp import JitterBuffer, Packetizer, RtpError, parse

FRAME_S = 0.02


class RtpSession(asyncio.DatagramProtocol):
    def __init__(
        self, codec: Codec, dtmf_pt: int | None, on_digit: Callable[[str], None] | None = None
    ) -> None:
        self.codec = codec
        self.remote: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.packetizer = Packetizer(secrets.randbelow(2**32), codec.payload_type)
        self.dtmf_pt = dtmf_pt
        self.dtmf = DtmfDetector(dtmf_pt) if dtmf_pt is not None else None
        self.on_digit = on_digit
        # The caller's audio, decoded, in order; whoever listens sets ``on_audio``.
        self.jitter = JitterBuffer(codec)
        self.on_audio: Callable[[NDArray[np.int16]], None] | None = None
        self.received = 0
        self.sent = 0
        self.last_received = 0.0
        self.muted = False  # on hold: nothing is sent
        self._playing: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        assert self.transport is not None
        port: int = self.transport.get_extra_info("sockname")[1]
        return port

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's UDP transport is not an asyncio.DatagramTransport subclass, but quacks.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            packet = parse(data)
        except RtpError:
            return  # noise on the port is dropped, never fatal
        self.last_received = time.monotonic()
        if self.dtmf is not None and packet.payload_type == self.dtmf_pt:
            digits = self.dtmf.feed(packet)
            for digit in digits:
                if self.on_digit is not None:
                    self.on_digit(digit)
            return
        if packet.payload_type == self.codec.payload_type:
            self.received += 1
            if self.on_audio is not None and self.jitter.push(packet):
                while (frame := self.jitter.pop()) is not None:
                    self.on_audio(frame.pcm)

    def flush_audio(self) -> None:
        """RTP stopped: hand on the frames the jitter buffer still waits to reorder."""
        if self.on_audio is not None:
            for frame in self.jitter.drain():
                self.on_audio(frame.pcm)

    @property
    def playing(self) -> bool:
        return self._playing is not None and not self._playing.done()

    def play(self, pcm: NDArray[np.int16]) -> asyncio.Task[None]:
        """Send ``pcm`` paced in real time; a new prompt (or barge-in) stops the previous."""
        self.stop_playing()
        self._playing = asyncio.create_task(self._send(pcm))
        return self._playing

    def stop_playing(self) -> None:
        if self._playing is not None and not self._playing.done():
            self._playing.cancel()

    async def _send(self, pcm: NDArray[np.int16]) -> None:
        self.packetizer.start_talkspurt()
        packets = self.packetizer.feed(pcm) + self.packetizer.flush()
        start = time.perf_counter()
        for i, packet in enumerate(packets):
            # Pace against the clock, not by sleeping a fixed 20 ms: sleeps drift late.
            delay = start + i * FRAME_S - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.transport is None or self.transport.is_closing():
                return  # the call ended while the prompt played
            if self.remote is not None and not self.muted:
                self.transport.sendto(packet.to_bytes(), self.remote)
                self.sent += 1

    def close(self) -> None:
        self.stop_playing()
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.close()
