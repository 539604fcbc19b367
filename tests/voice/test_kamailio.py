"""One call through Kamailio (Debian's default kamailio.cfg: registrar and record-routing
proxy): the bot registers, a caller dials its AOR at the proxy, and the REFER, NOTIFYs and
BYEs all travel the record-routed path."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from kontakt.runtime import Runtime
from kontakt.voice.caller import place_call
from tests.voice.live_bot import free_port, live_bot, request, until_answered

KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"
CONFIG = Path("/etc/kamailio/kamailio.cfg")
pytestmark = pytest.mark.skipif(
    not Path(KAMAILIO).exists() or not CONFIG.exists(), reason="kamailio (apt kamailio) is missing"
)


async def test_keypad_call_through_kamailio(chat_runtime: Runtime, tmp_path: Path) -> None:
    proxy = free_port()
    log = (tmp_path / "kamailio.log").open("wb")
    kamailio = await asyncio.create_subprocess_exec(
        KAMAILIO, "-f", str(CONFIG), "-l", f"udp:127.0.0.1:{proxy}", "-DD", "-E", "-n", "1",
        "-P", str(tmp_path / "kamailio.pid"), "-Y", str(tmp_path),
        stdout=log, stderr=log,
    )  # fmt: skip
    try:
        async with live_bot(chat_runtime) as bot:
            register = request(
                "REGISTER", f"sip:127.0.0.1:{proxy}",
                Contact=f"<sip:bot@127.0.0.1:{bot}>", Expires="600",
            )  # fmt: skip
            register.set("To", "<sip:bot@127.0.0.1>")
            assert (await until_answered(proxy, register, within_s=20)).status == 200
            result = await place_call(
                f"sip:bot@127.0.0.1:{proxy}", dtmf="13", timeout_s=90, barge_in=True
            )
    finally:
        kamailio.terminate()
        await kamailio.wait()
        log.close()
    assert result.outcome == "transferred", result.line()
    assert result.refer_headers["X-Kontakt-Queue"] == "waste"
    assert result.refer_to == "<sip:queue-waste@127.0.0.1:5090>"
    # The REFER came through the proxy: its Via on top, and the bot's below.
    vias = result.refer.get_all("Via") if result.refer else []
    assert [f":{proxy}" in vias[0], f":{bot}" in vias[1]] == [True, True], vias
