"""Turning an article or a situation into reply text in the resident's language."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from kontakt.dialogue.context import DialogueContext
from kontakt.dialogue.outcome import Action, Citation, Suggestion
from kontakt.hours import WARSAW, status
from kontakt.knowledge.search import IndexedArticle, LocalText

REPLY_LANGS = ("pl", "uk", "en")


def reply_language(detected: str) -> str:
    """Russian speakers are answered in Ukrainian (the city's second service language)."""
    return "uk" if detected == "ru" else detected if detected in REPLY_LANGS else "pl"


def article_text(article: IndexedArticle, lang: str) -> tuple[LocalText, str]:
    """The article in ``lang`` if it has it, else Polish; returns the text and its language."""
    text = article.texts.get(lang)
    if text is not None:
        return text, lang
    return article.texts["pl"], "pl"


def citation(article: IndexedArticle, lang: str) -> Citation:
    text, _ = article_text(article, lang)
    return Citation(
        article_id=article.id,
        title=text.title,
        url=article.source_url,
        source=article.source_title,
        unit=article.unit,
    )


def suggestion(article: IndexedArticle, lang: str) -> Suggestion:
    text, _ = article_text(article, lang)
    return Suggestion(article_id=article.id, label=text.title)


def when(dt: datetime, lang: str) -> str:
    return format_datetime(dt.astimezone(WARSAW), "EEEE d.MM, HH:mm", locale=lang)


def hours_status(ctx: DialogueContext, lang: str) -> str:
    st = status(ctx.clock.now())
    if st.open_now and st.closes_at is not None:
        return ctx.texts.gettext(
            lang,
            "Consultants are available now, until {time}.",
            time=st.closes_at.strftime("%H:%M"),
        )
    if st.next_open is not None:
        return ctx.texts.gettext(
            lang,
            "Consultants are not available now. We open on {when}.",
            when=when(st.next_open, lang),
        )
    return ""


def contact_line(ctx: DialogueContext, lang: str) -> str:
    return ctx.texts.gettext(
        lang,
        "The city helpline {phone} works Monday to Friday 7:30–20:00, except public holidays.",
        phone=ctx.phone,
    )


def contact_actions(ctx: DialogueContext, lang: str) -> tuple[Action, ...]:
    return (
        Action(
            "call",
            ctx.texts.gettext(lang, "Call {phone}", phone=ctx.phone),
            "tel:+48" + ctx.phone.replace(" ", ""),
        ),
        Action("human", ctx.texts.gettext(lang, "Talk to a consultant")),
    )


def language_actions(ctx: DialogueContext, current: str) -> tuple[Action, ...]:
    names = {"pl": "Polski", "uk": "Українська", "en": "English"}
    return tuple(Action("language", names[lang], lang) for lang in REPLY_LANGS if lang != current)
