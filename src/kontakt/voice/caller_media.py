"""The test caller's media: what it says and keys in, and what it hears from the bot.

Like a real phone it sends one RTP packet every 20 ms for the whole call: silence, its
speech, or RFC 4733 key events (which replace audio while a key is down). It records the
bot's audio on a timeline (the bot's pauses kept as silence) and notes when the bot speaks,
so the caller knows when a prompt has ended and can measure how long the bot took to answer.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import secrets
import time
from collections import deque
from typing import cast

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.dtmf import DIGITS, TelephoneEvent
from kontakt.voice.g711 import Codec
from kontakt.voice.rtp import Packetizer, RtpError, RtpPacket, parse

FRAME_S = 0.02
FRAME = 160
VOICED_RMS = 200.0  # int16 RMS; G.711 silence decodes to 0..8, espeak speech to thousands
TRIM_RMS = 16.0
BARGE_S = 0.3  # how much of a prompt a caller who barges in hears
KEY_PACKETS, KEY_END_REPEATS = 5, 3  # a 100 ms press, its end packet sent three times


def voiced(pcm: NDArray[np.int16], threshold: float = VOICED_RMS) -> bool:
    return bool(pcm.size) and float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) > threshold


def trim_silence(pcm: NDArray[np.int16]) -> NDArray[np.int16]:
    """Speech without the synthesiser's leading and trailing silence (digital zero), so "the
    end of the caller's speech" is its last sound, not a tail of silence. The threshold is
    far below VOICED_RMS: a soft first "ch" must stay."""
    frames = [voiced(pcm[i : i + FRAME], TRIM_RMS) for i in range(0, len(pcm), FRAME)]
    if not any(frames):
        return pcm
    first = frames.index(True)
    last = len(frames) - 1 - frames[::-1].index(True)
    return pcm[first * FRAME : (last + 1) * FRAME]


class CallerMedia(asyncio.DatagramProtocol):
    def __init__(self, codec: Codec, dtmf_pt: int) -> None:
        self.codec = codec
        self.dtmf_pt = dtmf_pt
        self.remote: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.packetizer = Packetizer(secrets.randbelow(2**32), codec.payload_type)
        # Packets to send before silence resumes; the flagged one ends the step (the last of
        # the speech; a key's first end packet: the bot may answer before the repeats).
        self._queue: deque[tuple[RtpPacket, bool]] = deque()
        self._drained = asyncio.Event()
        self._step_end = 0.0  # monotonic time the flagged packet went out
        self._sender: asyncio.Task[None] | None = None
        # What was heard: the bot's audio on a timeline, and when it last had a voice.
        self.started = time.monotonic()
        self._chunks: list[NDArray[np.int16]] = []
        self._cursor = 0  # samples recorded so far
        self.voiced_at: list[float] = []  # monotonic arrival of every voiced packet

    @property
    def port(self) -> int:
        assert self.transport is not None
        port: int = self.transport.get_extra_info("sockname")[1]
        return port

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def start(self, remote: tuple[str, int], codec: Codec, dtmf_pt: int) -> None:
        """Begin sending to ``remote`` with the codec and key events the answer chose."""
        self.remote, self.codec, self.dtmf_pt = remote, codec, dtmf_pt
        self.packetizer = Packetizer(self.packetizer.ssrc, codec.payload_type)
        self.started = time.monotonic()
        self._sender = asyncio.ensure_future(self._send_loop())

    def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.close()

    # --- receiving ------------------------------------------------------------------------

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            packet = parse(data)
        except RtpError:
            return
        if packet.payload_type != self.codec.payload_type:
            return
        now = time.monotonic()
        pcm = self.codec.decode(packet.payload)
        at = round((now - self.started) * 8000)
        if at > self._cursor + 3 * FRAME:  # the bot paused: keep the pause in the recording
            self._chunks.append(np.zeros(at - self._cursor, dtype=np.int16))
            self._cursor = at
        self._chunks.append(pcm)
        self._cursor += len(pcm)
        if voiced(pcm):
            self.voiced_at.append(now)

    def recording(self) -> NDArray[np.int16]:
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)

    def heard_since(self, moment: float) -> NDArray[np.int16]:
        """The bot's audio from ``moment`` (monotonic) on: the prompt a step answers."""
        start = max(0, round((moment - self.started) * 8000))
        return self.recording()[start:]

    @property
    def last_voice(self) -> float:
        return self.voiced_at[-1] if self.voiced_at else 0.0

    def first_voice_after(self, moment: float) -> float | None:
        """When the bot's first voiced packet after ``moment`` arrived (its answer)."""
        i = bisect.bisect_right(self.voiced_at, moment)
        return self.voiced_at[i] if i < len(self.voiced_at) else None

    async def prompt_started(self, since: float, *, idle_s: float) -> None:
        """Wait until the bot has spoken for a moment after ``since`` (a caller who knows the
        menu keys in at once), or has said nothing for ``idle_s``."""
        while time.monotonic() - since < idle_s:
            later = self.first_voice_after(since + BARGE_S)
            if later is not None and time.monotonic() - later >= BARGE_S:
                return
            await asyncio.sleep(FRAME_S)

    async def prompt_over(self, since: float, *, quiet_s: float, idle_s: float) -> None:
        """Wait until the bot has spoken after ``since`` and then been quiet for ``quiet_s``,
        or has said nothing for ``idle_s`` (a bot that stays silent must not stall us)."""
        while True:
            now = time.monotonic()
            if self.last_voice > since and now - self.last_voice >= quiet_s:
                return
            if self.last_voice <= since and now - since >= idle_s:
                return
            await asyncio.sleep(FRAME_S)

    # --- sending --------------------------------------------------------------------------

    async def speak(self, pcm: NDArray[np.int16]) -> float:
        """Send speech; returns the monotonic time its last packet went out."""
        if not pcm.size:
            return time.monotonic()
        self.packetizer.start_talkspurt()
        packets = self.packetizer.feed(pcm) + self.packetizer.flush()
        self._queue.extend((packet, i == len(packets) - 1) for i, packet in enumerate(packets))
        return await self._drain()

    async def key(self, digit: str) -> float:
        """Press one key as RFC 4733 events: growing duration, then the end packet 3 times;
        returns the monotonic time the first end packet (the key's release) went out."""
        event = DIGITS.index(digit.upper())
        p = self.packetizer
        stamp = p.timestamp
        for i in range(KEY_PACKETS + KEY_END_REPEATS):
            end = i >= KEY_PACKETS - 1
            duration = FRAME * min(i + 1, KEY_PACKETS)
            payload = TelephoneEvent(event, end, 10, duration).to_bytes()
            packet = RtpPacket(self.dtmf_pt, p.sequence, stamp, p.ssrc, payload, i == 0)
            self._queue.append((packet, i == KEY_PACKETS - 1))
            p.sequence = (p.sequence + 1) % 65536
        # The press took its time on the clock: audio after it continues from there.
        p.start_talkspurt(FRAME * (KEY_PACKETS + KEY_END_REPEATS))
        return await self._drain()

    async def _drain(self) -> float:
        self._drained.clear()
        await self._drained.wait()
        return self._step_end

    async def _send_loop(self) -> None:
        silence = np.zeros(FRAME, dtype=np.int16)
        start = time.perf_counter()
        tick = 0
        while True:
            # Pace against the clock, not by sleeping a fixed 20 ms: sleeps drift late.
            delay = start + tick * FRAME_S - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tick += 1
            if self._queue:
                packet, ends_step = self._queue.popleft()
                self._send(packet)
                if ends_step:
                    self._step_end = time.monotonic()
                if not self._queue:
                    self._drained.set()
            else:
                for packet in self.packetizer.feed(silence):
                    self._send(packet)

    def _send(self, packet: RtpPacket) -> None:
        if self.transport is not None and self.remote is not None:
            self.transport.sendto(packet.to_bytes(), self.remote)
