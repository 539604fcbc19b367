"""Read and write the ``content/`` folder: topics.yaml, units.yaml and articles/<topic>/<id>.yaml.

Pure file work with no database, so the CLI can check content before touching anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kontakt.knowledge import yamlfmt
from kontakt.knowledge.documents import ArticleDoc, TopicDoc, UnitDoc

MAX_FILE_BYTES = 256 * 1024

M = TypeVar("M", bound=BaseModel)


class ContentError(Exception):
    """A content file is malformed. ``str()`` is one line naming the file and the field."""

    def __init__(self, path: Path | str, message: str, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        self.message = message
        where = f"{self.path}: field '{field}'" if field else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass
class ContentSet:
    topics: list[TopicDoc]
    units: list[UnitDoc]
    articles: list[ArticleDoc] = field(default_factory=list)

    def topic_ids(self) -> set[str]:
        return {t.id for t in self.topics}


def _first_error(path: Path, exc: ValidationError, prefix: str = "") -> ContentError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-after"))
    msg = err["msg"].removeprefix("Value error, ")
    return ContentError(path, msg, field=(prefix + loc) if (prefix + loc) else None)


def read_yaml(path: Path) -> Any:
    """A content file's YAML; size, encoding and syntax problems are one-line ContentErrors."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContentError(path, f"cannot read: {exc.strerror}") from exc
    if size > MAX_FILE_BYTES:
        raise ContentError(path, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, "not valid UTF-8") from exc
    try:
        return yamlfmt.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ContentError(path, f"{problem}{line}") from exc


def _parse_list(path: Path, model: type[M]) -> list[M]:
    data = read_yaml(path)
    if not isinstance(data, list):
        raise ContentError(path, "expected a list of entries")
    items: list[M] = []
    for i, entry in enumerate(data):
        try:
            items.append(model.model_validate(entry))
        except ValidationError as exc:
            raise _first_error(path, exc, prefix=f"[{i}].") from exc
    ids = [getattr(item, "id") for item in items]  # noqa: B009 - every taxonomy model has an id
    dup = {x for x in ids if ids.count(x) > 1}
    if dup:
        raise ContentError(path, f"duplicate id {sorted(dup)[0]!r}", field="id")
    return items


def parse_article(path: Path, topics: set[str], units: set[str]) -> ArticleDoc:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(path, "expected a mapping of article fields")
    try:
        doc = ArticleDoc.model_validate(data)
    except ValidationError as exc:
        raise _first_error(path, exc) from exc
    if doc.id != path.stem:
        raise ContentError(path, f"id {doc.id!r} differs from the file name", field="id")
    if doc.topic not in topics:
        raise ContentError(path, f"unknown topic {doc.topic!r}", field="topic")
    if doc.topic != path.parent.name:
        raise ContentError(
            path, f"topic {doc.topic!r} but the file is in {path.parent.name}/", field="topic"
        )
    if doc.unit not in units:
        raise ContentError(path, f"unknown unit {doc.unit!r}", field="unit")
    return doc


def article_paths(root: Path) -> list[Path]:
    return sorted((root / "articles").glob("*/*.yaml"))


def load_taxonomy(root: Path) -> ContentSet:
    for name in ("topics.yaml", "units.yaml"):
        if not (root / name).is_file():
            raise ContentError(root / name, "missing")
    topics = _parse_list(root / "topics.yaml", TopicDoc)
    units = _parse_list(root / "units.yaml", UnitDoc)
    unit_ids = {u.id for u in units}
    for i, topic in enumerate(topics):
        for unit in topic.units:
            if unit not in unit_ids:
                raise ContentError(
                    root / "topics.yaml", f"unknown unit {unit!r}", field=f"[{i}].units"
                )
    return ContentSet(topics=topics, units=units)


def load_content(root: Path, on_file: Callable[[Path], None] | None = None) -> ContentSet:
    """Load and validate everything under ``root``; raise ContentError at the first problem."""
    if not root.is_dir():
        raise ContentError(root, "not a directory")
    content = load_taxonomy(root)
    topic_ids = content.topic_ids()
    unit_ids = {u.id for u in content.units}
    seen: dict[str, Path] = {}
    for path in article_paths(root):
        doc = parse_article(path, topic_ids, unit_ids)
        if doc.id in seen:
            raise ContentError(path, f"id {doc.id!r} is also used by {seen[doc.id]}", field="id")
        seen[doc.id] = path
        content.articles.append(doc)
        if on_file is not None:
            on_file(path)
    return content


def article_text(doc: ArticleDoc) -> str:
    return yamlfmt.dump(doc.model_dump(mode="python", exclude_none=True))


def article_hash(doc: ArticleDoc) -> str:
    return hashlib.sha256(article_text(doc).encode("utf-8")).hexdigest()


def taxonomy_text(items: Iterable[BaseModel]) -> str:
    return yamlfmt.dump([item.model_dump(mode="python", exclude_none=True) for item in items])


def write_content(root: Path, content: ContentSet) -> None:
    """Write ``content`` under ``root`` in canonical form, replacing articles found there."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "topics.yaml").write_text(taxonomy_text(content.topics), encoding="utf-8")
    (root / "units.yaml").write_text(taxonomy_text(content.units), encoding="utf-8")
    wanted = {root / "articles" / d.topic / f"{d.id}.yaml" for d in content.articles}
    for stale in article_paths(root):
        if stale not in wanted:
            stale.unlink()
    for doc in content.articles:
        path = root / "articles" / doc.topic / f"{doc.id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_text(doc), encoding="utf-8")
