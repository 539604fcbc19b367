"""Shared plumbing for CLI commands: run async work, and turn known errors into one line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from rich.console import Console

from kontakt.config import Settings
from kontakt.runtime import Runtime

T = TypeVar("T")

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


class CliError(Exception):
    """An error whose message is shown to the user as one plain line (exit code 2)."""


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def run(work: Callable[[Runtime], Awaitable[T]], *, migrated: bool = True) -> T:
    """Build a runtime, run ``work`` and dispose of it; expected errors become one line."""
    from kontakt.booking.service import BookingError
    from kontakt.knowledge.content import ContentError
    from kontakt.knowledge.service import KnowledgeError
    from kontakt.runtime import NotMigrated
    from kontakt.users.service import UserError

    async def main() -> T:
        runtime = Runtime.build(Settings())
        try:
            if migrated:
                await runtime.ensure_migrated()
            return await work(runtime)
        finally:
            await runtime.close()

    try:
        return asyncio.run(main())
    except (ContentError, KnowledgeError, UserError, NotMigrated, CliError, BookingError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "))
