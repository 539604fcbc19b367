"""The prompts a call can hear whose text is known before any call, for the voice process to
render at start: the welcome, the questions and reprompts, "Is it about {topic}?" and
"Connecting you ... for {topic}" for every topic, the keypad menu, the goodbyes; in every
language. The confirmation follows the caller's speech directly, so rendering it then
would add espeak-ng's time (0.05-0.7 s on a loaded machine) to the wait.

The composed texts come from the same functions the call flow says them with (call_flow,
speech_topic, keypad); a prompt not listed here is rendered when first said: a slower first
time, never a wrong prompt.
"""

from __future__ import annotations

from sqlalchemy import select

from kontakt.routing.service import Desk
from kontakt.topics.models import Topic
from kontakt.voice import prompts
from kontakt.voice.call_flow import CallFlow, cannot_connect
from kontakt.voice.keypad import LANG_BY_DIGIT, again, menu_pages, menu_text
from kontakt.voice.speech_topic import reprompt


async def prompt_texts(flow: CallFlow) -> list[tuple[str, str]]:
    """(text, language) pairs, without duplicates."""
    runtime = flow.runtime
    async with runtime.transaction() as session:
        topics = list((await session.scalars(select(Topic))).all())
        queues = {q.id: q for q in await Desk(session, runtime.clock).queues()}
    phone = runtime.settings.contact_phone
    texts: list[tuple[str, str]] = [(flow.t(lang)(msgid), lang) for lang, msgid in prompts.WELCOME]
    welcome = {msgid for _, msgid in prompts.WELCOME}  # each said in its own language only
    for lang in LANG_BY_DIGIT.values():
        t = flow.t(lang)
        said = [t(m) for m in prompts.ALL if "{" not in m and m not in welcome]
        said += [reprompt(t, prompts.NOT_HEARD), reprompt(t, prompts.NOT_UNDERSTOOD)]
        said += [cannot_connect(t, phone)]
        for topic in topics:
            said += [t(prompts.CONFIRM_TOPIC, topic=topic.name(lang))]
            said += [t(prompts.CONNECTING_TOPIC, topic=topic.name(lang))]
        pages = menu_pages(queues)
        for number in range(len(pages)):
            menu = menu_text(t, lang, pages, number)
            said += [menu, again(t, menu)]
        texts += [(text, lang) for text in said]
    return list(dict.fromkeys(texts))
