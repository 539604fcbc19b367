"""The answer policy, office hours and the small-talk patterns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kontakt.dialogue import smalltalk
from kontakt.dialogue.policy import Policy, decide
from kontakt.hours import status
from kontakt.knowledge.search import ArticleHit, IndexedArticle
from kontakt.web.ratelimit import RateLimiter

POLICY = Policy(
    answer_min=1.0,
    sure_min=1.2,
    margin=0.05,
    suggest_min=0.9,
    suggest_window=0.1,
    max_suggestions=3,
)


def hit(article_id: str, score: float) -> ArticleHit:
    art = IndexedArticle(article_id, "general", "bpk", 1, "s", "https://www.poznan.pl/", {})
    return ArticleHit(art, score, score, 0.0)


def test_clear_winner_is_answered() -> None:
    assert decide([hit("a", 1.1), hit("b", 1.0)], POLICY).kind == "answer"


def test_close_neighbours_give_at_most_three_suggestions() -> None:
    d = decide([hit("a", 1.05), hit("b", 1.03), hit("c", 1.0), hit("d", 0.99)], POLICY)
    assert (d.kind, [h.id for h in d.hits]) == ("ambiguous", ["a", "b", "c"])


def test_very_high_score_is_answered_despite_a_neighbour() -> None:
    assert decide([hit("a", 1.25), hit("b", 1.24)], POLICY).kind == "answer"


def test_low_scores_are_no_match() -> None:
    assert decide([hit("a", 0.85)], POLICY).kind == "no_match"
    assert decide([], POLICY).kind == "no_match"


@pytest.mark.parametrize(
    ("at", "open_now", "next_open"),
    [
        (datetime(2026, 11, 25, 6, 31, tzinfo=UTC), True, None),  # Wed 7:31 in Warsaw
        (datetime(2026, 11, 25, 6, 0, tzinfo=UTC), False, "2026-11-25 07:30"),
        (datetime(2026, 11, 25, 19, 0, tzinfo=UTC), False, "2026-11-26 07:30"),  # 20:00 local
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), False, "2026-11-30 07:30"),  # Saturday
        (datetime(2026, 11, 10, 19, 30, tzinfo=UTC), False, "2026-11-12 07:30"),  # 11 Nov holiday
        (datetime(2026, 12, 23, 20, 0, tzinfo=UTC), False, "2026-12-28 07:30"),  # Christmas
    ],
)
def test_office_hours(at: datetime, open_now: bool, next_open: str | None) -> None:
    st = status(at)
    assert st.open_now is open_now
    assert (st.next_open.strftime("%Y-%m-%d %H:%M") if st.next_open else None) == next_open


@pytest.mark.parametrize(
    ("text", "follow_up"),
    [
        ("a ile to kosztuje?", True),
        ("a dla dziecka?", True),
        ("and for a child?", True),
        ("а скільки це коштує?", True),
        ("jak zameldować się w Poznaniu", False),
        (
            "Gdzie złożyć wniosek o 800 plus dla drugiego dziecka, które urodziło się w maju?",
            False,
        ),
    ],
)
def test_follow_up_cues(text: str, follow_up: bool) -> None:
    assert smalltalk.is_follow_up(text) is follow_up


@pytest.mark.parametrize(
    "text", ["chcę rozmawiać z konsultantem", "з оператором будь ласка", "can I talk to a human"]
)
def test_asking_for_a_human(text: str) -> None:
    assert smalltalk.HUMAN.search(text)


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(2, 60.0)
    assert [limiter.take("a", now=0.0) for _ in range(3)][:2] == [0.0, 0.0]
    assert limiter.take("a", now=0.0) == pytest.approx(30.0)
    assert limiter.take("b", now=0.0) == 0.0
    assert limiter.take("a", now=31.0) == 0.0
