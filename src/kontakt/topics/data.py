"""Training examples for the topic classifier, from content/ only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kontakt.knowledge.content import load_content

LANGS = ("pl", "uk", "en")


@dataclass(frozen=True)
class Example:
    text: str
    topic: str
    lang: str
    source: str  # training | article


class TrainingDataError(Exception):
    pass


def load_examples(content_dir: Path) -> list[Example]:
    """content/training/<lang>/<topic>.txt plus the knowledge base's titles and questions."""
    content = load_content(content_dir)
    topics = content.topic_ids()
    examples: list[Example] = []
    root = content_dir / "training"
    for path in sorted(root.glob("*/*.txt")):
        lang, topic = path.parent.name, path.stem
        if lang not in LANGS:
            raise TrainingDataError(f"{path}: unknown language folder {lang!r}")
        if topic not in topics:
            raise TrainingDataError(f"{path}: unknown topic {topic!r}")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                examples.append(Example(line.strip(), topic, lang, "training"))
    for article in content.articles:
        for lang in LANGS:
            text = article.text(lang)
            if text is not None:
                examples.extend(
                    Example(q, article.topic, lang, "article")
                    for q in (text.title, *text.questions)
                )
    missing = topics - {e.topic for e in examples}
    if missing:
        raise TrainingDataError(f"no training data for topic(s): {', '.join(sorted(missing))}")
    return examples


def data_hash(examples: list[Example]) -> str:
    digest = hashlib.sha256()
    for e in sorted(examples, key=lambda e: (e.topic, e.lang, e.text)):
        digest.update(f"{e.topic}\t{e.lang}\t{e.text}\n".encode())
    return digest.hexdigest()
