"""The spoken topic question: "what is your call about?", recognised, classified, confirmed.

Speech recognition on a telephone line is a topic *guesser*, so a guess is never acted on
without the caller's "yes" (or key 1). The classifier's decision policy (calibrated by
``kontakt train``) picks between confirming one topic, asking between two, and asking the
caller to rephrase; after a "no" to a confident guess, the runner-up is proposed before the
caller is asked to say it again. No input and no match each cost one of at most ``MAX_REPROMPTS``
repeats; then the caller goes to the general queue, where a person sorts it out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from kontakt.nlu.choices import yes_no
from kontakt.topics.policy import TopicThresholds, decide_topic
from kontakt.topics.train import TrainedModel
from kontakt.voice import prompts
from kontakt.voice.call_io import CallIO, Heard

MAX_REPROMPTS = 2
LISTEN_S = 6.0
# After a "no", the classifier's second guess is proposed when it is a real contender: a
# wrong proposal costs the caller one more "no", a right one saves repeating the whole
# sentence to a recogniser that has already misheard it once. Chosen on the development
# phrasings (bench/data/speech_dev.yaml): from 0.1 the second guess was right for 6 of 66
# callers at the cost of 12 wasted questions; 0.05 won none more and wasted 20.
RUNNER_UP_MIN = 0.1
YES_DIGIT, NO_DIGIT = "1", "2"


def reprompt(t: Callable[..., str], why: str) -> str:
    """The topic question again, after no input (NOT_HEARD) or no match (NOT_UNDERSTOOD)."""
    return f"{t(why)} {t(prompts.ASK_AGAIN)}"


@dataclass(frozen=True)
class TopicResult:
    kind: str  # topic | menu | general | hangup
    topic: str | None = None
    reason: str = ""  # "general": no_input | no_match; "menu": the key pressed
    confidence: float | None = None
    heard: tuple[str, ...] = ()  # what was recognised, for the transcript


class SpokenTopic:
    def __init__(
        self,
        io: CallIO,
        lang: str,
        model: TrainedModel,
        topic_name: Callable[[str], str],
        t: Callable[..., str],
    ) -> None:
        self.io = io
        self.lang = lang
        self.model = model
        self.topic_name = topic_name
        self.t = t
        self.heard: list[str] = []

    async def run(self) -> TopicResult:
        call = self.io.call
        question = self.t(prompts.ASK_TOPIC)
        misses = 0
        last_miss = "no_input"
        while misses <= MAX_REPROMPTS:
            await self.io.say(call, question, self.lang)
            heard = await self.io.listen("topic", LISTEN_S)
            if heard.kind == "hangup":
                return self._result("hangup")
            if heard.kind == "digit":
                # Any key: the caller prefers the menu (a menu digit is taken as typed ahead).
                return self._result("menu", reason=heard.digit)
            if heard.kind == "silence":
                misses, last_miss = misses + 1, "no_input"
                question = reprompt(self.t, prompts.NOT_HEARD)
                continue
            self.heard.append(heard.text)
            chosen = await self._decide(heard)
            if chosen is not None:
                return chosen
            misses, last_miss = misses + 1, "no_match"
            question = reprompt(self.t, prompts.NOT_UNDERSTOOD)
        return self._result("general", reason=last_miss)

    async def _decide(self, heard: Heard) -> TopicResult | None:
        if not heard.text.strip():
            return None
        [prediction] = await asyncio.to_thread(self.model.engine.predict, [heard.text])
        decision = decide_topic(prediction, self._thresholds())
        if decision.kind == "rephrase" or (
            decision.kind == "clarify" and prediction.runner_up is None
        ):
            return None
        if decision.kind == "confident":
            answer = await self._confirm(prediction.topic)
            if answer is None:
                return self._result("hangup")
            if answer:
                return self._result("topic", prediction.topic, prediction.confidence)
            second = prediction.runner_up
            if second is None or prediction.runner_up_confidence < RUNNER_UP_MIN:
                return None
            answer = await self._confirm(second)
            if answer is None:
                return self._result("hangup")
            if answer:
                return self._result("topic", second, prediction.runner_up_confidence)
            return None
        assert prediction.runner_up is not None
        pick = await self._clarify(prediction.topic, prediction.runner_up)
        if pick == "hangup":
            return self._result("hangup")
        if pick is None:
            return None
        confidence = (
            prediction.confidence if pick == prediction.topic else prediction.runner_up_confidence
        )
        return self._result("topic", pick, confidence)

    def _thresholds(self) -> TopicThresholds:
        # Every proposal is confirmed by voice or key, so a wrong guess costs one "no":
        # the spoken thresholds are calibrated for a lower precision than the chat's.
        return self.model.spoken_thresholds()

    async def _confirm(self, topic: str) -> bool | None:
        """True/False for yes/no; None if the caller hung up. Silence or noise asks once more."""
        call = self.io.call
        text = self.t(prompts.CONFIRM_TOPIC, topic=self.topic_name(topic))
        for _ in range(2):
            await self.io.say(call, text, self.lang)
            heard = await self.io.listen("yes_no", LISTEN_S)
            if heard.kind == "hangup":
                return None
            if heard.kind == "digit":
                if heard.digit in (YES_DIGIT, NO_DIGIT):
                    return heard.digit == YES_DIGIT
            elif heard.kind == "speech" and heard.text:
                self.heard.append(heard.text)
                answer = yes_no(heard.text, self.lang)
                if answer is not None:
                    return answer
            text = self.t(prompts.CONFIRM_TOPIC, topic=self.topic_name(topic))
        return False

    async def _clarify(self, first: str, second: str) -> str | None:
        """One of the two topics, None for neither, or "hangup"."""
        call = self.io.call
        text = self.t(
            prompts.CLARIFY_TOPIC, first=self.topic_name(first), second=self.topic_name(second)
        )
        await self.io.say(call, text, self.lang)
        heard = await self.io.listen("topic", LISTEN_S)
        if heard.kind == "hangup":
            return "hangup"
        if heard.kind == "digit":
            return {"1": first, "2": second}.get(heard.digit)
        if heard.kind == "speech" and heard.text:
            self.heard.append(heard.text)
            [again] = await asyncio.to_thread(self.model.engine.predict, [heard.text])
            if again.topic in (first, second):
                return again.topic
        return None

    def _result(
        self, kind: str, topic: str | None = None, confidence: float | None = None, reason: str = ""
    ) -> TopicResult:
        return TopicResult(kind, topic, reason, confidence, tuple(self.heard))
