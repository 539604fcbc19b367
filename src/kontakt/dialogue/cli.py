"""``kontakt ask``: one question to the chatbot from the command line."""

from __future__ import annotations

from typing import Any

import typer

from kontakt.cli_support import CliError, out, run
from kontakt.conversations import chat
from kontakt.runtime import Runtime


def ask(
    question: str = typer.Argument(..., help="The question, as a resident would type it."),
    lang: str = typer.Option(None, "--lang", help="Answer in pl, uk or en (default: detected)."),
) -> None:
    """Ask the chatbot and print its answer and citation."""
    if lang is not None and lang not in ("pl", "uk", "en"):
        raise typer.BadParameter("choose pl, uk or en", param_hint="--lang")
    if not question.strip():
        raise typer.BadParameter("the question is empty")
    if len(question) > 2000:
        raise typer.BadParameter("the question is longer than 2000 characters")

    async def work(rt: Runtime) -> dict[str, Any]:
        conv, _ = await chat.start(rt, language=lang or "pl", page="", channel="cli")
        if lang:
            await chat.choose_language(rt, conv.id, lang)
        try:
            return await chat.send(rt, conv.id, question)
        except chat.ChatError as exc:
            raise CliError(exc.detail) from exc

    outcome = run(work)
    out.print(outcome["text"], markup=False)
    if outcome.get("note"):
        out.print(f"({outcome['note']})", markup=False)
    for s in outcome.get("suggestions", []):
        out.print(f"  ? {s['label']}  [{s['article_id']}]", markup=False)
    for c in outcome.get("citations", []):
        out.print(f"-- {c['title']} [{c['article_id']}] {c['url']}", markup=False)
    for a in outcome.get("actions", []):
        if a["kind"] == "call":
            out.print(f"-> {a['label']}", markup=False)
