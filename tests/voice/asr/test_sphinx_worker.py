"""The order a pocketsphinx worker takes its requests in: the callers who wait first."""

from __future__ import annotations

from typing import Any

from kontakt.voice.asr.sphinx_worker import (
    CANCEL,
    END,
    FEED,
    OPEN,
    PING,
    STOP,
    Outcome,
    Worker,
    next_request,
)


def order(backlog: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    taken = []
    while backlog:
        taken.append(next_request(backlog))
    return taken


def test_in_order_when_nothing_is_urgent() -> None:
    backlog = [(OPEN, 1, "topic", 8000, 200), (FEED, 1, b"a", False), (FEED, 2, b"b", False)]
    assert order(list(backlog)) == backlog


def test_an_end_comes_first_after_its_own_audio() -> None:
    backlog = [
        (FEED, 1, b"a", False),
        (FEED, 2, b"b", False),
        (FEED, 3, b"c", False),
        (END, 2, b"z"),
    ]
    assert order(backlog) == [
        (FEED, 2, b"b", False),
        (END, 2, b"z"),
        (FEED, 1, b"a", False),
        (FEED, 3, b"c", False),
    ]


def test_a_turn_gone_quiet_comes_before_turns_still_spoken() -> None:
    backlog = [(FEED, 1, b"a", False), (FEED, 2, b"b", False), (FEED, 2, b"c", True)]
    assert order(backlog) == [(FEED, 2, b"bc", True), (FEED, 1, b"a", False)]


def test_a_turns_audio_in_a_row_is_one_piece_up_to_its_end() -> None:
    backlog = [
        (FEED, 1, b"a", False),
        (FEED, 2, b"x", False),
        (FEED, 1, b"b", False),
        (END, 1, b"c"),
        (FEED, 1, b"d", False),
    ]
    assert order(backlog) == [
        (FEED, 1, b"ab", False),
        (END, 1, b"c"),
        (FEED, 2, b"x", False),
        (FEED, 1, b"d", False),
    ]


def test_a_cancel_drops_the_turns_pending_audio() -> None:
    backlog = [(FEED, 1, b"a", False), (FEED, 2, b"b", False), (CANCEL, 1)]
    assert order(backlog) == [(CANCEL, 1), (FEED, 2, b"b", False)]


def test_stop_and_ping_are_urgent() -> None:
    assert next_request([(FEED, 1, b"a", False), (PING, 7)]) == (PING, 7)
    assert next_request([(FEED, 1, b"a", False), (STOP,)]) == (STOP,)


class Results:
    def __init__(self) -> None:
        self.got: list[Outcome] = []

    def put(self, outcome: Outcome) -> None:
        self.got.append(outcome)


def test_a_failing_turn_is_reported_and_the_worker_goes_on() -> None:
    results = Results()
    worker = Worker(decoders=None, results=results)  # type: ignore[arg-type]
    worker.handle((END, 5, b""))  # a turn this worker never opened
    worker.handle((PING, 6))
    assert results.got[0].turn == 5 and "KeyError" in results.got[0].error
    assert results.got[1].turn == 6 and not results.got[1].error
