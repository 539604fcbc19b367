"""``kontakt users``: staff accounts."""

from __future__ import annotations

import typer

from kontakt.cli_support import out, run
from kontakt.runtime import Runtime
from kontakt.users.models import ROLES
from kontakt.users.service import create_user, issue_token

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


@users_app.command("token")
def users_token(
    username: str = typer.Argument(...),
    name: str = typer.Option("integration", help="What the token is for (audit log)."),
) -> None:
    """Issue an API token (Authorization: Bearer …) that acts as this user; shown once."""

    async def work(rt: Runtime) -> str:
        async with rt.transaction() as session:
            return await issue_token(session, username, name, actor="cli", clock=rt.clock)

    out.print(run(work), markup=False)
