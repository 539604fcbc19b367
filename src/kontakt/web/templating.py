"""Jinja2 environment shared by server-rendered pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def make_templates() -> Jinja2Templates:
    # autoescape is on for .html: text from residents and editors is rendered inert.
    return Jinja2Templates(directory=str(TEMPLATES))


def render(
    request: Request, template: str, context: dict[str, object], status_code: int = 200
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response
