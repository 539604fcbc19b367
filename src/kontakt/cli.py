"""The ``kontakt`` command."""

from __future__ import annotations

import typer

from kontakt.benefits.cli import benefits_app
from kontakt.booking.cli import booking_app
from kontakt.calls.cli import calls_app, campaign_app
from kontakt.capacity.cli import simulate_app
from kontakt.cli_support import err_console, fail, out
from kontakt.config import Settings
from kontakt.demo.cli import demo_app
from kontakt.dialogue.cli import ask
from kontakt.evaluation.cli import eval_app
from kontakt.knowledge.cli import kb_app
from kontakt.reports.cli import report_app
from kontakt.routing.cli import desk_app
from kontakt.topics.cli import classify_command, train_command
from kontakt.users.cli import users_app
from kontakt.voice.cli import voice_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")
app.add_typer(kb_app, name="kb")
app.add_typer(users_app, name="users")
app.add_typer(eval_app, name="eval")
app.add_typer(report_app, name="report")
app.add_typer(booking_app, name="booking")
app.add_typer(benefits_app, name="benefits")
app.add_typer(desk_app, name="desk")
app.add_typer(calls_app, name="calls")
app.add_typer(campaign_app, name="campaign")
app.add_typer(demo_app, name="demo")
app.add_typer(voice_app, name="voice")
app.add_typer(simulate_app, name="simulate")
app.command("ask")(ask)
app.command("train")(train_command)
app.command("classify")(classify_command)


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, help="TCP port (default 8000)."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes."),
    sip_port: int = typer.Option(
        None, help="UDP port of the SIP endpoint (default KONTAKT_SIP_PORT or 5060; 0: off)."
    ),
) -> None:
    """Serve the web app (chat widget, APIs, desk, admin) and the SIP endpoint beside it."""
    import multiprocessing

    import uvicorn

    settings = Settings()
    if sip_port is not None:
        settings = settings.model_copy(update={"sip_port": sip_port})
    voice = None
    if settings.sip_port:
        from kontakt.voice.server import run as run_voice

        # Its own process: SIP dialogs must stay on one process, whatever the web workers.
        # Not a daemon: it runs its own recogniser worker processes, which daemons may not
        # have; the finally below ends it.
        voice = multiprocessing.get_context("spawn").Process(
            target=run_voice, args=(settings,), name="kontakt-voice"
        )
        voice.start()
    try:
        uvicorn.run(
            "kontakt.app:app_from_env",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            proxy_headers=True,
            log_level="info",
        )
    finally:
        if voice is not None:
            voice.terminate()
            voice.join(timeout=10)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Create or migrate the database schema (KONTAKT_DATABASE_URL; default SQLite in var/)."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from kontakt.migrate import upgrade
    from kontakt.runtime import Runtime

    settings = Settings()
    Runtime.build(settings)  # creates var/ for the default SQLite file
    try:
        upgrade(settings.normalized_database_url(), revision)
    except CommandError as exc:
        fail(str(exc))
    except (SQLAlchemyError, OSError) as exc:
        fail(f"cannot migrate the database: {str(exc).splitlines()[0]}")
    out.print(f"database is at revision {revision}")


def main() -> None:
    from pydantic import ValidationError

    try:
        app(standalone_mode=True)
    except ValidationError as exc:
        # A bad KONTAKT_* variable: name it in one line instead of a traceback.
        err = exc.errors()[0]
        name = "KONTAKT_" + "_".join(str(p) for p in err["loc"]).upper()
        err_console.print(
            f"error: {name}: {str(err['msg']).removeprefix('Value error, ')}", markup=False
        )
        raise SystemExit(2) from None
