"""The voice process's side of the pocketsphinx workers: turns fed as they are spoken.

A turn lives in one worker from its first audio to its result, since its decoder's state
is there. Audio goes out in CHUNK_MS pieces through the worker's request queue (a
``multiprocessing.Queue`` sends from its own thread, so the event loop never blocks on a
full pipe); results come back on one queue, read by a thread that settles each turn's
``concurrent.futures.Future``. A new turn goes to the worker with the fewest turns open.
A worker that dies fails its turns (AsrError) and is replaced.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import queue
import threading
import time
from concurrent.futures import Future, InvalidStateError
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kontakt.voice.asr import sphinx_worker
from kontakt.voice.asr.base import AsrError
from kontakt.voice.asr.sphinx_worker import CANCEL, END, FEED, OPEN, PING, STOP, Outcome

log = logging.getLogger(__name__)

# Audio is sent in pieces of this length: fewer messages than one per 20 ms frame, and at
# the end of a turn (after 0.7 s of silence) nothing of the speech is still on its way.
CHUNK_MS = 100
START_TIMEOUT_S = 120.0  # spawning imports numpy, scipy and pocketsphinx: slow on a busy box
CHECK_S = 0.5  # how often the result reader looks for workers that died


class _Slot:
    """One worker process, its request queue and the turns it has open."""

    def __init__(self, process: Any, requests: Any) -> None:
        self.process = process
        self.requests = requests
        self.turns: set[int] = set()
        self.ready = False  # it has answered once: worth replacing should it die


class SphinxPool:
    def __init__(self, workers: int, worker_args: tuple[Any, ...]) -> None:
        # worker_args: (hmm, dictionary, searches, spare decoders) for sphinx_worker.main.
        self._context = multiprocessing.get_context("spawn")  # the voice process has threads
        self._args = worker_args
        self._results: Any = self._context.Queue()
        self._slots = [self._spawn() for _ in range(max(1, workers))]
        self._futures: dict[int, tuple[Future[Outcome], _Slot]] = {}
        self._turns: dict[int, PoolTurn] = {}  # open turns, for their settled outcomes
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="sphinx-results", daemon=True)
        self._reader.start()

    def ready(self) -> None:
        """Wait until every worker has loaded its decoders (AsrError if one cannot)."""
        pings = [self._submit(slot, (PING,)) for slot in self._slots]
        deadline = time.monotonic() + START_TIMEOUT_S
        for future in pings:
            future.result(timeout=max(0.1, deadline - time.monotonic()))

    @property
    def broken(self) -> bool:
        """No worker left: they died before they ever answered (a broken build?)."""
        return not self._slots

    def open(self, step: str, rate: int, margin_ms: int) -> PoolTurn:
        with self._lock:
            if not self._slots:
                raise AsrError("no pocketsphinx worker is running")
            slot = min(self._slots, key=lambda s: len(s.turns))
            turn = next(self._ids)
            slot.turns.add(turn)
            self._turns[turn] = opened = PoolTurn(self, slot, turn, rate)
        slot.requests.put((OPEN, turn, step, rate, margin_ms))
        return opened

    def close(self) -> None:
        with self._lock:
            self._closed = True
            slots, self._slots = self._slots, []
        for slot in slots:
            slot.requests.put((STOP,))
        for slot in slots:
            slot.process.join(5)
            if slot.process.is_alive():
                slot.process.terminate()
            # Requests still buffered for a worker that is gone must not hold up our exit.
            slot.requests.cancel_join_thread()
        self._fail_all(AsrError("the speech recogniser was shut down"))
        self._reader.join(2)

    # --- internals ------------------------------------------------------------------------

    def _spawn(self) -> _Slot:
        requests = self._context.Queue()
        process = self._context.Process(
            target=sphinx_worker.main,
            args=(requests, self._results, *self._args),
            name="kontakt-sphinx",
            daemon=True,
        )
        process.start()
        return _Slot(process, requests)

    def _submit(self, slot: _Slot, request: tuple[Any, ...]) -> Future[Outcome]:
        """Send a request whose Outcome is awaited (END, PING); a PING gets a turn id."""
        future: Future[Outcome] = Future()
        with self._lock:
            if slot not in self._slots:  # its worker died (and its turns were failed)
                future.set_exception(AsrError("a pocketsphinx worker died"))
                return future
            if request[0] == PING:
                request = (PING, next(self._ids))
            turn = request[1]
            slot.turns.add(turn)
            self._futures[turn] = (future, slot)
            self._turns.pop(turn, None)
        slot.requests.put(request)
        return future

    def _cancel(self, slot: _Slot, turn: int) -> None:
        with self._lock:
            slot.turns.discard(turn)
            self._turns.pop(turn, None)
            entry = self._futures.pop(turn, None)
        slot.requests.put((CANCEL, turn))
        if entry is not None:
            entry[0].cancel()

    def _read(self) -> None:
        checked = time.monotonic()
        while not self._closed:
            try:
                outcome: Outcome | None = self._results.get(timeout=CHECK_S)
            except queue.Empty:
                outcome = None
            except (EOFError, OSError):  # the queue was closed under us: shutting down
                return
            if time.monotonic() - checked >= CHECK_S:
                checked = time.monotonic()
                self._check_workers()
            if outcome is None:
                continue
            if outcome.settled:
                with self._lock:
                    opened = self._turns.get(outcome.turn)
                if opened is not None:
                    opened.settled = outcome
                continue
            with self._lock:
                entry = self._futures.pop(outcome.turn, None)
                if entry is not None:
                    entry[1].turns.discard(outcome.turn)
                    entry[1].ready = True
            if entry is None:
                continue
            if outcome.error:
                _settle(entry[0], AsrError(f"pocketsphinx failed: {outcome.error}"))
            else:
                _settle(entry[0], outcome)

    def _check_workers(self) -> None:
        """Replace a worker that died (killed, out of memory) and fail its turns."""
        with self._lock:
            dead = [s for s in self._slots if not s.process.is_alive()]
            if self._closed or not dead:
                return
            lost = [(turn, self._futures.pop(turn, None)) for slot in dead for turn in slot.turns]
            for slot in dead:
                for turn in slot.turns:
                    self._turns.pop(turn, None)
            self._slots = [s for s in self._slots if s not in dead]
        log.error("%d pocketsphinx worker(s) died", len(dead))
        for slot in dead:
            slot.requests.cancel_join_thread()
        for _, entry in lost:
            if entry is not None:
                _settle(entry[0], AsrError("a pocketsphinx worker died"))
        # One that never answered would only die again (a broken build, no memory).
        fresh = [self._spawn() for slot in dead if slot.ready]
        with self._lock:
            self._slots.extend(fresh)

    def _fail_all(self, error: AsrError) -> None:
        with self._lock:
            entries, self._futures = list(self._futures.values()), {}
        for future, _ in entries:
            _settle(future, error)


def _settle(future: Future[Outcome], result: Outcome | AsrError) -> None:
    """Settle ``future`` unless it is done already (a caller may cancel it any time)."""
    try:
        if isinstance(result, AsrError):
            future.set_exception(result)
        else:
            future.set_result(result)
    except InvalidStateError:
        pass


class PoolTurn:
    """One turn in a worker: ``feed`` its audio as it comes, then ``finish``. Not
    thread-safe: fed from one call's audio (the event loop)."""

    def __init__(self, pool: SphinxPool, slot: _Slot, turn: int, rate: int) -> None:
        self._pool = pool
        self._slot = slot
        self._turn = turn
        self._chunk = rate * CHUNK_MS // 1000
        self._pending: list[NDArray[np.int16]] = []
        self._samples = 0
        self._done = False
        # The worker's result once the speech has settled, set by the result reader.
        self.settled: Outcome | None = None

    def feed(self, pcm: NDArray[np.int16], quiet: bool = False) -> None:
        """``quiet``: the caller has stopped speaking (for now): the worker serves this
        turn before those still being spoken."""
        if self._done:
            return
        self._pending.append(np.asarray(pcm, dtype=np.int16))
        self._samples += len(pcm)
        if self._samples >= self._chunk:
            self._slot.requests.put((FEED, self._turn, self._take(), quiet))

    def finish(
        self, pcm: NDArray[np.int16] | None = None, speech_until: int | None = None
    ) -> Future[Outcome]:
        """The rest of the turn; the future settles with the worker's Outcome. When the
        caller's endpointer heard no speech after sample ``speech_until`` of the turn and
        the worker settled later than that, its result is the turn's, at once: no wait in
        the worker's queue."""
        if pcm is not None:
            self._pending.append(np.asarray(pcm, dtype=np.int16))
        self._done = True
        settled = self.settled_after(speech_until)
        ended = self._pool._submit(self._slot, (END, self._turn, self._take()))  # frees it
        if settled is None:
            return ended
        early: Future[Outcome] = Future()
        early.set_result(settled)
        return early

    def cancel(self) -> None:
        if not self._done:
            self._done = True
            self._pool._cancel(self._slot, self._turn)

    def settled_after(self, speech_until: int | None) -> Outcome | None:
        """The worker's settled result, if it covers all speech up to ``speech_until``."""
        settled = self.settled
        if settled is None or speech_until is None or settled.samples <= speech_until:
            return None
        return settled

    def _take(self) -> bytes:
        data = np.concatenate(self._pending).tobytes() if self._pending else b""
        self._pending, self._samples = [], 0
        return data
