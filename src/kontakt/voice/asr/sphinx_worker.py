"""A pocketsphinx worker process of SphinxPool: decoders for the turns of many calls at once.

Why a process: pocketsphinx holds the GIL for the whole decode, so in a thread it would
freeze the voice process's event loop, and with it the 20 ms RTP pacing of every call
(measured: 0.28 s gaps), and two decodes could never use two cores.

Each turn in progress has a decoder of its own, since a decoder holds one utterance's
search (17 MB and 0.14 s to load, so idle ones are kept for later turns and ``spare`` are
loaded at start). Requests come on the worker's own queue, in order. Turns whose end has
arrived are served first: their caller is waiting, while the audio of a turn still being
spoken has at least the end-of-turn silence to be decoded in. A turn whose speech has
settled is reported without being asked (Outcome.settled), before the turn even ends.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from kontakt.voice.asr.turn_decoder import MEAN_SEARCH, TurnDecoder

# Requests: (OPEN, turn, step, rate, margin_ms), (FEED, turn, pcm bytes, quiet),
# (END, turn, pcm bytes), (CANCEL, turn), (PING, turn), (STOP,). ``quiet``: the caller's
# endpointer hears silence after speech, so the turn may end soon.
OPEN, FEED, END, CANCEL, PING, STOP = "open", "feed", "end", "cancel", "ping", "stop"
URGENT = (END, PING, CANCEL, STOP)
PROBE_WORD = "kontaktprobe"
# Idle decoders a worker keeps ready, loading more while no turn is open: a decoder loaded
# when a turn starts costs that turn (and the worker's others) 0.14 s, or much more on a
# busy machine.
MIN_IDLE = 2


@dataclass(frozen=True)
class Outcome:
    """The answer to END (or PING) of ``turn``; ``error`` is set when decoding failed. A
    ``settled`` outcome comes unasked, during the turn: its result if no speech follows
    the turn's first ``samples`` (see TurnDecoder)."""

    turn: int
    text: str = ""
    posterior: float = 0.0
    error: str = ""
    taken_at: float = 0.0  # time.monotonic() the worker took up the request
    done_at: float = 0.0
    settled: bool = False
    samples: int = 0


class Decoders:
    """Loaded decoders, kept for reuse: one per turn in progress."""

    def __init__(self, hmm: str, dictionary: str, searches: list[tuple[str, str, bool]]) -> None:
        self.hmm = hmm
        self.dictionary = dictionary
        self.searches = searches  # (name, path, is_grammar), one per dialogue step
        self._idle: list[Any] = []

    @property
    def idle(self) -> int:
        return len(self._idle)

    def take(self) -> Any:
        return self._idle.pop() if self._idle else self._load()

    def give(self, decoder: Any) -> None:
        self._idle.append(decoder)

    def preload(self, count: int) -> None:
        self._idle.extend(self._load() for _ in range(count - len(self._idle)))

    def _load(self) -> Any:
        from pocketsphinx import Decoder

        # lm=None: never load the 27 MB generic English LM; every step is added below.
        # fwdflat=False: the second (flat-lexicon) pass cost a third of the decoding time and
        # changed no word on the development sentences. The lattice for the confidence comes
        # from the bestpath pass, which stays on.
        decoder = Decoder(
            hmm=self.hmm, dict=self.dictionary, lm=None, fwdflat=False, loglevel="FATAL"
        )
        # A one-word grammar, for the cepstral mean of a turn's first block (TurnDecoder):
        # its search is nearly free. The word is the decoder's own, in no step's vocabulary.
        decoder.add_word(PROBE_WORD, "AA", True)
        decoder.add_jsgf_string(
            MEAN_SEARCH, f"#JSGF V1.0;\ngrammar mean;\npublic <probe> = {PROBE_WORD};\n"
        )
        for name, path, grammar in self.searches:
            if grammar:
                decoder.add_jsgf_file(name, path)
            else:
                decoder.add_lm_file(name, path)
        return decoder


class Worker:
    def __init__(self, decoders: Decoders, results: Any) -> None:
        self.decoders = decoders
        self.results = results
        self.turns: dict[int, TurnDecoder] = {}

    def run(self, requests: Any) -> None:
        backlog: list[tuple[Any, ...]] = []
        while True:
            if not backlog and not self.turns and self.decoders.idle < MIN_IDLE:
                try:
                    backlog.append(requests.get_nowait())
                except queue.Empty:  # no turn open: load a decoder for the next ones now
                    self.decoders.preload(self.decoders.idle + 1)
                    continue
            if not backlog:
                backlog.append(requests.get())
            while True:  # take in everything that has come, to pick the urgent first
                try:
                    backlog.append(requests.get_nowait())
                except queue.Empty:
                    break
            request = next_request(backlog)
            if request[0] == STOP:
                return
            self.handle(request)

    def handle(self, request: tuple[Any, ...]) -> None:
        kind, turn = request[0], request[1]
        taken = time.monotonic()
        try:
            if kind == OPEN:
                _, _, step, rate, margin_ms = request
                self.turns[turn] = TurnDecoder(self.decoders.take(), step, rate, margin_ms)
            elif kind == FEED:
                if turn in self.turns:  # else cancelled, or opened in a worker that died
                    settled = self.turns[turn].feed(np.frombuffer(request[2], dtype=np.int16))
                    if settled is not None:
                        text, posterior, samples = settled
                        done = time.monotonic()
                        self.results.put(
                            Outcome(turn, text, posterior, "", taken, done, True, samples)
                        )
            elif kind == END:
                decoding = self.turns.pop(turn)
                text, posterior = decoding.finish(np.frombuffer(request[2], dtype=np.int16))
                self.decoders.give(decoding.decoder)
                self.results.put(Outcome(turn, text, posterior, "", taken, time.monotonic()))
            elif kind == CANCEL:
                self._drop(turn)
            elif kind == PING:
                self.results.put(Outcome(turn, taken_at=taken, done_at=time.monotonic()))
        except Exception as exc:  # one bad turn must not take the worker down
            self._drop(turn)
            if kind in (OPEN, FEED, END):
                self.results.put(Outcome(turn, error=f"{type(exc).__name__}: {exc}"))

    def _drop(self, turn: int) -> None:
        decoding = self.turns.pop(turn, None)
        if decoding is None:
            return
        try:
            decoding.cancel()
        except Exception:  # a decoder in an unknown state is not reused
            return
        self.decoders.give(decoding.decoder)


def next_request(backlog: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Removes and returns the request to handle now: the first urgent one (after the
    earlier requests of its own turn, which it depends on), else the oldest.

    Urgent are the turns whose caller waits or soon will: ends, and audio sent after the
    caller stopped speaking (FEED marked quiet); a turn still being spoken has at least its
    end-of-turn silence as slack. A cancel drops its turn's pending audio instead of
    decoding it. A turn's audio waiting in a row is taken as one piece: fewer, larger
    decoding steps."""
    i = next((k for k, r in enumerate(backlog) if _urgent(r)), 0)
    if backlog[i][0] == STOP:
        return backlog.pop(i)
    turn = backlog[i][1]
    if backlog[i][0] == CANCEL:
        backlog[:] = [r for k, r in enumerate(backlog) if k >= i or r[1] != turn]
        i = next(k for k, r in enumerate(backlog) if r[0] == CANCEL and r[1] == turn)
    else:
        i = next(k for k, r in enumerate(backlog) if r[0] != STOP and r[1] == turn)
    request = backlog.pop(i)
    if request[0] != FEED:
        return request
    pieces, quiet = [request[2]], request[3]
    while i < len(backlog):
        later = backlog[i]
        if later[0] == STOP or later[1] != turn:
            i += 1
        elif later[0] == FEED:
            pieces.append(later[2])
            quiet = later[3]
            del backlog[i]
        else:
            break  # the turn's end (or cancel) comes after its audio, not with it
    return (FEED, turn, b"".join(pieces), quiet)


def _urgent(request: tuple[Any, ...]) -> bool:
    return request[0] in URGENT or (request[0] == FEED and bool(request[3]))


def main(
    requests: Any,
    results: Any,
    hmm: str,
    dictionary: str,
    searches: list[tuple[str, str, bool]],
    spare: int,
) -> None:
    """The worker process's entry point: load ``spare`` decoders, then serve until STOP."""
    decoders = Decoders(hmm, dictionary, searches)
    decoders.preload(spare)
    from kontakt.voice.asr.audio import to_rate

    to_rate(np.zeros(160, dtype=np.int16), 8000, 16000)  # imports scipy.signal now
    Worker(decoders, results).run(requests)
