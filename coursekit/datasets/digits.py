"""scikit-learn's 8x8 handwritten digits with a fixed split, and a shifted variant for CNNs.

The 1,797 images ship inside scikit-learn (``sklearn.datasets.load_digits``): nothing is
downloaded. Notebooks 06, 08, 10 and 12 use them.

The split is a seeded permutation cut into train / validation / test: with the defaults
(``val_fraction=0.2, test_fraction=0.2``) that is 1,079 / 359 / 359 images, the same every run.
Scaling statistics come from the training part only, so nothing about the validation or test
images leaks into training.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import choose, positive_int, rng_from

__all__ = ["DigitsSplit", "digits", "shifted_digits", "SCALES", "SHAPES"]

SCALES = ("standard", "unit", "none")
SHAPES = ("flat", "image")
_SIDE = 8          # the images are 8 x 8
_MAX_INK = 16.0    # pixel values are whole numbers 0 .. 16
_SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class DigitsSplit:
    """Train, validation and test parts of a digits data set.

    ``X_*`` are float64, either flat (N, H*W) or images (N, 1, H, W); ``y_*`` are int64 labels
    0-9. Unpack in the order train, validation, test::

        X_train, y_train, X_val, y_val, X_test, y_test = ck.datasets.digits()

    or read the fields by name (``data.X_train``, or ``data["X_train"]``).

    ``image_shape`` is (H, W); ``info`` records how the data were made (scale, the training mean
    and standard deviation for ``scale="standard"``, offsets for shifted digits).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple = (_SIDE, _SIDE)
    n_classes: int = 10
    info: dict = field(default_factory=dict, repr=False)

    def __iter__(self):
        return iter((self.X_train, self.y_train, self.X_val, self.y_val, self.X_test, self.y_test))

    def __getitem__(self, key: str):
        names = ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test")
        if key not in names:
            raise KeyError(f"{key!r}; the parts are {', '.join(names)}")
        return getattr(self, key)

    def as_dict(self) -> dict:
        """The six arrays by name."""
        return {k: self[k] for k in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test")}

    def __repr__(self):
        return (f"DigitsSplit(train={len(self.y_train)}, val={len(self.y_val)}, test={len(self.y_test)}, "
                f"X shape per example={self.X_train.shape[1:]}, scale={self.info.get('scale')!r})")


def _sklearn_digits_file():
    """Path of the CSV that ships inside scikit-learn, found without importing scikit-learn (its
    import pulls in SciPy and takes seconds; reading the file takes milliseconds); None if absent."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def _raw():
    path = _sklearn_digits_file()
    if path is not None:
        # the file load_digits reads: 1,797 rows of 64 pixel values and the label
        table = np.loadtxt(path, delimiter=",")
        images, target = table[:, :-1].reshape(-1, _SIDE, _SIDE), table[:, -1]
    else:
        from sklearn.datasets import load_digits

        bunch = load_digits()
        images, target = bunch.images, bunch.target
    images = images.astype(np.float64)                # (1797, 8, 8), values 0..16
    labels = target.astype(np.int64)                  # (1797,)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _split_indices(n: int, val_fraction: float, test_fraction: float, seed):
    for name, f in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0 <= f < 1:
            raise ValueError(f"{name} must lie in [0, 1), got {f!r}")
    n_val, n_test = int(round(val_fraction * n)), int(round(test_fraction * n))
    if n - n_val - n_test < 1:
        raise ValueError(f"val_fraction + test_fraction = {val_fraction + test_fraction} leaves no training data")
    order = rng_from(seed).permutation(n)
    return {"train": order[: n - n_val - n_test], "val": order[n - n_val - n_test: n - n_test],
            "test": order[n - n_test:]}


def _finish(images: dict, labels: dict, scale: str, shape: str, info: dict) -> DigitsSplit:
    """Scale with training statistics, reshape, and pack. ``images[part]`` is (N, H, W) in 0..16."""
    h, w = images["train"].shape[1:]
    flat = {k: v.reshape(len(v), h * w) / _MAX_INK for k, v in images.items()}
    info = dict(info, scale=scale)
    if scale == "none":
        flat = {k: v * _MAX_INK for k, v in flat.items()}
    elif scale == "standard":
        mean = flat["train"].mean(axis=0)
        std = flat["train"].std(axis=0)
        # Pixels that are blank in every training image have std 0: leave them unscaled
        # (they are already in [0, 1]) instead of dividing by zero.
        std = np.where(std < 1e-8, 1.0, std)
        flat = {k: (v - mean) / std for k, v in flat.items()}
        info.update(mean=mean, std=std)
    if shape == "image":
        flat = {k: v.reshape(len(v), 1, h, w) for k, v in flat.items()}
    return DigitsSplit(flat["train"], labels["train"].copy(), flat["val"], labels["val"].copy(),
                       flat["test"], labels["test"].copy(), image_shape=(h, w), info=info)


def digits(scale: str = "standard", shape: str = "flat", val_fraction: float = 0.2,
           test_fraction: float = 0.2, seed=0) -> DigitsSplit:
    """The 8x8 digits, split into train / validation / test.

    Parameters
    ----------
    scale : "standard", "unit" or "none"
        ``"standard"``: each pixel has mean 0 and standard deviation 1 over the training images;
        ``"unit"``: pixel values divided by 16, so in [0, 1]; ``"none"``: the raw values 0..16.
    shape : "flat" or "image"
        ``"flat"`` gives X of shape (N, 64) for dense networks; ``"image"`` gives (N, 1, 8, 8)
        (one channel) for convolutions.
    val_fraction, test_fraction : float
        Parts of the 1,797 images held out (rounded to whole images).
    seed : int
        Fixes the permutation behind the split.

    Returns
    -------
    DigitsSplit with X_train, y_train, X_val, y_val, X_test, y_test (see its docstring).
    """
    scale = choose(scale, SCALES, "scale")
    shape = choose(shape, SHAPES, "shape")
    images, labels = _raw()
    parts = _split_indices(len(labels), val_fraction, test_fraction, seed)
    return _finish({k: images[i] for k, i in parts.items()}, {k: labels[i] for k, i in parts.items()},
                   scale, shape, {"indices": parts})


def shifted_digits(canvas: int = 16, seed=0, scale: str = "unit", shape: str = "image",
                   shift_in=_SPLITS, val_fraction: float = 0.2, test_fraction: float = 0.2) -> DigitsSplit:
    """The digits pasted at random places on a larger blank canvas (notebook 10).

    Each 8x8 digit lands with its top-left corner at a random (row, column) offset in
    0 .. canvas-8, so it always lies wholly inside the canvas. The split is the same as
    ``digits(seed=seed)``; the offsets come from their own generator seeded by ``seed``.

    Parameters
    ----------
    canvas : int
        Side of the square canvas, at least 8.
    scale, shape : as in ``digits``. The default ``"unit"`` keeps pixel meaning the same at every
        position; per-pixel standardisation would not be shift invariant.
    shift_in : tuple of "train", "val", "test"
        Which parts get random offsets; the others are centred. ``shift_in=("test",)`` trains on
        centred digits and tests on shifted ones: a dense network fails there, a CNN with pooling
        much less.

    Returns
    -------
    DigitsSplit; X is (N, 1, canvas, canvas) or (N, canvas*canvas); ``info["offsets"][part]`` is
    the (N, 2) int64 array of (row, column) offsets of each image.
    """
    canvas = positive_int(canvas, "canvas", minimum=_SIDE)
    scale = choose(scale, SCALES, "scale")
    shape = choose(shape, SHAPES, "shape")
    if isinstance(shift_in, str):
        shift_in = (shift_in,)
    for part in shift_in:
        choose(part, _SPLITS, "part in shift_in")
    images, labels = _raw()
    parts = _split_indices(len(labels), val_fraction, test_fraction, seed)
    # A second, independent stream: changing the split fractions must not move the offsets' seed.
    offset_rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng([int(seed), 10])
    room = canvas - _SIDE
    placed, offsets = {}, {}
    for part in _SPLITS:
        idx = parts[part]
        drawn = offset_rng.integers(0, room + 1, size=(len(idx), 2))  # drawn for every part: stable streams
        off = drawn if part in shift_in else np.full((len(idx), 2), room // 2)
        out = np.zeros((len(idx), canvas, canvas))
        rows = off[:, 0, None] + np.arange(_SIDE)           # (N, 8)
        cols = off[:, 1, None] + np.arange(_SIDE)           # (N, 8)
        out[np.arange(len(idx))[:, None, None], rows[:, :, None], cols[:, None, :]] = images[idx]
        placed[part], offsets[part] = out, off.astype(np.int64)
    return _finish(placed, {k: labels[i] for k, i in parts.items()}, scale, shape,
                   {"indices": parts, "offsets": offsets, "canvas": canvas, "shift_in": tuple(shift_in)})
