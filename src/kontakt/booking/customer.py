"""The resident's details on a booking, checked before anything is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as pesel_check

_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,24}$")
# Letters of any script, spaces, hyphens and apostrophes: names like "Anna Nowak-Kowalska",
# "O'Neill", "Олена Коваленко".
_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ \-'’.])*[^\W\d_.]$")


class InvalidCustomer(ValueError):
    """``field`` names what is wrong; ``str()`` is one plain line."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Customer:
    name: str
    phone: str = ""  # E.164
    email: str = ""
    pesel: str = ""


def normalize_phone(raw: str, lang: str = "pl") -> str:
    """E.164 form of a Polish (or, for Ukrainian speakers, Ukrainian) number; raises."""
    text = raw.strip()
    regions = ("PL", "UA") if lang in ("uk", "ru") else ("PL",)
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidCustomer("phone", "this is not a valid phone number")


def find_phone(text: str, lang: str = "pl") -> str | None:
    """The first valid phone number inside a sentence ("mój numer to 601 234 567")."""
    regions = ("PL", "UA") if lang in ("uk", "ru") else ("PL",)
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def validate_customer(
    name: str, phone: str = "", email: str = "", pesel: str = "", *, lang: str = "pl"
) -> Customer:
    clean_name = " ".join(name.split())
    if not 2 <= len(clean_name) <= 200 or not _NAME.match(clean_name):
        raise InvalidCustomer("name", "give a first name and a last name, letters only")
    clean_phone = normalize_phone(phone, lang) if phone.strip() else ""
    clean_email = email.strip()
    if clean_email and not _EMAIL.match(clean_email):
        raise InvalidCustomer("email", "this is not a valid e-mail address")
    if not clean_phone and not clean_email:
        raise InvalidCustomer("phone", "give a phone number or an e-mail address")
    clean_pesel = "".join(pesel.split())
    if clean_pesel:
        try:
            clean_pesel = pesel_check.validate(clean_pesel)
        except StdnumError as exc:
            raise InvalidCustomer("pesel", "this PESEL number is not valid") from exc
    return Customer(clean_name, clean_phone, clean_email, clean_pesel)


def phone_matches(stored: str, digits: str) -> bool:
    """Whether ``digits`` are the last digits (at least 3) of the stored phone number."""
    tail = re.sub(r"\D", "", digits)
    return len(tail) >= 3 and bool(stored) and re.sub(r"\D", "", stored).endswith(tail)
