"""``kontakt eval topics``: accuracy and macro-F1 per language, and the most confused pairs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from kontakt.cli_support import fail, out
from kontakt.config import Settings
from kontakt.evaluation.datasets import DatasetError, read_topics
from kontakt.knowledge.content import ContentError, load_taxonomy
from kontakt.topics.cli import load_latest


def eval_topics(
    dataset: Path = typer.Option(..., "--dataset", help="JSONL lines of {text, topic, lang}."),
) -> None:
    """Accuracy and macro-F1 per language; last line accuracy=<float>; exit 0 whatever it is."""
    from sklearn.metrics import accuracy_score, f1_score

    settings = Settings()
    try:
        topics = {t.id for t in load_taxonomy(settings.content_dir).topics}
        rows = read_topics(dataset, topics)
    except (DatasetError, ContentError) as exc:
        fail(str(exc))
    model = load_latest(settings)
    preds = [p.topic for p in model.engine.predict([r[0] for r in rows])]
    gold = [r[1] for r in rows]
    out.print(f"{'lang':6}{'n':>6}{'accuracy':>10}{'macro-F1':>10}")
    for lang in [*sorted({r[2] for r in rows}), "all"]:
        idx = [i for i, r in enumerate(rows) if lang in ("all", r[2])]
        g, p = [gold[i] for i in idx], [preds[i] for i in idx]
        out.print(
            f"{lang:6}{len(idx):>6}{accuracy_score(g, p):>10.3f}"
            f"{f1_score(g, p, average='macro'):>10.3f}"
        )
    confused = Counter((g, p) for g, p in zip(gold, preds, strict=True) if g != p)
    if confused:
        out.print("most confused (gold -> predicted):")
        for (want, got), n in confused.most_common(5):
            out.print(f"  {n:4}  {want} -> {got}")
    out.print(f"accuracy={accuracy_score(gold, preds):.4f}")
