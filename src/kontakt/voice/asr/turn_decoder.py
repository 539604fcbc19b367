"""One caller turn decoded by pocketsphinx while it is still being spoken.

Decoding a 3 s turn costs 0.15-0.2 s of CPU (RTF about 0.05); after the end of the turn
that is latency, and with ten callers finishing at once two workers queue it into seconds.
Fed as the audio arrives, only the decoder's last step is left when the turn ends (about
10-30 ms measured). Two things the whole-utterance decode did need care here:

- **Cepstral mean.** The en-us model normalises with the mean of the whole utterance
  (batch CMN); fed in pieces, pocketsphinx falls back to its prior (C0 = 40, where an
  upsampled telephone line sits near 60) and recognition falls apart (45 → 32 of the 66
  routing phrases). So the decoder waits for LEAD_MS of speech, takes the mean of that
  block, and decodes the turn with it fixed (45/66 again; with 0.5 s the mean is too
  rough: 34/66). The mean comes from a pass over the block with a one-word grammar
  (MEAN_SEARCH), which computes it exactly as a whole-utterance decode does, for 10 ms
  instead of the 70 ms the step's own search takes.
- **Silence around the speech** still must not reach the decoder (see vad.trim): the
  turn's start is cut as trim does, and audio after the last run of speech is held back
  until more speech follows, so the endpointer's trailing silence is never decoded.

A turn that ends before LEAD_MS (or audio given all at once) is decoded as a whole
utterance, exactly as before.

Once the speech has been followed by its margin and SETTLE_MS more of silence, the turn is
concluded at once (``feed`` returns the result): the endpointer still waits 700 ms before
it ends the turn, and in that time the result reaches the voice process, which uses it if
no speech came after (sphinx_pool). Should the caller go on speaking, the turn is decoded
afresh from its start: CPU spent only on turns with a pause in them.

Not thread-safe: one per turn, inside one worker process.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import webrtcvad
from numpy.typing import NDArray

from kontakt.voice.asr.audio import COMFORT_NOISE_DB, comfort_noise, speech_only, to_rate
from kontakt.voice.vad import MODE, TRIM_FLOOR_DB

RATE = 16000  # the en-us acoustic model's rate
MEAN_SEARCH = "_mean"  # the decoder's one-word grammar (see sphinx_worker.Decoders)
LEAD_MS = 1500  # speech before decoding starts, for the cepstral mean (see above)
FRAME_MS = 30  # as vad.trim judges speech
MIN_RUN = 3  # frames of speech that count as a run (vad.trim's min_run)
STREAM_RATES = (8000, 16000)  # rates decoded as they arrive; others wait for the end
# Silence after the speech (beyond its margin) that settles a turn's result, in time for
# the endpointer's 700 ms: by then only the decision is left after the turn ends.
SETTLE_MS = 100


class Upsampler:
    """8 → 16 kHz in pieces: zero-stuffing and the FIR filter scipy's ``resample_poly``
    uses, with the filter state carried across pieces, so the pieces join seamlessly."""

    HALF = 20  # resample_poly's half length for a factor of 2: 10 * max(up, down)

    def __init__(self) -> None:
        from scipy.signal import firwin

        self._taps = firwin(2 * self.HALF + 1, 0.5, window=("kaiser", 5.0)) * 2
        self._state = np.zeros(len(self._taps) - 1)
        self._skip = self.HALF  # the filter's delay: its first outputs precede the signal

    def __call__(self, pcm: NDArray[np.int16], last: bool = False) -> NDArray[np.float64]:
        from scipy.signal import lfilter

        stuffed = np.zeros(2 * len(pcm) + (self.HALF if last else 0))
        stuffed[: 2 * len(pcm) : 2] = pcm
        out, self._state = lfilter(self._taps, 1.0, stuffed, zi=self._state)
        skip, self._skip = min(self._skip, len(out)), self._skip - min(self._skip, len(out))
        result: NDArray[np.float64] = np.asarray(out[skip:], dtype=np.float64)
        return result


class TurnDecoder:
    def __init__(
        self, decoder: Any, step: str, rate: int, margin_ms: int, lead_ms: int = LEAD_MS
    ) -> None:
        self.decoder = decoder
        self.step = step
        self.rate = rate
        self.margin_ms = margin_ms
        self._frame = rate * FRAME_MS // 1000
        self._margin = rate * margin_ms // 1000
        self._lead = max(self._frame, rate * lead_ms // 1000)
        self._settle = rate * SETTLE_MS // 1000
        self._vad = webrtcvad.Vad(MODE)
        self._audio = np.zeros(0, dtype=np.int16)
        self._flags: list[bool] = []
        self._rms: list[float] = []
        self._settled: tuple[str, float] | None = None  # the result, while no speech follows
        self._settled_end = 0  # ... for the speech up to this sample
        self._fed = 0  # samples of the turn already given to the decoder
        self._streaming = False  # an utterance is open in the decoder
        self._upsample: Upsampler | None = None
        self._rng = np.random.default_rng(0)
        self._noise = 0.0
        self._restart()

    def feed(self, pcm: NDArray[np.int16]) -> tuple[str, float, int] | None:
        """More of the turn. Decodes what is known to be speech once LEAD_MS is in, and
        once the speech has been followed by SETTLE_MS of silence more, concludes: returns
        (text, posterior, samples of the turn so far), the turn's result unless speech
        resumes (then the turn is decoded afresh, and may settle again later)."""
        self._take(pcm)
        span = self._speech_span()
        if span is None:
            return None
        if self._settled is not None:
            if span[1] <= self._settled_end:
                return None  # more silence: the result stands
            self._restart()
        self._advance(span)
        if len(self._audio) - span[1] < self._settle:
            return None
        self._settled, self._settled_end = self._conclude(), span[1]
        return (*self._settled, len(self._audio))

    def finish(self, pcm: NDArray[np.int16] | None = None) -> tuple[str, float]:
        """The rest of the turn (if any): (text, posterior), ("", 0.0) for no speech."""
        if pcm is not None and len(pcm):
            self._take(pcm)
        span = self._speech_span()
        if span is not None and self._settled is not None and span[1] > self._settled_end:
            self._restart()  # speech came in the last piece: decoded whole below
        if self._settled is not None:
            return self._settled
        if self._streaming and span is not None:
            self._advance(span)
        return self._conclude()

    def cancel(self) -> None:
        if self._streaming:
            self.decoder.end_utt()
            self._streaming = False

    # --- internals ------------------------------------------------------------------------

    def _take(self, pcm: NDArray[np.int16]) -> None:
        self._audio = np.concatenate([self._audio, np.asarray(pcm, dtype=np.int16)])
        if self.rate not in STREAM_RATES:
            return  # webrtcvad cannot judge it: the whole turn is decoded at the end
        size = self._frame
        for i in range(len(self._flags) * size, len(self._audio) - size + 1, size):
            frame = self._audio[i : i + size]
            self._flags.append(self._vad.is_speech(frame.tobytes(), self.rate))
            self._rms.append(float(np.sqrt(np.mean(frame.astype(np.float64) ** 2))))

    def _speech_span(self) -> tuple[int, int] | None:
        """Samples from the first to the last run of speech, margins included: vad.trim's
        rule, with the loudness floor taken from the loudest frame so far. None also for a
        rate webrtcvad cannot judge: such a turn is decoded whole at its end."""
        if len(self._flags) < MIN_RUN:
            return None
        rms = np.asarray(self._rms)
        ok = np.asarray(self._flags) & (rms >= rms.max() * 10 ** (-TRIM_FLOOR_DB / 20))
        runs = np.flatnonzero(np.convolve(ok, np.ones(MIN_RUN), "valid") == MIN_RUN)
        if not len(runs):
            return None
        begin = max(0, int(runs[0]) * self._frame - self._margin)
        end = min(len(self._audio), (int(runs[-1]) + MIN_RUN) * self._frame + self._margin)
        return begin, end

    def _restart(self) -> None:
        """Decode from the turn's start (again: speech resumed after a settled result)."""
        self._settled = None
        self._fed = 0
        self._streaming = False
        self._upsample = Upsampler() if self.rate == 8000 else None
        self._rng = np.random.default_rng(0)  # as comfort_noise: same audio, same text
        self._noise = 0.0

    def _advance(self, span: tuple[int, int]) -> None:
        begin, end = span
        if not self._streaming:
            if end - begin < self._lead:
                return
            # Exactly LEAD_MS, however the audio came in pieces: the same mean, the same text.
            self._start(self._audio[begin : begin + self._lead])
            self._fed = begin + self._lead
        if end > self._fed:
            pcm = self._audio[self._fed : end]
            up = self._upsample(pcm) if self._upsample is not None else pcm.astype(np.float64)
            self._decode(self._noisy(up))
            self._fed = end

    def _conclude(self) -> tuple[str, float]:
        """The result of what has been heard: the streamed utterance ended, or a turn too
        short to stream decoded whole."""
        if not self._streaming:
            return self._whole()
        if self._upsample is not None:  # the filter's tail: the turn's last 1.25 ms
            self._decode(self._noisy(self._upsample(np.zeros(0, dtype=np.int16), last=True)))
        self.decoder.end_utt()
        self._streaming = False
        return self._hypothesis()

    def _start(self, block: NDArray[np.int16]) -> None:
        """Decode the first block with its own cepstral mean (see the module docstring)."""
        self._noise = float(np.sqrt(np.mean(block.astype(np.float64) ** 2)))
        up = self._upsample(block) if self._upsample is not None else block.astype(np.float64)
        audio = self._noisy(up).tobytes()
        decoder = self.decoder
        decoder.activate_search(MEAN_SEARCH)
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(audio, full_utt=True)
        decoder.end_utt()
        mean = decoder.get_cmn()
        decoder.activate_search(self.step)
        decoder.reinit_feat()
        decoder.set_cmn(mean)
        decoder.start_utt()
        decoder.process_raw(audio, full_utt=False)
        self._streaming = True

    def _noisy(self, pcm: NDArray[np.float64]) -> NDArray[np.int16]:
        """comfort_noise, at the level of the first block, drawn on as the turn goes."""
        noise = self._rng.normal(0.0, self._noise * 10 ** (-COMFORT_NOISE_DB / 20), len(pcm))
        out: NDArray[np.int16] = np.clip(np.round(pcm + noise), -32768, 32767).astype(np.int16)
        return out

    def _decode(self, pcm: NDArray[np.int16]) -> None:
        if len(pcm):
            self.decoder.process_raw(pcm.tobytes(), full_utt=False)

    def _whole(self) -> tuple[str, float]:
        """The turn as one utterance, with its own mean (batch CMN)."""
        speech = speech_only(self._audio, self.rate, self.margin_ms)
        if len(speech) < self.rate // 10:  # under 100 ms of speech: nothing to recognise
            return "", 0.0
        audio = comfort_noise(to_rate(speech, self.rate, RATE))
        decoder = self.decoder
        decoder.activate_search(self.step)
        # The cepstral mean carries over from the previous utterance, which may be another
        # caller's: start from the model's prior every time, so the same audio always gives
        # the same result.
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(audio.tobytes(), full_utt=True)
        decoder.end_utt()
        return self._hypothesis()

    def _hypothesis(self) -> tuple[str, float]:
        hyp = self.decoder.hyp()
        text = hyp.hypstr.strip() if hyp is not None else ""
        return text, float(self.decoder.get_prob()) if text else 0.0
