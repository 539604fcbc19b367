"""JSGF grammars for the closed steps (yes/no, digits), where an LM would only add ways
to be wrong: the caller is expected to say one of a few phrases, or a run of numbers."""

from __future__ import annotations

from kontakt.voice.asr.text import (
    EN_TEENS,
    EN_TENS,
    EN_UNITS,
    PL_HUNDREDS,
    PL_TEENS,
    PL_TENS,
    PL_UNITS,
)


def _alternatives(phrases: list[str]) -> str:
    return " | ".join(dict.fromkeys(" ".join(p.split()) for p in phrases if p.strip()))


def phrase_grammar(name: str, phrases: list[str]) -> str:
    """One of the phrases, said once."""
    return f"#JSGF V1.0;\ngrammar {name};\npublic <{name}> = {_alternatives(phrases)} ;\n"


def digits_grammar(lang: str) -> str:
    """One or more numbers, each a digit, a teen, tens with an optional unit, or (Polish)
    hundreds with optional tens and unit: "dwa zero", "dwadzieścia trzy", "sto pięć"."""
    if lang == "pl":
        units, teens, tens, hundreds = PL_UNITS, PL_TEENS, PL_TENS, PL_HUNDREDS
    else:
        units, teens, tens, hundreds = [*EN_UNITS, "oh"], EN_TEENS, EN_TENS, []
    rules = [
        f"<unit> = {_alternatives(units)} ;",
        f"<nonzero> = {_alternatives(units[1:10])} ;",
        f"<teen> = {_alternatives(teens)} ;",
        f"<tens> = {_alternatives(tens)} ;",
        "<below100> = <unit> | <teen> | <tens> [<nonzero>] ;",
    ]
    number = "<below100>"
    if hundreds:
        rules.append(f"<hundreds> = {_alternatives(hundreds)} ;")
        rules.append("<below1000> = <hundreds> [<teen> | <tens> [<nonzero>] | <nonzero>] ;")
        number = "<below100> | <below1000>"
    body = "\n".join(rules)
    return f"#JSGF V1.0;\ngrammar digits;\npublic <digits> = ({number})+ ;\n{body}\n"
