"""Word lists and patterns for `kontakt.nlu.when`: Polish, Ukrainian, English, some Russian.

They live apart from the rules because they are data: adding a word form should not mean
scrolling through the date arithmetic, and reading the rules should not mean scrolling through
three languages. Everything is built once at import. Patterns run on folded text (`_fold`):
lowercase, no Polish diacritics, one apostrophe, and every index still pointing at the
original text so matched spans can be cut from what the resident wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time

from kontakt.nlu.fold import FOLD_TABLE


def _alt(words: Iterable[str]) -> str:
    """A regex alternation, longest first; a space in a phrase matches any run of spaces."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace("\\ ", r"\s+") for w in ordered)


def _key(phrase: str) -> str:
    return " ".join(phrase.split())


def _apostrophe_free(forms: Iterable[str]) -> set[str]:
    # Residents often skip the Ukrainian apostrophe ("пятницю", "девятій").
    return {v for f in forms for v in (f, f.replace("'", ""))}


_PL_ORDINALS = (
    "pierwsza druga trzecia czwarta piata szosta siodma osma dziewiata dziesiata jedenasta "
    "dwunasta trzynasta czternasta pietnasta szesnasta siedemnasta osiemnasta dziewietnasta "
    "dwudziesta"
).split()
_UK_ORDINALS = (
    "перша друга третя четверта п'ята шоста сьома восьма дев'ята десята одинадцята дванадцята "
    "тринадцята чотирнадцята п'ятнадцята шістнадцята сімнадцята вісімнадцята дев'ятнадцята "
    "двадцята"
).split()
_EN_NUMBERS = "one two three four five six seven eight nine ten eleven twelve".split()


def _hour_words() -> dict[str, int]:
    """Spelled hours in every case they follow "o", "wpół do", "пів на", "at"."""
    words: dict[str, int] = {}
    for hour, nom in enumerate(_PL_ORDINALS, start=1):
        words[nom] = hour  # nominative and, folded, accusative ("na dziesiątą")
        words[nom[:-1] + ("iej" if nom.endswith("ga") else "ej")] = hour  # locative/genitive
    for hour, nom in enumerate(_UK_ORDINALS, start=1):
        stem, soft = nom[:-1], nom.endswith("я")
        forms = {nom, stem + "ій", stem + ("ю" if soft else "у"), stem + ("ьої" if soft else "ої")}
        words.update(dict.fromkeys(_apostrophe_free(forms), hour))
    words.update({w: h for h, w in enumerate(_EN_NUMBERS, start=1)})
    return words


_HOUR_WORDS = _hour_words()
_MINUTE_WORDS = {
    "trzydziesci": 30, "pietnascie": 15, "czterdziesci piec": 45, "dwadziescia": 20,
    "dziesiec": 10, "piec": 5, "piecdziesiat": 50, "тридцять": 30, "п'ятнадцять": 15,
    "пятнадцять": 15, "сорок п'ять": 45, "сорок пять": 45, "двадцять": 20, "десять": 10,
    "thirty": 30, "fifteen": 15, "forty-five": 45, "forty five": 45, "twenty": 20,
}  # fmt: skip
# "kwadrans po", "za kwadrans", "quarter to": how many minutes the hour is moved by.
_OFFSET_WORDS = {
    "kwadrans": 15, "pietnascie": 15, "dziesiec": 10, "piec": 5, "dwadziescia": 20,
    "чверть": 15, "п'ятнадцять": 15, "пятнадцять": 15, "десять": 10, "п'ять": 5, "пять": 5,
    "двадцять": 20, "quarter": 15, "a quarter": 15, "half": 30, "ten": 10, "five": 5, "twenty": 20,
}  # fmt: skip


def _index(rows: Iterable[str], start: int) -> dict[str, int]:
    """Word -> number of its row; a row lists the forms of one value in every language."""
    return {w: i for i, row in enumerate(rows, start=start) for w in _apostrophe_free(row.split())}


_MONTHS = _index(
    [
        "stycznia styczen січня января january jan",
        "lutego luty лютого февраля february feb",
        "marca marzec березня марта march mar",
        "kwietnia kwiecien квітня апреля april apr",
        "maja maj травня мая may",
        "czerwca czerwiec червня июня june jun",
        "lipca lipiec липня июля july jul",
        "sierpnia sierpien серпня августа august aug",
        "wrzesnia wrzesien вересня сентября september sep sept",
        "pazdziernika pazdziernik жовтня октября october oct",
        "listopada listopad листопада ноября november nov",
        "grudnia grudzien грудня декабря december dec",
    ],
    start=1,
)
_MONTHS_IN = _index(  # "w grudniu", "у грудні", "in December"
    [
        "styczniu січні январе january",
        "lutym лютому феврале february",
        "marcu березні марте march",
        "kwietniu квітні апреле april",
        "maju травні мае may",
        "czerwcu червні июне june",
        "lipcu липні июле july",
        "sierpniu серпні августе august",
        "wrzesniu вересні сентябре september",
        "pazdzierniku жовтні октябре october",
        "listopadzie листопаді ноябре november",
        "grudniu грудні декабре december",
    ],
    start=1,
)
_WEEKDAYS = _index(
    [
        "poniedzialek poniedzialku понеділок понеділка понедельник monday",
        "wtorek wtorku вівторок вівторка вторник tuesday",
        "sroda srode srody srodzie середа середу середи среда среду wednesday",
        "czwartek czwartku четвер четверга четверг thursday",
        "piatek piatku п'ятниця п'ятницю п'ятниці пятница пятницу friday",
        "sobota sobote soboty субота суботу суботи суббота субботу saturday",
        "niedziela niedziele niedzieli неділя неділю неділі воскресенье sunday",
    ],
    start=0,
)
_RELATIVE_DAYS = {
    "jutro": 1, "завтра": 1, "tomorrow": 1, "pojutrze": 2, "післязавтра": 2, "послезавтра": 2,
}  # fmt: skip
_NUMBERS = {
    "jeden": 1, "jedna": 1, "dwa": 2, "dwoch": 2, "trzy": 3, "cztery": 4, "piec": 5,
    "szesc": 6, "siedem": 7, "один": 1, "одну": 1, "два": 2, "дві": 2, "три": 3, "чотири": 4,
    "п'ять": 5, "пять": 5, "четыре": 4, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7,
}  # fmt: skip

_HOUR = _alt(_HOUR_WORDS)
_MONTH = _alt(_MONTHS)
_WEEKDAY = _alt(_WEEKDAYS)
_NUM = rf"\d{{1,2}}|{_alt(_NUMBERS)}"
_AMPM = r"(?P<ap>a\.m\.|p\.m\.|am|pm|ранку|утра|вечора|вечера|дня)(?!\w)"
# Without "о"/"в" in front, "3 дня" is "three days" in Russian, so "дня" needs the preposition.
_AMPM_STRICT = r"(?P<ap>a\.m\.|p\.m\.|am|pm|ранку|утра|вечора|вечера)(?!\w)"
# What may precede a clock time. "в"/"у" only count before a clear ending (see _IN_CLOCK).
_AT = (
    r"(?:o\s+godz(?:inie|\.)?|godz(?:ina|inie|\.)?|na\s+godz(?:ine|\.)?|okolo|ok\.|kolo|o|na"
    r"|at|around|about|близько|около|об|о|на|в|у|к)"
)
_HOUR_SUFFIX = r"(?:\s*(?:godz\.?|godzinie|h|год\.?|годині|o'?clock)(?!\w))?"
# Numbers followed by these are amounts or dates, not clock times ("na 2 osoby", "o 15 maja").
_NOT_A_CLOCK = re.compile(
    rf"\s*(?:[-./]\d|%|-?(?:st|nd|rd|th|go|ego)\b|(?:{_MONTH})(?!\w)|dni|dnia|dzien|tydz|tygod"
    r"|minut|sekund|osob|lat|zl|pln|raz|procent|godzin[ya]?\b|days?\b|weeks?\b|minutes?"
    r"|hours?\b|people|persons?|дн|тиж|хвилин|осіб|людей|рок|грн|годин[иу]?\b)"
)
_IN_CLOCK = re.compile(r"\s*(?:$|[,.?!;)]|год|ранку|вечора|дня|утра|вечера|годин)")
_NOUN_AFTER_ORDINAL = re.compile(
    r"\s+(?:opcj|termin|propozycj|mozliwos|wizyt|raz|osob|wersj|варіант|опці|термін|спроб"
    r"|раз|запис|option|one|slot|time|of\b)"
)
_NEGATION = re.compile(r"(?:\bnie|\bне|\bnot)\s+(?:(?:w|we|na|o|on|at|в|у|о|об|на)\s+)?$")
_PHONE_LIKE = re.compile(r"(?<![\w.:/])\+?\d(?:[ -]?\d){6,}(?!\w)|\d{5,}")
_ISO_DATE = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")

# Duckling spans must name the calendar: bare ordinals ("перший", "the second one") answer
# "which option", which Duckling would read as a day of the month, and "na 2" is 14:00 to it.
_CALENDAR_WORD = re.compile(
    rf"{_MONTH}|styczn|lut|marc|kwie|czerw|lip|sierp|wrzes|pazdz|listop|grud|січ|берез|квіт"
    r"|трав|черв|лип|серп|верес|жовт|листоп|груд|dni|dzien|tydz|tygod|miesi|weekend|day"
    r"|week|month|дн|тиж|місяц|вихідн|недел|месяц|swiat|свят|holiday"
)


def _fold(text: str) -> str:
    """Lowercase, drop Polish diacritics, unify apostrophes; keeps every index in place."""
    out = []
    for char in text:
        low = char.lower()
        out.append(" " if not char.isprintable() else low if len(low) == 1 else char)
    return "".join(out).translate(FOLD_TABLE)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_R_NUMERIC_DATE = _rx(
    r"(?<![\w.:/])(?P<d>\d{1,2})(?P<sep>[./])(?P<m>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?"
    r"(?![\d:/]|[.]\d)"
)
_R_DAY_MONTH = _rx(
    rf"(?<!\w)(?P<d>\d{{1,2}})(?:\.|-?(?:go|ego|st|nd|rd|th|е|го))?\s*(?:of\s+)?"
    rf"(?P<mon>{_MONTH})\.?(?!\w)(?:\s+(?P<y>\d{{4}})(?:\s*r\.?)?(?!\d))?"
)
_R_MONTH_DAY = _rx(
    rf"(?<!\w)(?P<mon>{_MONTH})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\w)"
    rf"(?:,?\s+(?P<y>\d{{4}})(?!\d))?"
)
_CLOCK_NUM = rf"(?P<n>{_HOUR}|\d{{1,2}})"
_R_HALF_BEFORE = _rx(  # "wpół do jedenastej" = 10:30, "пів на одинадцяту" = 10:30
    rf"(?<!\w)(?:(?:o|о)\s+)?(?:wpol\s+do|пів\s+на|пів|pol\s+do)\s+{_CLOCK_NUM}(?!\w)"
)
_R_QUARTER_ON = _rx(rf"(?<!\w)(?:о\s+)?чверть\s+на\s+{_CLOCK_NUM}(?!\w)")  # чверть на 11 = 10:15
_R_PAST = _rx(
    rf"(?<!\w)(?:(?:o|at)\s+)?(?P<off>{_alt(_OFFSET_WORDS)})\s+(?:po|past|after)\s+{_CLOCK_NUM}"
    r"(?!\w)"
)
_R_TO = _rx(
    rf"(?<!\w)(?:(?:o|о|at)\s+)?(?:(?:za|за)\s+(?P<off>{_alt(_OFFSET_WORDS)})"
    rf"|(?P<off2>{_alt(_OFFSET_WORDS)})\s+(?:to|przed|till|before))\s+{_CLOCK_NUM}(?!\w)"
)
_ENDPOINT = r"\d{1,2}(?::\d{2})?(?:\s*(?:am|pm))?"
_R_BETWEEN = _rx(
    rf"(?<!\w)(?:(?:miedzy|pomiedzy)\s+(?:godz\.?\s+)?(?P<a>{_ENDPOINT})\s+a\s+"
    rf"|od\s+(?:godz\.?\s+)?(?P<b>{_ENDPOINT})\s+do\s+|between\s+(?P<c>{_ENDPOINT})\s+and\s+"
    rf"|from\s+(?P<d>{_ENDPOINT})\s+(?:to|till|until)\s+|між\s+(?P<e>{_ENDPOINT})\s+(?:і|та)\s+"
    rf"|(?:з|від)\s+(?P<f>{_ENDPOINT})\s+до\s+)(?:godz\.?\s+)?(?P<z>{_ENDPOINT})(?!\w|[.:]\d)"
)
_R_AFTER = _rx(
    rf"(?<!\w)(?:po|after|після|после)\s+(?:godz(?:inie|\.)?\s+)?(?P<a>{_ENDPOINT})(?![\w:]|\.\d)"
)
_R_BEFORE = _rx(
    rf"(?<!\w)(?:przed|before)\s+(?:godz(?:ina|\.)?\s+)?(?P<a>{_ENDPOINT})(?![\w:]|\.\d)"
)
_R_COLON = _rx(
    rf"(?<![\w.:])(?:{_AT}\s+)?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?!\d)(?:\s*{_AMPM})?{_HOUR_SUFFIX}"
)
_R_AT_NUMBER = _rx(
    rf"(?<!\w)(?P<at>{_AT})\s+(?P<h>\d{{1,2}})(?:\.(?P<m>\d{{2}}))?(?![\d:])(?:\s*{_AMPM})?"
    rf"{_HOUR_SUFFIX}"
)
_R_NUMBER_AMPM = _rx(
    rf"(?<![\w.:])(?P<h>\d{{1,2}})(?:\s*{_AMPM_STRICT}|\s*o'?clock(?!\w)|(?=\s+(?:rano|wieczorem"
    r"|po\s+poludniu|in\s+the\s+(?:morning|afternoon|evening))))"
)
_R_SPELLED = _rx(
    rf"(?<!\w)(?:(?:o\s+godz(?:inie)?|godzina|o|na|okolo|kolo|об|о|на|близько|at|around|about)"
    rf"\s+(?P<n>{_HOUR})|(?P<n2>{_HOUR})(?=\s*(?:o'?clock|am|pm)(?!\w)))(?!\w)"
    rf"(?:\s+(?P<mm>{_alt(_MINUTE_WORDS)}|\d{{2}})(?!\w)(?!\s*(?:{_MONTH})(?!\w)))?"
    r"(?:\s*(?:o'?clock|(?P<ap>am|pm))(?!\w))?"
)
_R_NOON = _rx(r"(?<!\w)(?:w\s+poludnie|o\s+poludniu|опівдні|в\s+полдень|(?:at\s+)?(?:noon|midday))")
_PARTS = (  # (pattern, start of window or None for day_start, end or None for day_end, pm)
    (
        r"z\s+(?:samego\s+)?rana|rano|rankiem|przed\s*poludniem|do\s+poludnia|вранці|уранці"
        r"|зранку|з\s+ранку|ранку|до\s+обіду|утром|утра|с\s+утра|(?:in\s+the\s+|this\s+)?morning"
        r"|before\s+(?:noon|lunch)",
        None, time(12), False,
    ),
    (
        r"po\s*poludniu|popoludniem|popoludnie|po\s+obiedzie|після\s+обіду|по\s*обіді"
        r"|після\s+полудня|после\s+обеда|днем|(?:in\s+the\s+|this\s+)?afternoon|after\s+lunch",
        time(12), time(17), True,
    ),
    (
        r"wieczorem|pod\s+wieczor|wieczor|ввечері|увечері|вечора|вечером|вечера"
        r"|(?:in\s+the\s+|this\s+)?evening|tonight",
        time(17), None, True,
    ),
)  # fmt: skip
_R_PARTS = [(_rx(rf"(?<!\w)(?:{p})(?!\w)"), s, e, pm) for p, s, e, pm in _PARTS]
_R_RELATIVE = _rx(
    r"(?<!\w)(?:(?:na|on|на)\s+)?(?P<w>pojutrze|післязавтра|послезавтра|(?:the\s+)?day\s+after"
    r"\s+tomorrow|dzisiaj|dzis|сьогодні|сегодня|today|tonight|jutro|завтра|tomorrow)(?!\w)"
)
_R_IN_DAYS = _rx(
    rf"(?<!\w)(?:za|через|in)\s+(?:(?P<n>{_NUM})\s+)?(?P<u>dzien|dni|tydzien|tygodnie|tygodni"
    r"|день|дні|днів|дня|дней|тиждень|тижні|тижнів|неделю|недели|недель|days?|weeks?)(?!\w)"
)
_R_WEEK = _rx(
    r"(?<!\w)(?:(?P<next>w\s+(?:przyszlym|nastepnym|kolejnym)\s+tygodniu|(?:na\s+)?(?:przyszly"
    r"|nastepny)\s+tydzien|наступного\s+тижня|(?:на\s+)?наступному\s+тижні|на\s+наступний"
    r"\s+тиждень|(?:на\s+)?следующей\s+неделе|next\s+week)|(?P<this>w\s+tym\s+tygodniu"
    r"|цього\s+тижня|(?:на\s+)?цьому\s+тижні|на\s+этой\s+неделе|this\s+week))(?!\w)"
)
_MONTH_THIRDS = {  # "na początku grudnia": which third of the month
    "na poczatku": 0, "на початку": 0, "early": 0, "beginning of": 0, "at the beginning of": 0,
    "w polowie": 1, "в середині": 1, "у середині": 1, "mid": 1, "in the middle of": 1,
    "pod koniec": 2, "na koncu": 2, "наприкінці": 2, "в кінці": 2, "у кінці": 2, "late": 2,
    "end of": 2, "at the end of": 2, "poczatek": 0, "polowa": 1, "koniec": 2, "початок": 0,
    "середина": 1, "кінець": 2,
}  # fmt: skip
_R_MONTH = _rx(
    rf"(?<!\w)(?:(?P<part>{_alt(_MONTH_THIRDS)})\s+(?:(?P<g>{_MONTH})|(?P<this>(?:tego\s+)?"
    r"miesiaca|(?:цього\s+)?місяця|(?:the|this)\s+month))"
    rf"|(?:w|we|в|у|in)\s+(?P<l>{_alt(_MONTHS_IN)}))(?!\w)"
)
_R_WEEKDAY = _rx(
    r"(?<!\w)(?:(?:w|we|na|on|в|у|во|на)\s+)?(?P<next>(?:przyszl|nastepn|kolejn|наступн"
    rf"|следующ)\w*\s+|next\s+|this\s+|coming\s+)?(?P<wd>{_WEEKDAY})(?!\w)"
)
_R_BARE_HOUR_AFTER_DAY = _rx(r"\s*,?\s*(?P<h>\d{1,2})(?![\w.:/])(?!\s*\w)")
