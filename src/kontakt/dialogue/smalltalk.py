"""Recognise the few things a resident says that are not questions for the knowledge base."""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE | re.UNICODE

HUMAN = re.compile(
    r"\b(konsultant\w*|człowiek\w*|czlowiek\w*|operator\w*|pracownik\w*|żyw\w+ osob\w+|"
    r"zyw\w+ osob\w+|rozmow\w+ z kimś|broker\w*|"
    r"оператор\w*|консультант\w*|людин\w+|працівник\w*|живою людиною|"
    r"human|real person|agent|operator|someone real|talk to (?:a )?person)\b",
    _FLAGS,
)
GREETING = re.compile(
    r"^\s*(dzień dobry|dzien dobry|cześć|czesc|witam|hej|halo|siema|"
    r"добрий день|доброго дня|привіт|вітаю|здравствуйте|привет|"
    r"hello|hi|hey|good (?:morning|afternoon|evening))[\s!.,]*$",
    _FLAGS,
)
THANKS = re.compile(
    r"^\s*(dzięki|dzieki|dziękuję|dziekuje|dziękuje|dziekuję|super|ok dzięki|"
    r"дякую|спасибі|спасибо|thanks|thank you|thx|great)"
    r"[\s!.,]*(bardzo|дуже|a lot|very much)?[\s!.,]*$",
    _FLAGS,
)
GOODBYE = re.compile(
    r"^\s*(do widzenia|do zobaczenia|pa|nara|на все добре|до побачення|бувай|bye|goodbye)[\s!.,]*$",
    _FLAGS,
)
HOURS = re.compile(
    r"(godzin\w* (pracy|otwarcia)|kiedy (jesteście|jestescie|pracujecie|czynne|mogę zadzwonić|"
    r"moge zadzwonic)|czy (infolinia|biuro) (jest )?(czynn|otwart)|"
    r"години роботи|коли (ви )?працюєте|коли можна подзвонити|"
    r"opening hours|office hours|when (are you|is the office) open|when can i call)",
    _FLAGS,
)
# A short message that leans on what was said before: "a ile to kosztuje?", "and for a child?"
FOLLOW_UP = re.compile(
    r"^\s*(a|i|oraz|to|a co|a jak|a gdzie|a ile|a kiedy|а|і|й|а як|а де|а скільки|"
    r"and|what about|how about|and if)\b"
    r"|\b(to|tego|tym|ten|ta|it|this|that|це|цього|цей|ця|його|її)\b",
    _FLAGS,
)


def is_follow_up(text: str) -> bool:
    words = re.findall(r"\w+", text)
    return 0 < len(words) <= 7 and bool(FOLLOW_UP.search(text))
