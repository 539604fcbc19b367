"""Reading labelled JSONL datasets strictly: a malformed line is an error naming the line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class DatasetError(Exception):
    pass


@dataclass(frozen=True)
class FaqItem:
    question: str
    lang: str
    topic: str
    article_id: str | None


def json_lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``path:line``, object) for every non-blank line; any malformed line is an error."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not valid UTF-8") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise DatasetError(f"{where}: expected a JSON object")
        yield where, obj


def read_faq(path: Path, topics: set[str], articles: set[str] | None = None) -> list[FaqItem]:
    """Lines of {"question", "lang", "topic", optional "article_id"}."""
    items: list[FaqItem] = []
    for where, obj in json_lines(path):
        question, lang, topic = obj.get("question"), obj.get("lang"), obj.get("topic")
        if not isinstance(question, str) or not question.strip():
            raise DatasetError(f"{where}: 'question' must be a non-empty string")
        if lang not in ("pl", "uk", "en", "ru"):
            raise DatasetError(f"{where}: 'lang' must be one of pl, uk, en, ru")
        if not isinstance(topic, str) or topic not in topics:
            raise DatasetError(f"{where}: unknown topic {topic!r}")
        article_id = obj.get("article_id")
        if article_id is not None and not isinstance(article_id, str):
            raise DatasetError(f"{where}: 'article_id' must be a string")
        if article_id is not None and articles is not None and article_id not in articles:
            raise DatasetError(f"{where}: unknown article {article_id!r}")
        unknown = set(obj) - {"question", "lang", "topic", "article_id"}
        if unknown:
            raise DatasetError(f"{where}: unexpected field {sorted(unknown)[0]!r}")
        items.append(FaqItem(question, lang, topic, article_id))
    if not items:
        raise DatasetError(f"{path}: the dataset is empty")
    return items


def read_questions(path: Path) -> list[tuple[str, str]]:
    """Lines of {"question", "lang"} (used for out-of-scope questions)."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out.append((str(obj["question"]), str(obj["lang"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DatasetError(f'{path}:{n}: expected {{"question", "lang"}}') from exc
    return out


def read_topics(path: Path, topics: set[str]) -> list[tuple[str, str, str]]:
    """Lines of {"text", "topic", "lang"} for ``kontakt eval topics``."""
    rows = []
    for where, obj in json_lines(path):
        if not isinstance(obj.get("text"), str) or not obj["text"].strip():
            raise DatasetError(f"{where}: 'text' must be a non-empty string")
        if obj.get("topic") not in topics:
            raise DatasetError(f"{where}: unknown topic {obj.get('topic')!r}")
        if obj.get("lang") not in ("pl", "uk", "en", "ru"):
            raise DatasetError(f"{where}: 'lang' must be one of pl, uk, en, ru")
        rows.append((obj["text"], obj["topic"], obj["lang"]))
    if not rows:
        raise DatasetError(f"{path}: the dataset is empty")
    return rows
