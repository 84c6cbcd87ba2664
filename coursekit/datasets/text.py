"""A small character-level text corpus and a character <-> index vocabulary (notebook 11).

The corpus is the opening of Lewis Carroll's *Alice's Adventures in Wonderland* (1865), public
domain, shipped as ``coursekit/data/alice.txt``.
"""
from __future__ import annotations

from importlib import resources

import numpy as np

from ..backend import one_hot
from ..errors import choose, positive_int

__all__ = ["text_corpus", "Vocabulary", "char_vocabulary", "text_windows", "CORPORA"]

CORPORA = {"alice": "alice.txt"}


def text_corpus(name: str = "alice") -> str:
    """The text of a shipped corpus (a few KB, plain ASCII, lines joined by ``\\n``)."""
    choose(name, tuple(CORPORA), "corpus")
    return resources.files("coursekit").joinpath("data", CORPORA[name]).read_text(encoding="utf-8")


class Vocabulary:
    """A fixed map between characters and indices 0 .. len-1 (characters in sorted order).

    >>> v = Vocabulary("hello")
    >>> v.encode("hole")          # array([1, 3, 2, 0])
    >>> v.decode([1, 3, 2, 0])    # 'hole'
    """

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValueError("a vocabulary needs a non-empty string of text to collect characters from")
        self.chars = tuple(sorted(set(text)))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char) -> bool:
        return char in self.index

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} characters)"

    def encode(self, text: str) -> np.ndarray:
        """String of length T -> (T,) int64 indices. Unknown characters raise ValueError."""
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {''.join(unknown)!r}")
        return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, indices) -> str:
        """(T,) integer indices -> string of length T."""
        indices = np.asarray(indices).reshape(-1)
        bad = indices[(indices < 0) | (indices >= len(self))]
        if bad.size:
            raise ValueError(f"indices must lie in 0..{len(self) - 1}, got {bad[:5].tolist()}")
        return "".join(self.chars[int(i)] for i in indices)

    def one_hot(self, text: str) -> np.ndarray:
        """String of length T -> (T, len(self)) float64 one-hot rows (RNN inputs)."""
        return one_hot(self.encode(text), len(self))


def char_vocabulary(text: str | None = None) -> Vocabulary:
    """The vocabulary of ``text`` (default: the shipped corpus)."""
    return Vocabulary(text_corpus() if text is None else text)


def text_windows(text: str, seq_len: int = 25, vocab: Vocabulary | None = None, step: int | None = None):
    """Cut text into next-character training pairs.

    Window ``n`` starts at ``n * step`` (default ``step = seq_len``: no overlap); its targets are
    the same characters moved one place on, so ``Y[n, t]`` is the character after ``X[n, t]``.

    Returns
    -------
    X : (N, seq_len) int64 indices
    Y : (N, seq_len) int64 indices
    """
    seq_len = positive_int(seq_len, "seq_len")
    step = seq_len if step is None else positive_int(step, "step")
    vocab = Vocabulary(text) if vocab is None else vocab
    codes = vocab.encode(text)
    starts = np.arange(0, len(codes) - seq_len, step)
    if starts.size == 0:
        raise ValueError(f"the text ({len(codes)} characters) is too short for windows of {seq_len} plus one")
    take = starts[:, None] + np.arange(seq_len)[None, :]
    return codes[take], codes[take + 1]
