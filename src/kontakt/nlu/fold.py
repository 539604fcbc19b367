"""Folding text for matching what residents type against phrases written properly.

Residents often skip Polish diacritics ("dowod", "zameldowac") and type apostrophes of every
kind ("п’ятниця", "п'ятниця"). Folding is one character for one character, so positions in
the folded text are positions in the original.
"""

from __future__ import annotations

FOLD_TABLE = str.maketrans("ąćęłńóśźż’ʼ`′‘", "acelnoszz'''''")


def fold(text: str) -> str:
    """Lowercase, without Polish diacritics, with one kind of apostrophe."""
    return text.lower().translate(FOLD_TABLE)
