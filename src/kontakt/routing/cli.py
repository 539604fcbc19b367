"""``kontakt desk``: load the queues and set up agents' desk profiles."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

from kontakt.cli_support import CliError, out, run
from kontakt.routing.catalog import LANGS, QueueDoc, import_queues, load_queues
from kontakt.routing.service import Desk
from kontakt.runtime import Runtime
from kontakt.users.models import User

desk_app = typer.Typer(no_args_is_help=True, help="The brokers' desk.")


async def _load(directory: Path) -> list[QueueDoc]:
    return load_queues(directory)


@desk_app.command("check")
def check(directory: Path = typer.Argument(Path("content"))) -> None:
    """Validate queues.yaml against the topics."""
    docs = run(lambda _rt: _load(directory), migrated=False)
    out.print(f"ok: {len(docs)} queues, {sum(len(d.topics) for d in docs)} topics")


@desk_app.command("import")
def import_(directory: Path = typer.Argument(Path("content"))) -> None:
    """Make the queues match queues.yaml."""

    async def work(rt: Runtime) -> int:
        docs = load_queues(directory)
        async with rt.transaction() as session:
            return await import_queues(session, docs)

    out.print(f"imported {run(work)} queues")


@desk_app.command("agent")
def agent(
    username: str = typer.Argument(..., help="A staff user (kontakt users add)."),
    queues: str = typer.Option("", help="Comma-separated queue ids; empty: all queues."),
    languages: str = typer.Option("pl", help="Comma-separated: pl,uk,en."),
    name: str = typer.Option("", help="The name residents see."),
) -> None:
    """Set which queues and languages a staff member answers."""
    langs = [x.strip() for x in languages.split(",") if x.strip()]

    async def work(rt: Runtime) -> str:
        if not langs or not set(langs) <= set(LANGS):
            raise CliError(f"languages must be among {', '.join(LANGS)}")
        async with rt.transaction() as session:
            user = (await session.scalars(select(User).where(User.username == username))).first()
            if user is None:
                raise CliError(f"no user {username!r}")
            desk = Desk(session, rt.clock)
            known = [q.id for q in await desk.queues()]
            chosen = [x.strip() for x in queues.split(",") if x.strip()] or known
            unknown = sorted(set(chosen) - set(known))
            if unknown:
                raise CliError(f"unknown queue {unknown[0]!r}")
            profile = await desk.agent(user.id, name or username)
            profile.queues, profile.languages = chosen, langs
            if name:
                profile.display_name = name
            return f"{username}: queues {', '.join(chosen)}; languages {', '.join(langs)}"

    out.print(run(work))
