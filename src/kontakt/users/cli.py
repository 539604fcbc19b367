"""``kontakt users``: staff accounts."""

from __future__ import annotations

import typer

from kontakt.cli_support import out, run
from kontakt.runtime import Runtime
from kontakt.users.models import ROLES
from kontakt.users.service import create_user

users_app = typer.Typer(no_args_is_help=True, help="Staff accounts.")


@users_app.command("add")
def users_add(
    username: str = typer.Argument(...),
    role: str = typer.Option("agent", help=f"One of: {', '.join(ROLES)}."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="KONTAKT_NEW_PASSWORD",
        help="Asked for when not given (or KONTAKT_NEW_PASSWORD).",
    ),
) -> None:
    """Create a staff account; the password is stored as an argon2id hash."""

    async def work(rt: Runtime) -> None:
        async with rt.transaction() as session:
            await create_user(session, username, password, role, actor="cli", clock=rt.clock)

    run(work)
    out.print(f"created {role} {username}")
