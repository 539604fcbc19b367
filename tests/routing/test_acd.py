"""Who answers next."""

from __future__ import annotations

from datetime import UTC, datetime

from kontakt.routing.acd import AgentView, EntryView, estimated_wait_s, next_agent

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def agent(
    uid: int,
    minute: int | None,
    *,
    state: str = "available",
    queues: tuple[str, ...] = ("citizen",),
    langs: tuple[str, ...] = ("pl",),
) -> AgentView:
    since = T0.replace(minute=minute) if minute is not None else None
    return AgentView(uid, queues, langs, state, since)


def test_longest_idle_qualified_agent_answers_next() -> None:
    agents = [agent(1, 30), agent(2, 10), agent(3, 5, state="busy"), agent(4, 1, langs=("uk",))]
    chosen = next_agent(EntryView("citizen", "pl"), agents)
    assert chosen is not None and chosen.user_id == 2


def test_language_and_queue_skills_are_required() -> None:
    agents = [agent(1, 30), agent(2, 10, queues=("taxes",)), agent(3, 20, langs=("pl", "uk"))]
    chosen = next_agent(EntryView("citizen", "uk"), agents)
    assert chosen is not None and chosen.user_id == 3
    assert next_agent(EntryView("waste", "pl"), agents) is None


def test_ties_and_never_idle() -> None:
    agents = [agent(5, None), agent(3, 10), agent(2, 10)]
    chosen = next_agent(EntryView("citizen", "pl"), agents)
    assert chosen is not None and chosen.user_id == 2


def test_estimated_wait() -> None:
    assert estimated_wait_s(3, 2, 200) == 300
    assert estimated_wait_s(1, 0, 200) == 200


async def test_queue_hours_and_holidays(chat_runtime: object) -> None:
    from kontakt.clock import FixedClock
    from kontakt.routing.service import Desk
    from kontakt.runtime import Runtime

    assert isinstance(chat_runtime, Runtime)
    warsaw = "+01:00"
    cases = [
        ("2026-11-25T12:00", True, None),  # Wednesday noon
        ("2026-11-25T20:00", False, "2026-11-26T07:30"),  # closing time
        ("2026-11-28T10:00", False, "2026-11-30T07:30"),  # Saturday
        ("2026-12-23T21:00", False, "2026-12-28T07:30"),  # Christmas Eve and Christmas closed
    ]
    async with chat_runtime.transaction() as session:
        for now, open_now, next_open in cases:
            desk = Desk(session, FixedClock(datetime.fromisoformat(now + warsaw)))
            queue = await desk.queue_for("waste", "pl")
            got = desk.opening(queue)
            want = datetime.fromisoformat(next_open + warsaw) if next_open else None
            assert got == (open_now, want), now
