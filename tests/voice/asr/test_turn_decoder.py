"""A turn decoded while it is spoken, in one decoder, as a worker process does it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from kontakt.voice.asr.base import STEPS
from kontakt.voice.asr.build import GRAMMAR_STEPS, Artifacts
from kontakt.voice.asr.sphinx_worker import Decoders
from kontakt.voice.asr.text import words
from kontakt.voice.asr.turn_decoder import TurnDecoder, Upsampler
from kontakt.voice.tts import EspeakTts, resample

from .conftest import needs_espeak

pytestmark = needs_espeak
RATE = 8000


def silence(seconds: float) -> NDArray[np.int16]:
    return np.zeros(int(RATE * seconds), dtype=np.int16)


@pytest.fixture(scope="module")
def decoders(pl_build: Artifacts) -> Decoders:
    from pocketsphinx import get_model_path

    hmm = str(get_model_path() + "/en-us/en-us")
    searches = [(s, str(pl_build.search(s)), s in GRAMMAR_STEPS) for s in STEPS]
    return Decoders(hmm, str(pl_build.dictionary), searches)


@pytest.fixture(scope="module")
def decoder(decoders: Decoders) -> Any:
    return decoders.take()


@pytest.fixture(scope="module")
def sentence(tts: EspeakTts) -> NDArray[np.int16]:
    return tts.synthesize("chcę zapłacić podatek od nieruchomości", "pl")


def streamed(decoder: Any, audio: NDArray[np.int16], piece: int) -> tuple[str, float]:
    turn = TurnDecoder(decoder, "topic", RATE, 200)
    for i in range(0, len(audio), piece):
        turn.feed(audio[i : i + piece])
    return turn.finish()


def test_the_same_words_however_the_audio_comes(decoder: Any, sentence: NDArray[np.int16]) -> None:
    audio = np.concatenate([silence(0.3), sentence, silence(0.7)])
    texts = {streamed(decoder, audio, piece)[0] for piece in (160, 800, 1600, 4000)}
    (text,) = texts
    assert "podatek" in words(text)


def test_a_settled_turn_is_concluded_before_it_ends(
    decoder: Any, sentence: NDArray[np.int16]
) -> None:
    # The endpointer waits 0.7 s; the decoder concludes once the speech has been followed by
    # its margin and a little more, and the end of the turn then costs nothing more.
    turn = TurnDecoder(decoder, "topic", RATE, 200)
    audio = np.concatenate([sentence, silence(0.7)])
    settled = [turn.feed(audio[i : i + 800]) for i in range(0, len(audio), 800)]
    concluded = [s for s in settled if s is not None]
    assert len(concluded) == 1
    text, posterior, samples = concluded[0]
    last_sound = int(np.flatnonzero(np.abs(sentence.astype(np.int32)) > 500)[-1])
    assert last_sound < samples < last_sound + int(0.7 * RATE)
    assert turn.finish() == (text, posterior)
    # And it is the result the turn would have had without the silence after it.
    assert streamed(decoder, np.concatenate([sentence, silence(0.25)]), 800)[0] == text


def test_speech_after_a_settled_result_is_decoded_with_it(
    decoder: Any, tts: EspeakTts, sentence: NDArray[np.int16]
) -> None:
    more = tts.synthesize("ile kosztuje wywóz śmieci", "pl")
    turn = TurnDecoder(decoder, "topic", RATE, 200)
    audio = np.concatenate([sentence, silence(0.5), more, silence(0.7)])
    settled = [turn.feed(audio[i : i + 800]) for i in range(0, len(audio), 800)]
    assert sum(s is not None for s in settled) == 2  # once after each part
    heard = words(turn.finish()[0])
    assert "podatek" in heard and "śmieci" in heard


def test_a_short_turn_is_decoded_whole(decoder: Any, tts: EspeakTts) -> None:
    no = tts.synthesize("nie", "pl")
    turn = TurnDecoder(decoder, "yes_no", RATE, 200)
    for i in range(0, len(no) + 2400, 800):
        turn.feed(np.concatenate([no, silence(0.3)])[i : i + 800])
    assert turn.finish()[0] == "nie"


def test_silence_is_no_speech(decoder: Any) -> None:
    assert streamed(decoder, silence(2.0), 800) == ("", 0.0)


def test_a_cancelled_turn_leaves_the_decoder_usable(
    decoder: Any, sentence: NDArray[np.int16]
) -> None:
    turn = TurnDecoder(decoder, "topic", RATE, 200)
    turn.feed(sentence[: len(sentence) * 3 // 4])  # past the first block: an utterance is open
    turn.cancel()
    assert "podatek" in words(streamed(decoder, sentence, 800)[0])


def test_upsampling_in_pieces_is_resampling_at_once(sentence: NDArray[np.int16]) -> None:
    up = Upsampler()
    pieces = [up(sentence[i : i + 777]) for i in range(0, len(sentence), 777)]
    joined = np.concatenate([*pieces, up(np.zeros(0, dtype=np.int16), last=True)])
    whole = resample(sentence, RATE, 2 * RATE).astype(np.float64)
    assert len(joined) == len(whole)
    assert np.max(np.abs(joined[100:-100] - whole[100:-100])) <= 2.0
