"""The prompts the voice process renders before its first call."""

from __future__ import annotations

from sqlalchemy import select

from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from kontakt.topics.models import Topic
from kontakt.voice import prompts
from kontakt.voice.call_flow import cannot_connect
from kontakt.voice.keypad import again, menu_pages, menu_text
from kontakt.voice.server import build_flow
from kontakt.voice.sip.endpoint import SipEndpoint
from kontakt.voice.speech_topic import reprompt
from kontakt.voice.warm_prompts import prompt_texts


async def test_every_topic_confirmation_in_every_language(chat_runtime: Runtime) -> None:
    flow = build_flow(chat_runtime.settings, chat_runtime, SipEndpoint("127.0.0.1", 0))
    texts = await prompt_texts(flow)
    async with chat_runtime.transaction() as session:
        topics = (await session.scalars(select(Topic))).all()
        pages = menu_pages({q.id: q for q in await Desk(session, chat_runtime.clock).queues()})
    assert topics
    for lang in ("pl", "uk", "en"):
        t = flow.t(lang)
        for topic in topics:
            assert (t(prompts.CONFIRM_TOPIC, topic=topic.name(lang)), lang) in texts
        assert (t(prompts.ASK_TOPIC), lang) in texts
        # Composed prompts, from the functions the call flow says them with.
        assert (reprompt(t, prompts.NOT_UNDERSTOOD), lang) in texts
        assert (cannot_connect(t, chat_runtime.settings.contact_phone), lang) in texts
        assert (again(t, menu_text(t, lang, pages, 0)), lang) in texts
    # The welcome lines are each said in their own language only.
    assert [lang for text, lang in texts if text == flow.t("uk")(prompts.WELCOME[1][1])] == ["uk"]
    assert len(texts) == len(set(texts))
