"""baresip, a real softphone, calls the bot: keys in Polish (1) and waste (3), records the
bot's audio, and follows the bot's REFER to the waste queue (a SIPp UAS)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from kontakt.runtime import Runtime
from tests.voice.live_bot import free_port, live_bot

pytestmark = pytest.mark.skipif(shutil.which("baresip") is None, reason="baresip is missing")


def softphone(folder: Path, port: int) -> None:
    """baresip's config: audio from a silent file long enough to stay on the line (it hangs
    up when the file ends), no sound card, and a recording of both directions."""
    with wave.open(str(folder / "caller.wav"), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(np.zeros(8000 * 120, np.int16).tobytes())
    (folder / "config").write_text(
        f"sip_listen 127.0.0.1:{port}\nmodule_path /usr/lib/baresip/modules\n"
        "module stdio.so\nmodule g711.so\nmodule aufile.so\nmodule alsa.so\n"
        "module sndfile.so\nmodule_app account.so\nmodule_app menu.so\n"
        f"audio_player alsa,null\naudio_alert alsa,null\naudio_source aufile,{folder}/caller.wav\n"
        f"audio_srate 8000\nsnd_path {folder}\n"
    )
    (folder / "accounts").write_text(f"<sip:caller@127.0.0.1:{port}>;regint=0;audio_codecs=PCMU\n")


async def lines_until(stream: asyncio.StreamReader, needle: bytes, seen: list[bytes]) -> None:
    while needle not in (line := await stream.readline()):
        if not line:
            raise EOFError(b"".join(seen[-20:]).decode(errors="replace"))
        seen.append(line)


def loudness(path: Path) -> float:
    with wave.open(str(path)) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).astype(np.float64)
    return float(np.sqrt(np.mean(pcm**2))) if pcm.size else 0.0


async def test_baresip_is_answered_recorded_and_transferred(
    chat_runtime: Runtime, tmp_path: Path
) -> None:
    queue, phone = free_port(), free_port()
    softphone(tmp_path, phone)
    sipp = await asyncio.create_subprocess_exec(
        "sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(queue), "-m", "1", "-nostdin",
        "-trace_msg", "-message_file", str(tmp_path / "queue.log"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    baresip = None
    seen: list[bytes] = []
    try:
        async with live_bot(chat_runtime, queue_host=f"127.0.0.1:{queue}") as bot:
            baresip = await asyncio.create_subprocess_exec(
                "baresip", "-f", str(tmp_path), cwd=tmp_path,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            )  # fmt: skip
            assert baresip.stdin is not None and baresip.stdout is not None
            baresip.stdin.write(f"/dial sip:bot@127.0.0.1:{bot}\n".encode())
            await asyncio.wait_for(lines_until(baresip.stdout, b"Call established", seen), 20)
            for key in b"13":  # typed ahead: the bot keeps keys pressed during its prompts
                await asyncio.sleep(1.5)
                baresip.stdin.write(bytes([key]))  # a key in a call is sent as RFC 4733 DTMF
            queue_call = f"Call established: sip:queue-waste@127.0.0.1:{queue}".encode()
            await asyncio.wait_for(lines_until(baresip.stdout, queue_call, seen), 90)
            baresip.stdin.write(b"/hangup\n/quit\n")
            assert await asyncio.wait_for(baresip.wait(), 20) == 0
        assert await asyncio.wait_for(sipp.wait(), 20) == 0  # the queue's call ended cleanly
    finally:
        for proc in (baresip, sipp):
            if proc is not None and proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
    # The first call's decoded audio is the bot's: it spoke before the transfer.
    bot_audio = sorted(tmp_path.glob("dump-*-dec.wav"))[0]
    assert loudness(bot_audio) > 300
    assert "INVITE sip:queue-waste@" in (tmp_path / "queue.log").read_text(errors="replace")
