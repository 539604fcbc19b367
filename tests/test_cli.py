"""The kontakt command as a user runs it: a subprocess with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CONTENT


def kontakt(
    *args: str,
    db: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "KONTAKT_DATABASE_URL": f"sqlite:///{db}",
        "KONTAKT_VAR_DIR": str(cwd / "var"),
        "COLUMNS": "200",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "kontakt", *args],
        cwd=cwd,
        env=environ,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_import_twice_then_edit_one_file(tmp_path: Path, content_copy: Path) -> None:
    db = tmp_path / "k.db"
    assert kontakt("db", "upgrade", db=db, cwd=tmp_path).returncode == 0
    first = kontakt("kb", "import", "--skip-vectors", str(content_copy), db=db, cwd=tmp_path)
    second = kontakt("kb", "import", "--skip-vectors", str(content_copy), db=db, cwd=tmp_path)
    path = content_copy / "articles/citizen_affairs/zameldowanie.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("bezpłatne", "darmowe", 1), encoding="utf-8"
    )
    third = kontakt("kb", "import", "--skip-vectors", str(content_copy), db=db, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert second.stdout.strip().splitlines()[-1].startswith("added 0, changed 0, removed 0,")
    assert third.stdout.strip().splitlines()[-1].startswith("added 0, changed 1, removed 0,")
    assert "changed  zameldowanie" in third.stdout


def test_malformed_file_is_one_line_and_exit_2(tmp_path: Path, content_copy: Path) -> None:
    db = tmp_path / "k.db"
    kontakt("db", "upgrade", db=db, cwd=tmp_path)
    bad = content_copy / "articles/waste/zly.yaml"
    bad.write_text("id: zly\ntopic: waste\nunit: bpk\n", encoding="utf-8")
    result = kontakt("kb", "import", "--skip-vectors", str(content_copy), db=db, cwd=tmp_path)
    listing = kontakt("kb", "stats", db=db, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {bad}: field 'source': Field required"]
    assert "Traceback" not in result.stderr
    assert "articles in all of pl, uk and en: 0" in listing.stdout


def test_commands_before_migration_say_what_to_do(tmp_path: Path) -> None:
    result = kontakt("kb", "stats", db=tmp_path / "new.db", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: the database has no kontakt tables yet; run: kontakt db upgrade"
    )


def test_export_show_and_stats(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    kontakt("db", "upgrade", db=db, cwd=tmp_path)
    kontakt("kb", "import", "--skip-vectors", str(CONTENT), db=db, cwd=tmp_path)
    export = kontakt("kb", "export", str(tmp_path / "out"), db=db, cwd=tmp_path)
    show = kontakt("kb", "show", "zameldowanie", db=db, cwd=tmp_path)
    missing = kontakt("kb", "show", "nie-ma-takiego", db=db, cwd=tmp_path)
    assert export.returncode == 0
    assert (tmp_path / "out/articles/citizen_affairs/zameldowanie.yaml").read_bytes() == (
        CONTENT / "articles/citizen_affairs/zameldowanie.yaml"
    ).read_bytes()
    assert show.stdout.startswith("id: zameldowanie\n")
    assert "# v1 import" in show.stdout
    assert missing.returncode == 2
    assert missing.stderr.strip() == "error: no article with id 'nie-ma-takiego'"


def test_users_add_rejects_short_password(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    kontakt("db", "upgrade", db=db, cwd=tmp_path)
    short = kontakt(
        "users",
        "add",
        "ola",
        "--role",
        "admin",
        db=db,
        cwd=tmp_path,
        env={"KONTAKT_NEW_PASSWORD": "krotkie"},
    )
    ok = kontakt(
        "users",
        "add",
        "ola",
        "--role",
        "admin",
        db=db,
        cwd=tmp_path,
        env={"KONTAKT_NEW_PASSWORD": "dlugie-haslo-123"},
    )
    assert short.returncode == 2
    assert short.stderr.strip() == "error: password must have at least 10 characters"
    assert ok.stdout.strip() == "created admin ola"


def test_eval_topics_rejects_a_malformed_dataset(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"text": "gdzie oddać śmieci", "topic": "smieci", "lang": "pl"}\n', encoding="utf-8"
    )
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "x", "topic": "waste"\n', encoding="utf-8")
    env = {"KONTAKT_CONTENT_DIR": str(CONTENT)}
    unknown = kontakt(
        "eval", "topics", "--dataset", str(bad), db=tmp_path / "k.db", cwd=tmp_path, env=env
    )
    malformed = kontakt(
        "eval", "topics", "--dataset", str(broken), db=tmp_path / "k.db", cwd=tmp_path, env=env
    )
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2,
        f"error: {bad}:1: unknown topic 'smieci'",
    )
    assert malformed.returncode == 2
    assert malformed.stderr.startswith(f"error: {broken}:1: not valid JSON")


def test_eval_faq_rejects_a_malformed_dataset(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    kontakt("db", "upgrade", db=db, cwd=tmp_path)
    kontakt("kb", "import", "--skip-vectors", str(CONTENT), db=db, cwd=tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"question": "gdzie oddać śmieci", "lang": "xx", "topic": "waste"}\n', encoding="utf-8"
    )
    result = kontakt("eval", "faq", "--dataset", str(bad), db=db, cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (
        2,
        f"error: {bad}:1: 'lang' must be one of pl, uk, en, ru",
    )


def test_booking_catalog_commands(tmp_path: Path, content_copy: Path) -> None:
    db = tmp_path / "k.db"
    kontakt("db", "upgrade", db=db, cwd=tmp_path)
    kontakt("kb", "import", "--skip-vectors", str(content_copy), db=db, cwd=tmp_path)
    check = kontakt("booking", "check", str(content_copy), db=db, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("ok: 8 units, 12 services")
    imported = kontakt("booking", "import", str(content_copy), db=db, cwd=tmp_path)
    assert imported.stdout.strip() == "imported 8 units and 12 services"
    closed = kontakt("booking", "close", "wsoiuk-libelta", "2026-12-31", db=db, cwd=tmp_path)
    assert closed.returncode == 0, closed.stderr
    listed = kontakt("booking", "closures", db=db, cwd=tmp_path)
    assert "2026-12-31  wsoiuk-libelta" in listed.stdout
    unknown = kontakt("booking", "close", "nowhere", "2026-12-31", db=db, cwd=tmp_path)
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "error: no unit 'nowhere'")

    services = content_copy / "services.yaml"
    services.write_text(
        services.read_text(encoding="utf-8").replace("capacity: 4", "capacity: 0", 1),
        encoding="utf-8",
    )
    bad = kontakt("booking", "check", str(content_copy), db=db, cwd=tmp_path)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "services.yaml: field 'services.0.capacity'" in bad.stderr
