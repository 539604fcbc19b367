"""The admin edit form <-> ArticleDoc. Field names are flat (``pl_title``) for plain HTML forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from kontakt.knowledge.documents import LANGS, ArticleDoc

TEXT_FIELDS = ("title", "questions", "answer", "speakable")


def form_from_doc(doc: ArticleDoc) -> dict[str, str]:
    form = {
        "topic": doc.topic,
        "unit": doc.unit,
        "source_title": doc.source.title,
        "source_url": doc.source.url,
        "valid_from": doc.valid_from.isoformat(),
        "valid_to": doc.valid_to.isoformat() if doc.valid_to else "",
        "updated": doc.updated.isoformat(),
    }
    for lang in LANGS:
        text = doc.text(lang)
        form[f"{lang}_title"] = text.title if text else ""
        form[f"{lang}_questions"] = "\n".join(text.questions) if text else ""
        form[f"{lang}_answer"] = text.answer if text else ""
        form[f"{lang}_speakable"] = text.speakable if text else ""
    return form


def doc_from_form(article_id: str, form: Mapping[str, str]) -> tuple[ArticleDoc | None, list[str]]:
    """Build a document from submitted fields; on failure return readable error lines."""
    data: dict[str, Any] = {
        "id": article_id,
        "topic": form.get("topic", ""),
        "unit": form.get("unit", ""),
        "source": {"title": form.get("source_title", ""), "url": form.get("source_url", "")},
        "valid_from": form.get("valid_from", ""),
        "updated": form.get("updated", ""),
    }
    if form.get("valid_to", "").strip():
        data["valid_to"] = form["valid_to"].strip()
    for lang in LANGS:
        values = {f: form.get(f"{lang}_{f}", "").strip() for f in TEXT_FIELDS}
        if lang != "pl" and not any(values.values()):
            continue
        data[lang] = {
            "title": values["title"],
            "questions": [q.strip() for q in values["questions"].splitlines() if q.strip()],
            "answer": values["answer"],
            "speakable": values["speakable"],
        }
    try:
        return ArticleDoc.model_validate(data, strict=False), []
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-after"))
            errors.append(f"{loc or 'article'}: {err['msg'].removeprefix('Value error, ')}")
        return None, errors
