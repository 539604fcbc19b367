"""The keypad menu: the fallback that always works, whatever speech recognition makes of a
line. Digits map to queues; a caller who knows the menu can type ahead through prompts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kontakt.routing.models import Queue
from kontakt.voice import prompts
from kontakt.voice.call_io import CallIO

LANG_BY_DIGIT = {"1": "pl", "2": "uk", "3": "en"}
GENERAL_KEY, MORE_KEY = "0", "9"
PAGE = 8  # queues per menu page: keys 1-8; 9 turns the page, 0 is always the general queue
WAIT_S = 6.0
MAX_REPROMPTS = 2
T = TypeVar("T")


def _paginate(rest: list[T], general: T | None) -> list[list[tuple[str, T]]]:
    chunks = [rest[i : i + PAGE] for i in range(0, len(rest), PAGE)] or [[]]
    pages = []
    for chunk in chunks:
        page = [(str(i), item) for i, item in enumerate(chunk, start=1)]
        if general is not None:
            page.append((GENERAL_KEY, general))
        pages.append(page)
    return pages


def menu_pages(queues: dict[str, Queue]) -> list[list[tuple[str, Queue]]]:
    """The keypad menu from the queue catalog, in its order: no digit map to keep in step
    with content/queues.yaml, and every queue reachable on the keypad however many there are."""
    general = queues.get("general")
    rest = sorted((q for q in queues.values() if q is not general), key=lambda q: q.position)
    return _paginate(rest, general)


def menu_keys(queue_ids: list[str], queue_id: str) -> str:
    """The keys that choose ``queue_id`` on the menu of ``queue_ids`` (in catalog order):
    9 for each page turned, then its digit."""
    rest = [q for q in queue_ids if q != "general"]
    general = "general" if "general" in queue_ids else None
    for turns, page in enumerate(_paginate(rest, general)):
        for digit, item in page:
            if item == queue_id:
                return digit if digit == GENERAL_KEY else MORE_KEY * turns + digit
    raise ValueError(f"{queue_id!r} is not on the menu")


def menu_text(
    t: Callable[..., str], lang: str, pages: list[list[tuple[str, Queue]]], page: int
) -> str:
    """What the menu says on ``page`` (also rendered ahead by warm_prompts)."""
    items = [t(prompts.MENU_ITEM, name=q.name(lang), digit=d) for d, q in pages[page]]
    if page + 1 < len(pages):
        items.insert(-1, t(prompts.MENU_MORE, digit=MORE_KEY))
    return str(t(prompts.MENU_PROMPT, items=" ".join(items)))


def again(t: Callable[..., str], text: str) -> str:
    """``text`` said a second time, after a wrong key or none."""
    return f"{t(prompts.AGAIN)} {text}"


async def keypad_menu(
    io: CallIO, lang: str, queues: dict[str, Queue], t: Callable[..., str], *, first: str = ""
) -> tuple[Queue | None, str]:
    """The queue chosen on the keypad and how ("keypad", or "default" after the repeats
    ran out); (None, "hangup") when the caller hung up. ``first`` is a key already pressed."""
    call = io.call
    pages = menu_pages(queues)
    page = 0
    pressed: str | None = first or None
    attempt = 0
    while attempt <= MAX_REPROMPTS:
        if call.state != "confirmed":
            return None, "hangup"
        offered = pages[page]
        has_more = page + 1 < len(pages)
        if pressed is not None:
            chosen = next((q for d, q in offered if d == pressed), None)
            if chosen is not None:
                return chosen, "keypad"
            if pressed == MORE_KEY and has_more:
                page, pressed = page + 1, None
                continue
        repeated = pressed is not None or attempt
        if pressed is not None:
            attempt += 1
            call.digits.clear()  # a wrong key is not carried into the repeated menu
            if attempt > MAX_REPROMPTS:
                break
        menu = menu_text(t, lang, pages, page)
        await io.say(call, again(t, menu) if repeated else menu, lang)
        pressed = await io.digit(call, WAIT_S)
        if pressed is None:
            attempt += 1
    if call.state != "confirmed":
        return None, "hangup"
    return queues.get("general"), "default"
