"""The prompts a call can hear whose text is known before any call, for the voice process to
render at start: the welcome, the questions and reprompts, "Is it about {topic}?" and
"Connecting you ... for {topic}" for every topic, the keypad menu, the goodbyes; in every
language. The confirmation follows the caller's speech directly, so rendering it then
would add espeak-ng's time (0.05-0.7 s on a loaded machine) to the wait.

The texts are composed as the call flow composes them (call_flow, speech_topic, keypad).
Should one of those change its wording, the prompt is simply rendered when first said, as
before: a slower first time, never a wrong prompt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from kontakt.routing.service import Desk
from kontakt.topics.models import Topic
from kontakt.voice import prompts
from kontakt.voice.keypad import LANG_BY_DIGIT, MORE_KEY, menu_pages

if TYPE_CHECKING:
    from kontakt.voice.call_flow import CallFlow


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
        said += [t(prompts.NOT_HEARD) + " " + t(prompts.ASK_AGAIN)]
        said += [t(prompts.NOT_UNDERSTOOD) + " " + t(prompts.ASK_AGAIN)]
        said += [" ".join([t(prompts.CANNOT_CONNECT), t(prompts.HELPLINE, phone=phone),
                           t(prompts.GOODBYE)])]  # fmt: skip
        for topic in topics:
            said += [t(prompts.CONFIRM_TOPIC, topic=topic.name(lang))]
            said += [t(prompts.CONNECTING_TOPIC, topic=topic.name(lang))]
        pages = menu_pages(queues)
        for number, page in enumerate(pages):
            items = [t(prompts.MENU_ITEM, name=q.name(lang), digit=d) for d, q in page]
            if number + 1 < len(pages):
                items.insert(-1, t(prompts.MENU_MORE, digit=MORE_KEY))
            menu = t(prompts.MENU_PROMPT, items=" ".join(items))
            said += [menu, t(prompts.AGAIN) + " " + menu]
        texts += [(text, lang) for text in said]
    return list(dict.fromkeys(texts))
