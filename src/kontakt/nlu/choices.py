"""Short answers inside the booking dialogue: which option, yes or no, and what the resident wants.

Rules, not a model: these turns are short, the phrasings are few, and a wrong guess here books
or cancels a visit. Matching runs on folded text (lowercase, no Polish diacritics, one kind of
apostrophe), because residents often type "rezygnuje" or "chcialbym umowic". The `lang`
argument only settles words that differ between languages: "no" is "no" in English but
"well" in Polish ("no tak", "no nie").
"""

from __future__ import annotations

import re

from kontakt.nlu.fold import fold

# A negation up to two words before a phrase turns it off: "nie chcę się umówić".
_NEGATED = re.compile(r"(?:\bnie|\bне|\bнет|\bnot|\bdon't|\bdo\s+not|\bnever)\s+(?:\w+\s+){0,2}$")


def _fold(text: str) -> str:
    return " ".join(fold(text).split())


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


def _found(pattern: re.Pattern[str], text: str) -> bool:
    """A match that is not negated: "anuluj" yes, "nie anuluj" no."""
    return any(not _NEGATED.search(text[: m.start()]) for m in pattern.finditer(text))


# --- which option --------------------------------------------------------------------------

_ORDINALS = (  # index, forms (folded)
    (0, r"pierwsz(?:y|a|e|ej|ego|ym)|перш(?:ий|а|е|у|ого|ому|ій)|перв(?:ый|ая|ое|ую)|first|1st"),
    (1, r"drug(?:i|a|ie|iej|iego|im)|друг(?:ий|а|е|у|ого|ому|ій)|втор(?:ой|ая|ое|ую)|second|2nd"),
    (2, r"trzec(?:i|ia|ie|iej|iego|im)|трет(?:ій|я|є|ю|ього|ьому)|трет(?:ий|ья|ье|ью)|third|3rd"),
    (3, r"czwart(?:y|a|e|ej|ego|ym)|четверт(?:ий|а|е|у|ого|ый|ая|ую)|fourth|4th"),
    (4, r"piat(?:y|a|e|ej|ego|ym)|п'?ят(?:ий|а|е|у|ого)|пят(?:ый|ая|ую)|fifth|5th"),
    (5, r"szost(?:y|a|e|ej|ego|ym)|шост(?:ий|а|е|у|ого)|шест(?:ой|ая|ую)|sixth|6th"),
)
_R_ORDINALS = [(i, _rx(p)) for i, p in _ORDINALS]
_R_LAST = _rx(r"ostatni\w*|останн\w*|последн\w*|last(?:\s+one)?")
_R_NUMBERED = _rx(
    r"(?:numer|nr\.?|number|no\.|opcj[aeiy]|option|wariant|варіант|номер|вариант)\s*(?P<n>\d{1,2})"
    r"|[#№]\s*(?P<m>\d{1,2})"
)
_R_BARE_NUMBER = re.compile(r"\s*(?P<n>\d{1,2})\s*[.!)]?\s*")
_MONTH_AFTER = re.compile(
    r"\s+(?:of\s+)?(?:stycz|lut|mar|kwie|maj|czerw|lip|sier|wrze|pazdz|listop|grud|січ|лют|берез"
    r"|квіт|трав|черв|лип|серп|верес|жовт|листоп|груд|янв|фев|апр|мая|июн|июл|авг|сент|окт|ноя"
    r"|дек|jan|feb|apr|may|jun|jul|aug|sep|oct|nov|dec)"
)
# "o drugiej" / "о другій" / "wpół do trzeciej" name a clock hour, not an option.
_CLOCK_BEFORE = re.compile(r"(?:\bo|\bо|\bоб|wpol\s+do|пів\s+на|kwadrans\s+po|\bat)\s+$")
_OPTION_NOUN = re.compile(r"\s+(?:opcj|termin|propozycj|wariant|godzin|варіант|опці|термін|час)")
# "a second", "at first", "first of all" are not choices.
_NOT_A_CHOICE = re.compile(r"\b(?:a|one|at)\s+(?:second|first)\b(?!\s+one)|\bfirst\s+of\s+all")


def ordinal(text: str, lang: str) -> int | None:
    """Which offered option was picked, 0-based; -1 for the last one; None if none is named.

    A bare "2" or "numer 2" is an option; "o 10", "w czwartek o 10" and "3 grudnia" are not,
    and neither is "pierwszego grudnia" (a date) or "o drugiej" (a clock time).
    """
    folded = _fold(text)
    bare = _R_BARE_NUMBER.fullmatch(folded)
    if bare:  # a lone "2" picks an option; a lone "10" is more likely an hour
        number = int(bare["n"])
        return number - 1 if 1 <= number <= 9 else None
    numbered = _R_NUMBERED.search(folded)
    if numbered:
        number = int(numbered["n"] or numbered["m"])
        return number - 1 if number >= 1 else None
    candidates: list[tuple[int, int]] = []  # (position, index)
    cleaned = _NOT_A_CHOICE.sub(lambda m: " " * len(m.group()), folded)
    for index, pattern in [*_R_ORDINALS, (-1, _R_LAST)]:
        for m in pattern.finditer(cleaned):
            before, after = cleaned[: m.start()], cleaned[m.end() :]
            if _NEGATED.search(before) or _MONTH_AFTER.match(after):
                continue
            if _CLOCK_BEFORE.search(before) and not _OPTION_NOUN.match(after):
                continue
            candidates.append((m.start(), index))
    return min(candidates)[1] if candidates else None


# --- yes / no ------------------------------------------------------------------------------

_UNSURE = _rx(
    r"nie\s+(?:wiem|jestem\s+pew\w*|rozumiem|pamietam|mam\s+pojecia)|sam\s+nie\s+wiem|moze"
    r"|не\s+(?:знаю|впевнен\w*|розумію|пам'ятаю|уверен\w*|понимаю)|можливо|може|может"
    r"|(?:i\s+)?(?:don't|do\s+not|dont)\s+know|not\s+sure|i'm\s+not\s+sure|maybe|perhaps"
    r"|hmm+|yyy+|eee+"
)
_YES = _rx(
    r"ta+k+|👍|zgadza\s+sie|potwierdzam|ok|okej|okay|oczywiscie|dobrze|jasne|pewnie"
    r"|poprosze|chetnie|moze\s+byc|pasuje|jak\s+najbardziej|zgoda|super|swietnie|niech\s+bedzie"
    r"|w\s+porzadku|owszem|spoko|raczej\s+tak|chyba\s+tak|no\s+tak"
    r"|так|звісно|звичайно|підтверджую|добре|гаразд|згоден|згодна|авжеж|ок|окей|влаштовує"
    r"|підходить|вірно|правильно|да|конечно|хорошо|подтверждаю|верно|ладно"
    r"|yes|yeah|yep|yup|sure|correct|confirm|confirmed|right|that's\s+right|fine|great"
    r"|please\s+do|of\s+course|absolutely|sounds\s+good|perfect|alright|all\s+right"
    r"|good(?!\s+(?:morning|afternoon|evening|day))"
)
# Yes that starts like a no: "nie ma sprawy", "no problem".
_YES_DESPITE_NO = _rx(
    r"nie\s+ma\s+(?:problemu|sprawy)|no\s+problem|no\s+worries|не\s+проблема|без\s+проблем"
)
_NO = _rx(
    r"nie+|👎|niestety\s+nie|raczej\s+nie|chyba\s+nie|absolutnie\s+nie|wcale\s+nie|no\s+nie"
    r"|ні|не|нет|неа|no|nope|nah|not\s+really|incorrect|wrong|negative"
)
# Phrases that answer anywhere in the sentence ("wszystko się zgadza", "to mi nie pasuje").
_YES_ANYWHERE = _rx(
    r"zgadza\s+sie|sie\s+zgadza|potwierdzam|pasuje|підтверджую|підходить|влаштовує|that's\s+right"
    r"|sounds\s+good|works\s+for\s+me"
)


def yes_no(text: str, lang: str) -> bool | None:
    """True for yes, False for no, None for anything else (questions, "nie wiem", other text).

    Only the start of the message answers: "nie, jednak w piątek" is False (a correction; the
    caller parses the date as well), "tak, a o której?" is True, a bare "tak?" is a question.
    """
    folded = _fold(text)
    if _YES_DESPITE_NO.match(folded):
        return True
    if lang == "pl" and re.match(r"no(?:\s*,)?\s+(?=\w)", folded):
        folded = re.sub(r"^no(?:\s*,)?\s+", "", folded)  # Polish "no" is a filler: "no dobrze"
    elif lang == "pl" and re.fullmatch(r"no\W*", folded):
        return None
    if _UNSURE.match(folded) and not re.match(r"moze\s+byc", folded):
        return None
    m = _NO.match(folded) or _YES.match(folded)
    if m is None:
        return _found(_YES_ANYWHERE, folded) if _YES_ANYWHERE.search(folded) else None
    if folded.endswith("?") and not re.match(r"\s*[,.!;:-]", folded[m.end() :]):
        return None  # "tak?", "ok?", "tak czy nie?": the resident is asking, not answering
    return m.re is not _NO


# --- what the resident wants -----------------------------------------------------------------

_CANCEL = _rx(
    r"anuluj\w*|anulowac|rezygnuj\w*|zrezygnuj\w*|zrezygnowac|przerwij|przerwac|(?<!bus\s)stop"
    r"|nie\s+chce\s+(?:sie\s+)?(?:juz\s+)?(?:umawiac|zapisywac|rezerwowac)|daj(?:my)?\s+spokoj"
    r"|(?:jednak|juz)\s+nie\s+chce(?=\s*[.!]*$)|nie\s+chce\s+juz(?=\s*[.!]*$)"
    r"|zapomnij(?:\s+o\s+tym)?"
    r"|скасу\w*|відмін(?:а|ити|іть|и|яю)|не\s+хочу\s+(?:записуватися|записуватись)|забудь|стоп"
    r"|отмен\w*|cancel|never\s*mind|nevermind|forget\s+it|abort|quit"
)
_BOOKING_OBJECT = (
    r"wizyt\w*|rezerwacj\w*|termin\w*|spotkani\w*|zapis\w*|запис\w*|прийом\w*|візит\w*"
    r"|бронюванн\w*|зустріч\w*|прием\w*|визит\w*|appointment|booking|reservation|visit|slot"
)
_WORD = r"[^\s,.;:!?]+"  # a gap word; punctuation ends the phrase ("anuluj, inny termin")
_CANCEL_BOOKING = re.compile(
    r"(?<!\w)(?:odwol\w*|anul\w*|skasow\w*|(?:z)?rezygn\w*\s+z|скасу\w*|відмін(?:ити|іть|и)"
    r"|анулю\w*|відмов\w*\s+від|отмен\w*|cancel\w*|call\s+off)"
    rf"(?:\s+{_WORD}){{0,3}}?\s+(?:{_BOOKING_OBJECT})(?!\w)"
    rf"|(?<!\w)(?:{_BOOKING_OBJECT})(?:\s+{_WORD}){{0,4}}?\s+(?:odwolac|anulowac|скасувати"
    r"|cancel(?:led)?)(?!\w)"
    rf"|(?<!\w)nie\s+(?:przyjde|dam\s+rady\s+przyjsc)\s+na\s+(?:{_BOOKING_OBJECT})(?!\w)"
)
_RESCHEDULE = re.compile(
    r"(?<!\w)(?:przelozyc|przeloz\w*|przesunac|przesun\w*|przeniesc|przenies\w*|перенест\w*"
    r"|перенес\w*|переноси\w*|reschedul\w*|postpon\w*|move\s+my)(?!\w)"
    r"|(?<!\w)(?:zmienic|zmiana|zmien\w*|змінити|змін\w*|поменять|изменить|change)\s+"
    r"(?:\w+\s+)?(?:termin\w*|dat\w*|godzin\w*|dzien|dnia|дат\w*"
    r"|час\w*|день|date|time|day)(?!\w)"
)
_BOOKING = re.compile(
    r"(?<!\w)(?:umowic|umowienie|umowie\s+sie|umowmy|umow\s+mnie|zarezerwow\w*|zarezerwuj\w*"
    r"|rezerwacj\w*\s+(?:terminu|wizyty)|zapisac\s+(?:sie|mnie)|sie\s+zapisac|sie\s+zapisze"
    r"|zapisz(?:cie)?\s+mnie|zapisanie\s+sie|zapisy?\s+na\s+wizyt\w*"
    r"|(?:wolny|wolne|wolnych|najblizszy|najblizsze)\s+termin\w*"
    r"|записатис[яь]|запиш\w*\s+мене|запис\s+на\s+(?:прийом|візит)|забронюва\w*|бронюванн\w*"
    r"|(?:потрібен|потрібна|хочу\s+на)\s+(?:прийом|візит)|записаться|запишите|забронировать"
    r"|book(?:ing)?\s+(?:an?\s+|the\s+|my\s+|one\s+)?(?:appointment|visit|slot|time|meeting)"
    r"|(?:make|schedule|get|set\s+up|arrange)\s+an?\s+appointment"
    r"|(?:need|want|like|have)\s+an?\s+appointment|(?:can|could|may)\s+i\s+book"
    r"|(?:like|want|need)\s+to\s+book)(?!\w)"
)


# "Do I need an appointment?" asks about the rule, it does not ask for a visit.
_ASKS_IF_NEEDED = re.compile(
    r"(?<!\w)(?:(?:do|does|must)\s+(?:i|we|one|you)\s+(?:need|have)|is\s+an?\s+appointment"
    r"\s+(?:needed|required|necessary)|czy\s+(?:trzeba|musze|nalezy|potrzeb\w*|jest\s+potrzeb)"
    r"|чи\s+(?:треба|потрібно|обов'язково)|нужно\s+ли)(?!\w)"
)


def cancel_booking_intent(text: str, lang: str) -> bool:
    """The resident wants to cancel a visit that is already booked ("chcę odwołać wizytę")."""
    return _found(_CANCEL_BOOKING, _fold(text))


def cancel_intent(text: str, lang: str) -> bool:
    """The resident wants to stop the booking in progress ("anuluj", "never mind").

    Cancelling an existing visit is a different request (`cancel_booking_intent`), so the two
    never both answer True and the dialogue does not have to order its checks.
    """
    return _found(_CANCEL, _fold(text)) and not cancel_booking_intent(text, lang)


def reschedule_intent(text: str, lang: str) -> bool:
    """The resident wants another date for a booked visit ("chcę przełożyć wizytę")."""
    return _found(_RESCHEDULE, _fold(text))


def booking_intent(text: str, lang: str) -> bool:
    """The resident wants to book a visit; an information question ("jak wyrobić dowód?",
    "do I need an appointment?") is not.

    Cancelling and rescheduling mention visits too; they win, as the more specific requests.
    """
    if cancel_booking_intent(text, lang) or reschedule_intent(text, lang):
        return False
    folded = _fold(text)
    return _found(_BOOKING, folded) and not _ASKS_IF_NEEDED.search(folded)
