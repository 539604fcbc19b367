"""The prompts the voice process renders before its first call."""

from __future__ import annotations

from sqlalchemy import select

from kontakt.runtime import Runtime
from kontakt.topics.models import Topic
from kontakt.voice import prompts
from kontakt.voice.server import build_flow
from kontakt.voice.sip.endpoint import SipEndpoint
from kontakt.voice.warm_prompts import prompt_texts


async def test_every_topic_confirmation_in_every_language(chat_runtime: Runtime) -> None:
    flow = build_flow(chat_runtime.settings, chat_runtime, SipEndpoint("127.0.0.1", 0))
    texts = await prompt_texts(flow)
    async with chat_runtime.transaction() as session:
        topics = (await session.scalars(select(Topic))).all()
    assert topics
    for lang in ("pl", "uk", "en"):
        t = flow.t(lang)
        for topic in topics:
            assert (t(prompts.CONFIRM_TOPIC, topic=topic.name(lang)), lang) in texts
        assert (t(prompts.ASK_TOPIC), lang) in texts
    # The welcome lines are each said in their own language only.
    assert [lang for text, lang in texts if text == flow.t("uk")(prompts.WELCOME[1][1])] == ["uk"]
    assert len(texts) == len(set(texts))
