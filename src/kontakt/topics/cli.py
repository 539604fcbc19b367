"""``kontakt train`` and ``kontakt classify``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from kontakt.cli_support import fail, out
from kontakt.config import Settings
from kontakt.knowledge.content import ContentError
from kontakt.knowledge.embedder import make_embedder
from kontakt.topics.data import TrainingDataError, load_examples
from kontakt.topics.train import NoModel, TrainedModel, latest, load, save, stale_reason, train


def train_command(
    content: Path = typer.Option(Path("content"), help="The content folder."),
    if_stale: bool = typer.Option(
        False,
        "--if-stale",
        help="Train only when there is no model for the configured embedder yet or the newest "
        "one was trained on other data (what `make run` does on every start).",
    ),
) -> None:
    """Train the topic classifier on content/ and write a versioned model under var/models/."""
    settings = Settings()
    embedder = make_embedder(
        settings.embedder, settings.embed_threads, 0, cache_dir=settings.var_dir / "cache"
    )
    models = settings.var_dir / "models"
    if if_stale:
        try:
            reason = stale_reason(models, embedder.name, load_examples(content))
        except (ContentError, TrainingDataError) as exc:
            fail(str(exc))
        if reason is None:
            out.print(f"topic model up to date: {latest(models, embedder.name)}")
            return
        out.print(f"training the topic model: {reason}")
    cache = settings.var_dir / "cache" / f"{embedder.name}.npz"
    try:
        model = train(content, embedder, cache=cache, workers=os.cpu_count() or 1)
    except (ContentError, TrainingDataError) as exc:
        fail(str(exc))
    path = save(model, models)
    m = model.meta["metrics"]
    out.print(f"examples: {model.meta['examples']} {model.meta['by_source']}")
    out.print(
        f"held-out: accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f} (n={m['held_out']})"
    )
    for lang, s in m["per_language"].items():
        out.print(
            f"  {lang}: accuracy {s['accuracy']:.3f}, macro-F1 {s['macro_f1']:.3f} (n={s['n']})"
        )
    out.print(f"thresholds: {json.dumps(model.meta['thresholds'])}")
    out.print(f"model: {path}")


def load_latest(settings: Settings) -> TrainedModel:
    embedder = make_embedder(
        settings.embedder, settings.embed_threads, 0, cache_dir=settings.var_dir / "cache"
    )
    try:
        return load(latest(settings.var_dir / "models", embedder.name), embedder)
    except (NoModel, ValueError) as exc:
        fail(str(exc))


def classify_command(text: str = typer.Argument(..., help="What the resident said.")) -> None:
    """Print the topic, its confidence and the runner-up."""
    if not text.strip():
        fail("the text is empty")
    if len(text) > 2000:
        fail("the text is longer than 2000 characters")
    model = load_latest(Settings())
    p = model.engine.predict([text])[0]
    from kontakt.topics.policy import decide_topic

    decision = decide_topic(p, model.thresholds)
    out.print(
        f"topic={p.topic} confidence={p.confidence:.3f} "
        f"runner_up={p.runner_up} runner_up_confidence={p.runner_up_confidence:.3f} "
        f"decision={decision.kind}"
    )
