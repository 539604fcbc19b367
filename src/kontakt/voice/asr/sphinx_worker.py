"""One pocketsphinx decoder, living in a worker process of PocketsphinxEngine's pool.

Why a process: pocketsphinx holds the GIL for the whole decode (0.1-0.4 s), so in a
thread it would freeze the voice process's event loop, and with it the 20 ms RTP pacing
of every call (measured: 0.28 s gaps), and two decodes could never use two cores. The
decoder is this module's state because a process-pool worker is set up once by its
initializer and then only receives tasks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kontakt.voice.asr.audio import comfort_noise, speech_only, to_rate

RATE = 16000  # the en-us acoustic model's rate

_decoder: Any = None


def init(hmm: str, dictionary: str, searches: list[tuple[str, str, bool]]) -> None:
    """Load the decoder with one search per step: (name, path, is_grammar)."""
    global _decoder
    from pocketsphinx import Decoder

    # lm=None: never load the 27 MB generic English LM; every step is added below.
    # fwdflat=False: the second (flat-lexicon) pass cost a third of the decoding time and
    # changed no word on the development sentences. The lattice for the confidence comes
    # from the bestpath pass, which stays on.
    decoder = Decoder(hmm=hmm, dict=dictionary, lm=None, fwdflat=False, loglevel="FATAL")
    for name, path, grammar in searches:
        if grammar:
            decoder.add_jsgf_file(name, path)
        else:
            decoder.add_lm_file(name, path)
    to_rate(np.zeros(160, dtype=np.int16), 8000, RATE)  # imports scipy.signal now
    _decoder = decoder


def ready() -> bool:
    return _decoder is not None


def decode(pcm: bytes, rate: int, step: str, margin_ms: int) -> tuple[str, float]:
    """(text, posterior of the hypothesis) for one turn of int16 audio; ("", 0) for none."""
    speech = speech_only(np.frombuffer(pcm, dtype=np.int16), rate, margin_ms)
    if len(speech) < rate // 10:  # under 100 ms of speech: nothing to recognise
        return "", 0.0
    audio = comfort_noise(to_rate(speech, rate, RATE))
    decoder = _decoder
    decoder.activate_search(step)
    # The cepstral mean carries over from the previous utterance, which may be another
    # caller's: start from the model's prior every time, so the same audio always gives
    # the same result.
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(audio.tobytes(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    text = hyp.hypstr.strip() if hyp is not None else ""
    return text, float(decoder.get_prob()) if text else 0.0
