"""The two things a caller proves who they are with: the case number and the PESEL.

The PESEL is never stored. The schedule keeps ``pesel_digest``: an HMAC-SHA256 keyed with a
sub-key of the installation's secret. A plain hash would not protect anything, because
PESELs are few enough (a birth date and four more digits) to hash them all in an afternoon;
without the key nobody can test a guess against the table.

Case numbers are kept as the benefits centre writes them ("ŚR.5230.12.2026"), tidied up, and
also as their digits alone (``case_key``): a phone has no letters or slashes, so a caller
keys the digits in order and the lookup compares those.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as stdnum_pesel

PESEL_LEN = 11
CASE_MAX_LEN = 40
CASE_MAX_DIGITS = 20
# Letters (Polish ones too) and digits, in groups joined by one of / . - _
_CASE = re.compile(r"^[^\W_]+(?:[/.\-_][^\W_]+)*$")
# Keeps the PESEL hashes of this feature apart from any other use of the secret key.
_DIGEST_LABEL = b"kontakt/benefits/pesel-v1"


class InvalidPesel(ValueError):
    """``str()`` says what is wrong in one plain line, without repeating the number."""


class InvalidCaseNumber(ValueError):
    pass


def check_pesel(raw: str) -> str:
    """The 11 digits of a valid PESEL (checksum and birth date checked); raises InvalidPesel."""
    digits = "".join(raw.split())
    try:
        return str(stdnum_pesel.validate(digits))
    except InvalidLength:
        hint = " (a spreadsheet may have dropped a leading zero)" if len(digits) == 10 else ""
        raise InvalidPesel(f"the PESEL must have 11 digits{hint}") from None
    except InvalidFormat:
        raise InvalidPesel("the PESEL must have digits only") from None
    except InvalidChecksum:
        raise InvalidPesel("the PESEL has a wrong check digit") from None
    except InvalidComponent:
        raise InvalidPesel("the PESEL holds an impossible birth date") from None
    except StdnumError:
        raise InvalidPesel("the PESEL is not valid") from None


def pesel_digest(pesel: str, secret: str) -> str:
    """The keyed hash stored instead of a (valid, normalised) PESEL; 64 hex characters."""
    key = hmac.new(secret.encode(), _DIGEST_LABEL, hashlib.sha256).digest()
    return hmac.new(key, pesel.encode("ascii"), hashlib.sha256).hexdigest()


def normalize_case_number(raw: str) -> str:
    """The case number as written, upper-cased and without spaces; raises InvalidCaseNumber."""
    text = "".join(raw.split()).upper()
    if not text:
        raise InvalidCaseNumber("the case number is empty")
    if len(text) > CASE_MAX_LEN or not _CASE.match(text):
        raise InvalidCaseNumber(
            "the case number must be letters and digits in groups joined by / . - or _"
            f" (at most {CASE_MAX_LEN} characters)"
        )
    digits = case_key(text)
    if not digits:
        raise InvalidCaseNumber("the case number has no digits, so it cannot be keyed in")
    if len(digits) > CASE_MAX_DIGITS:
        raise InvalidCaseNumber(f"the case number has more than {CASE_MAX_DIGITS} digits")
    return text


def case_key(case_number: str) -> str:
    """The digits of a case number in order: what a caller keys on the phone."""
    return "".join(ch for ch in case_number if ch.isascii() and ch.isdigit())
