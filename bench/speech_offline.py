"""Spoken routing without SIP: the same recogniser and topic policy, decoded two ways.

    python bench/speech_offline.py [--phrases bench/data/speech_dev.yaml] [--var var/bench-voice]

Each phrasing is synthesised with espeak-ng (`pl`, 160 wpm, 8 kHz), passed through G.711
µ-law and padded as a call's turn is (0.3 s before, 0.7 s of end-of-turn silence after),
then recognised with the "topic" step in two ways: as one whole utterance after the turn
(``recognize``), and fed in 20 ms frames while "spoken" (``open_stream``, as the voice
process does). The recognised words go through the trained topic model's spoken policy:
a confident guess counts when it is right or, after a caller's "no", when the runner-up is
right and proposed (speech_topic.RUNNER_UP_MIN); a question between two counts when one of
them is right. Uses the installation `bench/voice.py` prepares in ``--var`` (run that
first). The acceptance set is tests/voice/data/speech_routing.yaml: measure on it, never
tune on it.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml
from numpy.typing import NDArray

from kontakt.knowledge.embedder import make_embedder
from kontakt.topics.policy import decide_topic
from kontakt.topics.train import TrainedModel, latest, load
from kontakt.voice.asr.base import Recognition
from kontakt.voice.asr.sphinx_engine import PocketsphinxEngine
from kontakt.voice.caller_media import trim_silence
from kontakt.voice.g711 import ulaw_decode, ulaw_encode
from kontakt.voice.speech_topic import RUNNER_UP_MIN
from kontakt.voice.tts import EspeakTts

ROOT = Path(__file__).resolve().parent.parent
RATE = 8000
FRAME = 160  # 20 ms, as RTP brings it
COUNTED = ("first", "second", "clarified")


def turn_audio(tts: EspeakTts, text: str) -> NDArray[np.int16]:
    pcm = ulaw_decode(ulaw_encode(trim_silence(tts.synthesize(text, "pl"))))
    before, after = np.zeros(RATE * 3 // 10, np.int16), np.zeros(RATE * 7 // 10, np.int16)
    return np.concatenate([before, pcm, after])


def streamed(engine: PocketsphinxEngine, pcm: NDArray[np.int16]) -> Recognition:
    stream = engine.open_stream("topic", RATE)
    for i in range(0, len(pcm), FRAME):
        stream.feed(pcm[i : i + FRAME])
        time.sleep(0.0005)  # let the worker keep up, as real time would
    return stream.finish(speech_until=len(pcm) - RATE * 7 // 10).result()


def outcome(model: TrainedModel, text: str, gold: str) -> str:
    if not text:
        return "nothing heard"
    [p] = model.engine.predict([text])
    decision = decide_topic(p, model.spoken_thresholds())
    if decision.kind == "confident":
        if p.topic == gold:
            return "first"
        right_second = p.runner_up == gold and p.runner_up_confidence >= RUNNER_UP_MIN
        return "second" if right_second else "wrong"
    if decision.kind == "clarify":
        return "clarified" if gold in (p.topic, p.runner_up) else "wrong pair"
    return "rephrase"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=Path, default=ROOT / "bench/data/speech_dev.yaml")
    parser.add_argument("--var", type=Path, default=ROOT / "var/bench-voice")
    parser.add_argument("--embedder", default="e5-onnx")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    embedder = make_embedder(args.embedder, cache_dir=args.var / "cache")
    model = load(latest(args.var / "models", embedder.name), embedder)
    engine = PocketsphinxEngine("pl", args.var / "voice", ROOT / "content")
    engine.prepare()
    tts = EspeakTts(cache_dir=args.var / "caller-tts")
    cases = [(t, s) for t, texts in yaml.safe_load(args.phrases.read_text()).items() for s in texts]
    tally: dict[str, Counter[str]] = {"whole": Counter(), "streamed": Counter()}
    try:
        for topic, text in cases:
            pcm = turn_audio(tts, text)
            heard = {
                "whole": engine.recognize(pcm, RATE, "topic"),
                "streamed": streamed(engine, pcm),
            }
            for way, recognition in heard.items():
                result = outcome(model, recognition.text, topic)
                tally[way][result] += 1
                if args.verbose:
                    print(f"{way:8} {result:13} {topic:18} {text} -> {recognition.text}")
    finally:
        engine.close()
    for way, counts in tally.items():
        right = sum(counts[k] for k in COUNTED)
        print(f"{way}: {right}/{len(cases)} routed right ({dict(counts)})")


if __name__ == "__main__":
    main()
