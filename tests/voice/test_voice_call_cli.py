"""`kontakt voice call` as a user runs it: a subprocess calling the running bot."""

from __future__ import annotations

import asyncio
import os
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from kontakt.runtime import Runtime
from kontakt.voice.caller import CallerError, place_call, steps_of
from kontakt.voice.sip.endpoint import SipEndpoint
from tests.voice.live_bot import free_port, live_bot


async def kontakt_voice_call(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kontakt", "voice", "call", *args,
        env={**os.environ, "COLUMNS": "200"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_call_by_keypad_is_transferred_and_recorded(
    chat_runtime: Runtime, tmp_path: Path
) -> None:
    recording = tmp_path / "bot.wav"
    async with live_bot(chat_runtime) as port:
        code, out, err = await kontakt_voice_call(
            "--to", f"sip:bot@127.0.0.1:{port}", "--dtmf", "13", "--transport", "tcp",
            "--record", str(recording), "--timeout", "90", "--barge-in",
        )  # fmt: skip
    assert code == 0, err
    assert out.startswith("transferred queue=waste topic=") and out.endswith(" method=keypad\n")
    with wave.open(str(recording)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
    assert wav.getframerate() == 8000 and np.abs(pcm).max() > 1000  # the bot's prompts


async def test_bad_target_and_no_answer() -> None:
    code, out, err = await kontakt_voice_call("--to", "http://127.0.0.1:5060")
    assert (code, out) == (2, "")
    assert err == "error: not a SIP URI like sip:bot@127.0.0.1:5060: 'http://127.0.0.1:5060'\n"
    nobody = free_port()
    code, out, _ = await kontakt_voice_call("--to", f"sip:127.0.0.1:{nobody}", "--timeout", "2")
    assert (code, out) == (1, "no answer\n")


async def test_a_busy_bot_is_a_rejection() -> None:
    busy = SipEndpoint("127.0.0.1", 0, max_calls=0)
    await busy.start()
    try:
        result = await place_call(f"sip:bot@127.0.0.1:{busy.port}", timeout_s=5)
    finally:
        await busy.stop()
    assert result.line() == "rejected 486 Busy Here"


def test_key_steps_one_per_prompt_and_numbers_in_one_go() -> None:
    assert steps_of("1[601234567#]_?", "wywóz śmieci") == [
        ("key", "1"), ("keys", "601234567#"), ("speech", "wywóz śmieci"), ("answer", "?"),
    ]  # fmt: skip
    assert steps_of("13", "tak") == [("key", "1"), ("key", "3"), ("speech", "tak")]
    for bad in ("1[23", "1[]", "1[2_]", "]1[", "[[1]]", "1x"):
        with pytest.raises(CallerError):
            steps_of(bad, "tak")


async def test_bad_key_steps_are_one_line() -> None:
    code, out, err = await kontakt_voice_call("--dtmf", "1[23", "--timeout", "2")
    assert (code, out) == (2, "")
    assert err == 'error: brackets hold keys typed in one go, e.g. "1[601234567#]"\n'
