"""The embeddable chat widget in a real browser (Playwright + Debian's chromium).

Needs: ``apt-get install -y chromium`` and ``pip install playwright axe-playwright-python``
(never ``playwright install``: the system chromium is used).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANSWER_TIMEOUT = 30_000  # ms; the first answer of a server loads the embedder

WIDGET = "#kontakt-widget"
LAUNCHER = f"{WIDGET} .kw-launcher"
PANEL = f"{WIDGET} [role=dialog]"
INPUT = f"{WIDGET} .kw-input"
BOT = f"{WIDGET} .kw-msg.kw-bot"
USER = f"{WIDGET} .kw-msg.kw-user"
ERROR = f"{WIDGET} .kw-msg.kw-error"


def launch() -> Iterator[Browser]:
    """Debian's chromium through Playwright (never a downloaded browser)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser(live_server: str) -> Iterator[Browser]:
    # Function-scoped and after live_server on purpose: the sync API keeps an asyncio loop
    # marked as running in this thread, and live_server's teardown calls asyncio.run().
    yield from launch()


class Dialogs:
    """Every alert/confirm/prompt the page opens (there must be none)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, dialog: Any) -> None:
        self.seen.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def page(browser: Browser, live_server: str, dialogs: Dialogs) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server, locale="pl-PL", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.on("dialog", dialogs)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_widget(page: Page) -> None:
    page.goto("/")
    expect(page.locator(WIDGET)).to_have_attribute("data-ready", "true")
    page.locator(LAUNCHER).click()
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(INPUT)).to_be_focused()
    expect(page.locator(BOT)).to_have_count(1)  # the greeting


def ask(page: Page, text: str) -> Locator:
    """Type a question, send it with Enter and return the assistant's reply bubble."""
    before = page.locator(BOT).count()
    page.locator(INPUT).fill(text)
    page.locator(INPUT).press("Enter")
    expect(page.locator(BOT)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    return page.locator(BOT).last


def conversation(page: Page) -> dict[str, Any]:
    cid = page.locator(WIDGET).get_attribute("data-conversation-id")
    assert cid, "the widget exposes no conversation id"
    response = page.request.get(f"/api/v1/conversations/{cid}")
    assert response.ok, response.status
    data: dict[str, Any] = response.json()
    return data


def focused(page: Page) -> dict[str, str]:
    """The element that has the keyboard focus, looking inside the widget's shadow root."""
    result: dict[str, str] = page.evaluate(
        """() => {
            let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) {
                el = el.shadowRoot.activeElement;
            }
            return el ? {tag: el.tagName.toLowerCase(), cls: el.className || "",
                         text: (el.textContent || "").trim()} : {tag: "", cls: "", text: ""};
        }"""
    )
    return result


def tab_until(page: Page, cls: str, *, key: str = "Tab", limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if cls in focused(page)["cls"].split():
            return
    raise AssertionError(f"{key} never reached .{cls}; focus is on {focused(page)}")


def test_polish_question_is_answered_with_its_source(page: Page) -> None:
    open_widget(page)
    reply = ask(page, "jak zameldować się w Poznaniu")
    data = conversation(page)
    answer = data["turns"][-1]["reply"]
    assert answer["type"] == "answer", answer  # (the reply in full, to diagnose a miss)
    assert answer["topic"] == "citizen_affairs"
    assert answer["citations"][0]["article_id"] == "zameldowanie"

    expect(reply.locator(".kw-text")).to_contain_text("Zameldować się")
    source = reply.locator(".kw-source a")
    expect(source).to_contain_text("Zameldowanie")
    assert (source.get_attribute("href") or "").startswith("https://")
    assert source.get_attribute("rel") == "noopener noreferrer"
    assert source.get_attribute("target") == "_blank"
    expect(reply.get_by_role("button", name="Tak")).to_be_visible()


def test_ukrainian_question_gets_a_ukrainian_answer(page: Page) -> None:
    open_widget(page)
    reply = ask(page, "коли вивозять сміття?")

    text = reply.locator(".kw-text").inner_text()
    assert re.search("[іїє]", text), text
    assert reply.locator(".kw-text [lang]").get_attribute("lang") == "uk"
    answer = conversation(page)["turns"][-1]["reply"]
    assert answer["language"] == "uk"
    assert answer["topic"] == "waste"


def test_whole_flow_by_keyboard_alone(page: Page) -> None:
    page.goto("/")
    expect(page.locator(WIDGET)).to_have_attribute("data-ready", "true")
    feedback: list[str] = []
    page.on(
        "request",
        lambda r: feedback.append(r.post_data or "") if r.url.endswith("/feedback") else None,
    )

    tab_until(page, "kw-launcher")
    page.keyboard.press("Enter")
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(INPUT)).to_be_focused()
    expect(page.locator(BOT)).to_have_count(1)

    page.keyboard.type("jak zameldować się w Poznaniu")
    page.keyboard.press("Enter")
    expect(page.locator(BOT)).to_have_count(2, timeout=ANSWER_TIMEOUT)
    expect(page.locator(INPUT)).to_be_focused()
    expect(page.locator(INPUT)).to_have_value("")

    # Backwards from the input into the last answer: No, then Yes.
    tab_until(page, "kw-yes", key="Shift+Tab")
    with page.expect_response(lambda r: r.url.endswith("/feedback")) as response:
        page.keyboard.press("Enter")
    assert response.value.status == 204
    expect(page.locator(f"{BOT} .kw-thanks")).to_have_text("Dziękujemy za ocenę.")
    assert feedback == ['{"article_id":"zameldowanie","helpful":true}']
    expect(page.locator(INPUT)).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()
    expect(page.locator(LAUNCHER)).to_be_focused()


def test_booking_a_visit_by_keyboard_and_buttons(page: Page) -> None:
    """Any day of the year: the nearest free times are offered, whatever today is."""
    open_widget(page)
    offer = ask(page, "chcę umówić wizytę na odbiór dowodu osobistego")
    expect(offer.locator(".kw-suggestion")).to_have_count(3)
    expect(offer).to_contain_text("Wybierz:")

    first = offer.locator(".kw-suggestion").first
    first.focus()
    before = page.locator(BOT).count()
    page.keyboard.press("Enter")
    expect(page.locator(BOT)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    confirm = page.locator(BOT).last
    expect(confirm).to_contain_text("Libelta")

    confirm.get_by_role("button", name="Tak").click()
    expect(page.locator(BOT)).to_have_count(before + 2, timeout=ANSWER_TIMEOUT)
    ask(page, "Anna Nowak")
    booked = ask(page, "601 234 567")

    reply = conversation(page)["turns"][-1]["reply"]
    assert reply["type"] == "booked", reply
    expect(booked.locator(".kw-text")).to_contain_text(reply["code"])
    calendar = booked.locator("a.kw-calendar")
    expect(calendar).to_have_text("Dodaj do kalendarza")
    response = page.request.get(calendar.get_attribute("href") or "")
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in response.text()


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_markup_typed_by_a_resident_is_shown_as_text(
    page: Page, dialogs: Dialogs, payload: str
) -> None:
    open_widget(page)
    ask(page, payload)

    expect(page.locator(USER).last.locator(".kw-text")).to_contain_text(payload)
    shadow_root = page.locator(WIDGET)
    assert shadow_root.locator("script").count() == 0
    assert shadow_root.locator("img").count() == 0
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1  # only the widget's own tag
    assert dialogs.seen == []


def test_language_switch_changes_the_ui_and_tells_the_server(page: Page) -> None:
    open_widget(page)
    send = page.locator(f"{WIDGET} .kw-send")
    expect(send).to_have_text("Wyślij")

    with page.expect_request(
        lambda r: r.url.endswith("/language") and r.method == "POST"
    ) as request:
        page.get_by_label("Język").select_option("en")
    assert request.value.post_data_json == {"language": "en"}
    expect(send).to_have_text("Send")
    expect(page.get_by_label("Language")).to_have_value("en")
    expect(page.locator(PANEL)).to_have_attribute("aria-label", "Chat with the City of Poznań")
    expect(page.locator(INPUT)).to_have_attribute("placeholder", "Type your question…")
    expect(page.locator(f"{WIDGET} .kw-close")).to_have_attribute("aria-label", "Close the chat")
    assert conversation(page)["language"] == "en"


def test_conversation_survives_a_reload(page: Page) -> None:
    open_widget(page)
    ask(page, "jak zameldować się w Poznaniu")
    cid = page.locator(WIDGET).get_attribute("data-conversation-id")

    page.reload()
    expect(page.locator(PANEL)).to_be_visible()  # it was open before the reload
    expect(page.locator(WIDGET)).to_have_attribute("data-conversation-id", cid or "")
    expect(page.locator(USER)).to_have_count(1)
    expect(page.locator(BOT)).to_have_count(2)


def test_failed_message_keeps_the_typed_text(page: Page) -> None:
    open_widget(page)
    page.route(
        "**/messages",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "5"},
            content_type="application/problem+json",
            body='{"title":"Too many requests","status":429,"detail":"Too many messages."}',
        ),
    )
    page.locator(INPUT).fill("jak zameldować się w Poznaniu")
    page.locator(INPUT).press("Enter")
    expect(page.locator(ERROR)).to_have_text("Zbyt wiele wiadomości. Poczekaj chwilę.")
    expect(page.locator(INPUT)).to_have_value("jak zameldować się w Poznaniu")
    expect(page.locator(USER)).to_have_count(0)
    page.unroute("**/messages")

    page.locator(INPUT).press("Enter")  # the retry goes through
    expect(page.locator(BOT)).to_have_count(2, timeout=ANSWER_TIMEOUT)
    expect(page.locator(INPUT)).to_have_attribute("maxlength", "2000")


def test_no_serious_accessibility_violations(page: Page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    open_widget(page)
    ask(page, "jak zameldować się w Poznaniu")
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n.get("target")) for n in v.get("nodes", []))
        for v in bad
    )


def test_panel_fits_a_narrow_screen(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 640})
    open_widget(page)
    ask(page, "jak zameldować się w Poznaniu")
    box = page.locator(PANEL).bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360
    assert box["width"] >= 340  # full width on a phone
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360
    expect(page.locator(f"{WIDGET} .kw-send")).to_be_in_viewport()
