"""Tune the retrieval fusion weights and the answer policy on the development set.

    python bench/tune_retrieval.py            # uses KONTAKT_DATABASE_URL (default var/kontakt.db)

Needs an imported knowledge base with vectors (`make run` or `kontakt kb import content/`).
Tuning sees only content/eval/faq_dev.jsonl and content/eval/out_of_scope.jsonl; the held-out
content/eval/faq_test.jsonl is scored once with the chosen values, for the record.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from kontakt.config import Settings
from kontakt.dialogue.policy import Policy, decide
from kontakt.evaluation.datasets import read_faq, read_questions
from kontakt.evaluation.faq import search_query
from kontakt.knowledge.search import TUNED, SearchIndex, Weights
from kontakt.runtime import Runtime

EVAL = Path("content/eval")


def signals(index: SearchIndex, questions: list[tuple[str, str]], topics=None) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """Per question: the dense and lexical signals, and the classifier's topic boost (as the
    chat uses it) when a trained topic model exists."""
    from kontakt.topics.policy import decide_topic

    out = []
    for question, lang in questions:
        query, search_lang = search_query(index.normalizer, question, lang)
        boost = {}
        if topics is not None:
            p = topics.engine.predict([query])[0]
            if decide_topic(p, topics.thresholds).kind == "confident":
                boost = {f"topic:{p.topic}": p.confidence}
        qv = index.embed(query)
        dq_c, da = index.dense_scores(qv, centre=True)
        dq_r, _ = index.dense_scores(qv, centre=False)
        out.append(
            {
                "dq_c": dq_c,
                "dq_r": dq_r,
                "da": da,
                "lex": index.lexical_scores(query, search_lang),
                "boost": boost,
            }
        )
    return out


def ranked(index: SearchIndex, sig: dict[str, np.ndarray], w: Weights, k: int = 5):  # type: ignore[no-untyped-def]
    dq = sig["dq_c"] if w.centre_languages else sig["dq_r"]
    return index.rank(dq, sig["da"], sig["lex"], weights=w, boost=sig["boost"], k=k)


def accuracy(
    index: SearchIndex, sigs: list[dict[str, np.ndarray]], gold: list[str], w: Weights
) -> float:
    return float(
        np.mean([ranked(index, s, w, k=1)[0].id == g for s, g in zip(sigs, gold, strict=True)])
    )


async def main() -> None:
    runtime = Runtime.build(Settings())
    index = await runtime.chat.index.get()
    topics = {a.topic for a in index.articles}
    ids = {a.id for a in index.articles}
    dev = [i for i in read_faq(EVAL / "faq_dev.jsonl", topics, ids) if i.article_id]
    test = [i for i in read_faq(EVAL / "faq_test.jsonl", topics, ids) if i.article_id]
    oos = read_questions(EVAL / "out_of_scope.jsonl")

    t0 = time.perf_counter()
    topics = runtime.chat.topic_model()
    print(
        f"topic model: {'yes, boost ' + str(TUNED.boost) if topics else 'none (run kontakt train)'}"
    )
    dev_sig = signals(index, [(i.question, i.lang) for i in dev], topics)
    oos_sig = signals(index, oos, topics)
    print(
        f"signals for {len(dev_sig) + len(oos_sig)} questions in {time.perf_counter() - t0:.1f} s"
    )
    gold = [i.article_id or "" for i in dev]
    langs = [i.lang for i in dev]

    grid = itertools.product(
        (True, False), (0.0, 0.15, 0.3, 0.5), (0.0, 0.1, 0.2, 0.3, 0.45), (3.0, 6.0, 12.0)
    )
    results = []
    for centre, wa, wl, sat in grid:
        w = Weights(
            dense_questions=1.0,
            dense_answer=wa,
            lexical=wl,
            lexical_saturation=sat,
            centre_languages=centre,
        )
        results.append((accuracy(index, dev_sig, gold, w), w))
    results.sort(key=lambda r: -r[0])
    best_acc, best = results[0]
    equal = Weights(
        dense_questions=1.0,
        dense_answer=1.0,
        lexical=1.0,
        lexical_saturation=6.0,
        centre_languages=False,
    )
    print(f"dev article hit@1: best {best_acc:.3f} with {best}")
    print(f"dev article hit@1: equal weights {accuracy(index, dev_sig, gold, equal):.3f}")
    print(f"dev article hit@1: current TUNED {accuracy(index, dev_sig, gold, TUNED):.3f}")
    for lang in ("pl", "uk", "en"):
        sel = [j for j, x in enumerate(langs) if x == lang]
        acc = accuracy(index, [dev_sig[j] for j in sel], [gold[j] for j in sel], best)
        print(f"  {lang}: {acc:.3f} (n={len(sel)})")

    # Policy: pick thresholds that keep most in-scope answers right and refuse out-of-scope.
    in_top = [ranked(index, s, best, k=8) for s in dev_sig]
    oos_top = [ranked(index, s, best, k=8) for s in oos_sig]
    best_policy, best_value = None, -1.0
    for answer_min, margin, suggest_min in itertools.product(
        np.arange(0.80, 1.40, 0.02), (0.0, 0.01, 0.02, 0.03, 0.05), np.arange(0.75, 1.35, 0.02)
    ):
        if suggest_min > answer_min:
            continue
        p = Policy(
            answer_min=float(answer_min),
            sure_min=float(answer_min) + 0.08,
            margin=margin,
            suggest_min=float(suggest_min),
        )
        right = wrong = asked = missed = 0
        for hits, g in zip(in_top, gold, strict=True):
            d = decide(hits, p)
            if d.kind == "answer":
                right += d.hits[0].id == g
                wrong += d.hits[0].id != g
            elif d.kind == "ambiguous":
                asked += g in [h.id for h in d.hits]
            else:
                missed += 1
        refused = sum(decide(h, p).kind == "no_match" for h in oos_top)
        # A wrong confident answer costs more than a clarifying question; telling a resident
        # with a real question "I don't know" costs too. Out-of-scope questions should be
        # refused, but a "did you mean" for them is a small harm.
        value = (right + 0.6 * asked - 2.0 * wrong - 0.4 * missed) / len(gold) + (
            0.5 * refused / len(oos_top)
        )
        if value > best_value:
            best_value, best_policy = value, p
    assert best_policy is not None
    print(f"policy: {best_policy}")
    report_policy(index, best_policy, in_top, gold, oos_top, "dev")
    test_sig = signals(index, [(i.question, i.lang) for i in test], topics)
    test_gold = [i.article_id or "" for i in test]
    print(
        f"test article hit@1 (held out): {accuracy(index, test_sig, test_gold, best):.3f}; "
        f"equal weights {accuracy(index, test_sig, test_gold, equal):.3f}; "
        f"dense only {accuracy(index, test_sig, test_gold, replace(best, lexical=0.0, dense_answer=0.0)):.3f}"
    )
    report_policy(
        index,
        best_policy,
        [ranked(index, s, best, k=8) for s in test_sig],
        test_gold,
        oos_top,
        "test",
    )
    await runtime.close()


def report_policy(index, policy, in_top, gold, oos_top, name):  # type: ignore[no-untyped-def]
    kinds = [decide(h, policy) for h in in_top]
    answered = [d for d in kinds if d.kind == "answer"]
    right = sum(d.hits[0].id == g for d, g in zip(kinds, gold, strict=True) if d.kind == "answer")
    asked = sum(d.kind == "ambiguous" for d in kinds)
    refused_in = sum(d.kind == "no_match" for d in kinds)
    refused_oos = sum(decide(h, policy).kind == "no_match" for h in oos_top)
    print(
        f"{name}: answered {len(answered)}/{len(gold)} ({right} right), asked {asked}, "
        f"no-match {refused_in}; out-of-scope refused {refused_oos}/{len(oos_top)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
