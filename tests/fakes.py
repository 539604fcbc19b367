"""In-repo fakes of the small protocols, for tests that need speed rather than a real model.

``HashingEmbedder`` follows the Embedder protocol: character trigrams hashed into a fixed
space and normalised. It is deterministic and captures surface similarity only.
"""

from __future__ import annotations

import hashlib

import numpy as np


class HashingEmbedder:
    name = "fake-hashing-64"
    dim = 64

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        padded = f"  {text.lower()}  "
        for i in range(len(padded) - 2):
            h = int.from_bytes(
                hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest(), "little"
            )
            vec[h % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.queries(texts)
