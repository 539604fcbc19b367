"""Text messages: the SmsGateway contract, its SMSAPI.pl adapter, and GSM-7 length rules."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

import httpx

from kontakt.booking.notices import DeliveryError

# The GSM 03.38 default alphabet (one septet each) and its extension table (two septets each:
# escape + char). Texts made only of these travel as GSM-7, anything else forces UCS-2.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

# Letters that NFKD does not decompose, and typography that would otherwise force UCS-2.
_ASCII_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "–": "-", "—": "-", "„": '"', "”": '"', "“": '"', "’": "'", "…": "..."}
)
_LONG_DIGITS = re.compile(r"\+?\d{6,}")


def fold_diacritics(text: str) -> str:
    """``"Wydział Spraw Obywatelskich – Łazarz"`` -> ``"Wydzial Spraw Obywatelskich - Lazarz"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def sms_segments(text: str) -> int:
    """How many messages the network bills for ``text`` (concatenated parts lose a header)."""
    if is_gsm7(text):
        units, single, part = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text), 160, 153
    else:
        units, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    if units <= single:
        return 1
    return -(-units // part)


class SmsGateway(Protocol):
    async def send(self, phone: str, text: str) -> str:
        """Send ``text`` to an E.164 number; the gateway's message id, or DeliveryError."""
        ...


class SmsApiGateway:
    """SMSAPI.pl over its HTTP API (``POST /sms.do``, bearer token, JSON replies).

    Pass ``client`` to reuse one connection pool; otherwise each message opens its own.
    """

    def __init__(
        self,
        *,
        token: str,
        base_url: str = "https://api.smsapi.pl",
        sender: str = "",
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/sms.do"
        self._token = token
        self._sender = sender
        self._timeout = timeout
        self._client = client

    async def send(self, phone: str, text: str) -> str:
        to = phone.strip().removeprefix("+").replace(" ", "")
        if not to.isdigit():
            raise DeliveryError("SMSAPI: the phone number is not in E.164 form")
        form = {"to": to, "message": text, "format": "json", "encoding": "utf-8"}
        if self._sender:
            form["from"] = self._sender
        try:
            if self._client is not None:
                response = await self._post(self._client, form)
            else:
                async with httpx.AsyncClient() as client:
                    response = await self._post(client, form)
        except httpx.TimeoutException:
            raise DeliveryError(f"SMSAPI: no answer within {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMSAPI: {type(exc).__name__}: {_one_line(exc)}") from None
        return _message_id(response)

    async def _post(self, client: httpx.AsyncClient, form: dict[str, str]) -> httpx.Response:
        return await client.post(
            self._url,
            data=form,
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=self._timeout,
        )


def _message_id(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        raise DeliveryError(f"SMSAPI: HTTP {response.status_code}, not a JSON reply") from None
    if not isinstance(body, dict):
        raise DeliveryError(f"SMSAPI: HTTP {response.status_code}, unexpected reply")
    # Errors arrive with HTTP 200 as well as 4xx, so the body decides, not the status.
    if "error" in body:
        message = _LONG_DIGITS.sub("…", str(body.get("message", "")))
        raise DeliveryError(f"SMSAPI error {body['error']}: {message}".strip())
    items = body.get("list")
    if response.is_error or not isinstance(items, list) or not items:
        raise DeliveryError(f"SMSAPI: HTTP {response.status_code}, no message accepted")
    first = items[0]
    if not isinstance(first, dict) or not first.get("id"):
        raise DeliveryError("SMSAPI: reply without a message id")
    return str(first["id"])


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else "no detail"
