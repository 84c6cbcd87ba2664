"""Every data set the notebooks use, made or loaded offline and deterministic given a seed.

Conventions: inputs ``X`` are float64, class labels ``y`` are int64; shapes are in each
docstring. Bad arguments (negative sizes, unknown names) raise ``ValueError`` listing the valid
choices.

========================  ============================================================  ========
function                  returns                                                       notebook
========================  ============================================================  ========
spiral                    X (N, 2), y (N,): the K-armed spiral                          03, 06
xor_clouds, blobs,        X (N, 2), y (N,): 2-D classification toys                     01-06
moons, circles
truth_table, parity       X (2**n, n), y (2**n,) in {0,1} or {-1,+1}                    01, 04
regression_1d             x (n,), t (n,): sine, step, bump, ... on a grid               04
digits                    DigitsSplit: X_train, y_train, X_val, y_val, X_test, y_test   06-12
mislabel                  y (N,) with a given share of labels made wrong, and the mask  08
shifted_digits            DigitsSplit of digits at random places on a larger canvas     10
running_parity,           X (N, T, D), Y (N, T): sequence tasks with known answers      11
binary_addition,
delayed_echo,
remember_bit              X (N, T, 1), y (N,): one bit carried through T noisy steps    11
text_corpus, Vocabulary,  the Alice corpus, char <-> index maps, next-char windows      11
char_vocabulary,
text_windows
========================  ============================================================  ========
"""
from __future__ import annotations

from .boolean import BOOLEAN_FUNCTIONS, ENCODINGS, all_bit_patterns, parity, truth_table
from .digits import DigitsSplit, digits, shifted_digits
from .noise import mislabel
from .regression import REGRESSION_TARGETS, regression_1d
from .sequences import binary_addition, bits_to_int, delayed_echo, remember_bit, running_parity
from .text import CORPORA, Vocabulary, char_vocabulary, text_corpus, text_windows
from .toy2d import blobs, circles, moons, spiral, xor_clouds

__all__ = [
    "spiral", "xor_clouds", "blobs", "moons", "circles",
    "truth_table", "parity", "all_bit_patterns", "BOOLEAN_FUNCTIONS", "ENCODINGS",
    "regression_1d", "REGRESSION_TARGETS",
    "digits", "shifted_digits", "DigitsSplit", "mislabel",
    "running_parity", "binary_addition", "delayed_echo", "remember_bit", "bits_to_int",
    "text_corpus", "Vocabulary", "char_vocabulary", "text_windows", "CORPORA",
]
