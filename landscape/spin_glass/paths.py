"""ReLU networks as sums over paths (Choromanska et al. 2015, §3.1–3.3, Thms 3.1–3.3).

A fully connected network with widths ``(n_0, n_1, ..., n_H)`` (``n_H = 1``) and ReLU
activations on every layer, including the output, computes

.. math:: Y = q\\,\\sigma(W_H^T \\sigma(\\cdots \\sigma(W_1^T X)))
          = q \\sum_{i=1}^{n_0} \\sum_{j=1}^{\\gamma} X_i A_{i,j} \\prod_{k=1}^H w^{(k)}_{i,j}

(eq. (1)): a path picks one unit per layer, ``A`` is 1 when every unit on the path is
active, and γ = n_1 ⋯ n_H paths start at each input.  Everything here is numpy and exact.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from landscape import _validate

__all__ = [
    "check_widths",
    "random_weights",
    "relu_forward",
    "activation_pattern",
    "enumerate_paths",
    "path_expansion",
    "path_weight_products",
    "network_mass",
    "network_size",
    "mass_size_bounds",
    "mass_size_chain_holds",
    "proof_intermediate_bound",
    "sign_correlation_bound",
    "sign_correlation",
    "sign_correlation_excess_se",
    "disagreement_counts",
    "uniformity_correlation",
]


def check_widths(widths) -> tuple[int, ...]:
    """Validate layer widths ``(n_0, ..., n_H)``: integers >= 1, at least two layers, scalar output."""
    widths = tuple(widths)
    if len(widths) < 2:
        raise ValueError(f"`widths` must list at least n_0 and n_H (H >= 1 weight layers); got {widths}")
    widths = tuple(_validate.integer(f"widths[{i}]", n, minimum=1) for i, n in enumerate(widths))
    if widths[-1] != 1:
        raise ValueError(f"`widths` must end with a scalar output n_H = 1; got n_H = {widths[-1]}")
    return widths


def random_weights(widths, rng: np.random.Generator, scale: float = 1.0) -> list[np.ndarray]:
    """Gaussian weight matrices W_k of shape (n_{k-1}, n_k), entries N(0, scale²/n_{k-1})."""
    widths = check_widths(widths)
    return [rng.normal(0.0, scale / math.sqrt(a), size=(a, b)) for a, b in zip(widths[:-1], widths[1:])]


def _check_net(weights, X):
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if not weights:
        raise ValueError("`weights` must contain at least one matrix")
    if X.shape[1] != weights[0].shape[0]:
        raise ValueError(f"`X` must have shape (m, {weights[0].shape[0]}); got {X.shape}")
    for k, (A, B) in enumerate(zip(weights[:-1], weights[1:]), start=1):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"`weights[{k}]` has {B.shape[0]} rows but layer {k} has {A.shape[1]} units")
    if weights[-1].shape[1] != 1:
        raise ValueError("`weights[-1]` must map to a scalar output (shape (n_{H-1}, 1))")
    return X


def activation_pattern(weights, X) -> list[np.ndarray]:
    """Activity indicators of every layer's units, a list of (m, n_k) boolean arrays for k = 1..H."""
    X = _check_net(weights, X)
    pattern, h = [], X
    for W in weights:
        z = h @ W
        pattern.append(z > 0)
        h = np.maximum(z, 0.0)
    return pattern


def relu_forward(weights, X, q: float = 1.0) -> np.ndarray:
    """Network output :math:`Y = q\\sigma(W_H^T\\cdots\\sigma(W_1^T X))` for each row of ``X``; shape (m,)."""
    X = _check_net(weights, X)
    h = X
    for W in weights:
        h = np.maximum(h @ W, 0.0)
    return q * h[:, 0]


def enumerate_paths(widths) -> np.ndarray:
    """All input→output paths as an integer array of shape (Ψ, H+1): one unit index per layer."""
    widths = check_widths(widths)
    count = math.prod(widths)
    if count > 5_000_000:
        raise ValueError(f"`widths` {widths} have {count} paths; explicit enumeration is limited to 5e6")
    return np.array(list(itertools.product(*(range(n) for n in widths))), dtype=np.int64).reshape(count, len(widths))


def path_expansion(weights, X, q: float = 1.0) -> np.ndarray:
    """Evaluate eq. (1) by summing explicitly over every path; shape (m,).

    The activation indicator of a path is the product of the indicators of the units it
    visits in layers 1..H, taken from the forward pass.
    """
    X = _check_net(weights, X)
    widths = (weights[0].shape[0],) + tuple(W.shape[1] for W in weights)
    paths = enumerate_paths(widths)
    pattern = activation_pattern(weights, X)
    active = np.ones((X.shape[0], paths.shape[0]), dtype=bool)
    for k in range(1, len(weights) + 1):
        active &= pattern[k - 1][:, paths[:, k]]
    terms = X[:, paths[:, 0]] * active * path_weight_products(weights, paths)[None, :]
    return q * terms.sum(axis=1)


def path_weight_products(weights, paths) -> np.ndarray:
    """The weight product :math:`\\prod_{k=1}^H w^{(k)}_{i,j}` of each path of eq. (1); shape (Ψ,).

    ``paths`` is an array from :func:`enumerate_paths` (one unit index per layer).
    """
    paths = np.asarray(paths)
    if paths.ndim != 2 or paths.shape[1] != len(weights) + 1:
        raise ValueError(f"`paths` must have shape (Ψ, {len(weights) + 1}); got {paths.shape}")
    product = np.ones(paths.shape[0])
    for k, W in enumerate(weights, start=1):
        product = product * W[paths[:, k - 1], paths[:, k]]
    return product


def network_mass(widths) -> int:
    """Ψ = n_0 n_1 ⋯ n_H, the number of input→output paths (Definition 3.1), as an exact int."""
    return math.prod(check_widths(widths))


def network_size(widths) -> int:
    """N = Σ_{i=0}^{H-1} n_i n_{i+1}, the number of weights (Definition 3.2), as an exact int."""
    w = check_widths(widths)
    return sum(a * b for a, b in zip(w[:-1], w[1:]))


def mass_size_bounds(widths) -> dict:
    """The chain of Theorem 3.1, in natural logarithms to avoid overflow.

    .. math:: \\Psi^2 H \\ge N \\ge \\Psi^{2/H} H / d^{1/H} \\ge \\Psi^{1/H} = \\Lambda

    Returns ``{"log_upper", "log_N", "log_lower", "log_Lambda"}``.
    """
    w = check_widths(widths)
    H, d = len(w) - 1, w[0]
    log_psi = sum(math.log(n) for n in w)
    return {
        "log_upper": 2 * log_psi + math.log(H),
        "log_N": math.log(network_size(w)),
        "log_lower": 2 * log_psi / H + math.log(H) - math.log(d) / H,
        "log_Lambda": log_psi / H,
    }


def mass_size_chain_holds(widths, slack: float = 1e-9) -> bool:
    """Whether the chain of Theorem 3.1 holds for ``widths``, compared in logarithms.

    .. math:: \\Psi^2 H \\ge N \\ge \\Psi^{2/H} H / d^{1/H} \\ge \\Psi^{1/H} = \\Lambda

    (Choromanska et al. 2015, Theorem 3.1), each inequality tested between the logarithms of
    :func:`mass_size_bounds` with ``slack`` subtracted from its right-hand side: a relative slack on the
    values, for the round-off of the logarithms (the inequalities are exact, and equality is reached,
    e.g. by the widths (1, 1) or (n, 1)).
    """
    slack = _validate.positive_float("slack", slack, allow_zero=True)
    b = mass_size_bounds(widths)
    return bool(b["log_upper"] >= b["log_N"] - slack and b["log_N"] >= b["log_lower"] - slack
                and b["log_lower"] >= b["log_Lambda"] - slack)


def proof_intermediate_bound(widths, include_input: bool) -> int:
    """H·n_max² from the proof of Theorem 3.1 (supplement §7).

    The proof takes n_max over layers 1..H (``include_input=False``); the inequality
    N ≤ H n_max² needs the input layer in the maximum as well (``include_input=True``).
    """
    w = check_widths(widths)
    layers = w if include_input else w[1:]
    return (len(w) - 1) * max(layers) ** 2


# ---------------------------------------------------------------------------------------
# Theorem 3.2 / Lemma 8.1: correlation of two binary classifiers that disagree on ε of the data
# ---------------------------------------------------------------------------------------
def sign_correlation_bound(p, epsilon):
    """Lower bound of Lemma 8.1 on corr(sign Y_1, sign Y_2) (supplement eq. (10)).

    .. math:: \\frac{1 - 2\\epsilon - (1-2p)^2 - 2(1-2p)\\epsilon}{4\\sqrt{p(1-p)(p+\\epsilon)(1-p+\\epsilon)}}

    for 0 < p ≤ 1/2 and 0 ≤ ε ≤ p; at p = 1/2 it is Theorem 3.2's (1 − 2ε)/(1 + 2ε).
    """
    p = _validate.in_interval("p", p, 0.0, 0.5, closed="right")
    epsilon = np.asarray(epsilon, dtype=float)
    if np.any(epsilon < 0) or np.any(epsilon > p):
        raise ValueError(f"`epsilon` must lie in [0, p]; got {epsilon!r} with p = {p!r}")
    num = 1 - 2 * epsilon - (1 - 2 * p) ** 2 - 2 * (1 - 2 * p) * epsilon
    den = 4 * np.sqrt(p * (1 - p) * (p + epsilon) * (1 - p + epsilon))
    return num / den


def disagreement_counts(n: int, p: float, eps_plus: float, eps_minus: float):
    """Sign vectors Z1, Z2 over n points as in the proof of Lemma 8.1.

    Z1 = +1 on a fraction p; Z2 flips a fraction eps_plus of the data from +1 to −1 and a
    fraction eps_minus from −1 to +1.  Returns ``(Z1, Z2)`` (float arrays of ±1).
    """
    n = _validate.integer("n", n, minimum=2)
    n_pos = int(round(p * n))
    k_plus, k_minus = int(round(eps_plus * n)), int(round(eps_minus * n))
    if not (0 <= k_plus <= n_pos and 0 <= k_minus <= n - n_pos):
        raise ValueError("`eps_plus` must be <= p and `eps_minus` <= 1 - p")
    z1 = np.where(np.arange(n) < n_pos, 1.0, -1.0)
    z2 = z1.copy()
    z2[:k_plus] = -1.0
    z2[n_pos:n_pos + k_minus] = 1.0
    return z1, z2


def sign_correlation(z1, z2) -> float:
    """Pearson correlation of two ±1 vectors (population moments, as in the proof)."""
    z1, z2 = np.asarray(z1, float), np.asarray(z2, float)
    c = np.mean(z1 * z2) - z1.mean() * z2.mean()
    return float(c / (z1.std() * z2.std()))


def sign_correlation_excess_se(z1, z2) -> float:
    """Delta-method standard error of corr(z1, z2) − c/(2 − c), c = mean(z1 z2), for ±1 samples.

    With symmetric outputs c = 1 − 2ε, so c/(2 − c) is Theorem 3.2's bound (1 − 2ε)/(1 + 2ε); the
    excess of the sample correlation over the bound is a smooth function of the three means
    a = E z1, b = E z2, c = E z1 z2, and its standard error follows from their sample covariance
    by the delta method (the gradient below is that of corr − c/(2 − c) in (a, b, c)).
    """
    z1, z2 = np.asarray(z1, float), np.asarray(z2, float)
    if z1.ndim != 1 or z1.shape != z2.shape or z1.size < 2:
        raise ValueError("`z1` and `z2` must be 1-d arrays of equal length >= 2")
    v = np.stack([z1, z2, z1 * z2], axis=1)
    a, b, c = v.mean(axis=0)
    if not (abs(a) < 1 and abs(b) < 1):
        raise ValueError("`z1` and `z2` must each take both signs (a constant sign has no correlation)")
    S = math.sqrt((1 - a * a) * (1 - b * b))
    grad = np.array([-b / S + (c - a * b) * a / ((1 - a * a) * S), -a / S + (c - a * b) * b / ((1 - b * b) * S),
                     1 / S - 2 / (2 - c) ** 2])
    return float(np.std(v @ grad, ddof=1) / math.sqrt(len(z1)))


# ---------------------------------------------------------------------------------------
# Theorem 3.3: the uniformity assumption
# ---------------------------------------------------------------------------------------
def uniformity_correlation(multiplicities, m: int, weight_products_sq) -> float:
    """corr(Ŷ_s, Y_s) from the proof of Theorem 3.3 (supplement §9).

    .. math:: \\frac{\\sum \\min(m, t)\\, \\pi}{\\sqrt{(\\sum m\\,\\pi)(\\sum t\\,\\pi)}},\\quad \\pi = \\prod_k w_{i_k}^2

    where ``multiplicities`` are the t_{i_1..i_H} (how often each weight configuration occurs
    in the reduced network), ``m = Ψ/s^H`` the uniform count, ``weight_products_sq`` the π.
    """
    t = np.asarray(multiplicities, dtype=float)
    pi = np.asarray(weight_products_sq, dtype=float)
    if t.shape != pi.shape:
        raise ValueError(f"`multiplicities` {t.shape} and `weight_products_sq` {pi.shape} differ in shape")
    if np.any(t < 0) or np.any(pi < 0):
        raise ValueError("`multiplicities` and `weight_products_sq` must be non-negative")
    m = _validate.integer("m", m, minimum=1)
    num = np.sum(np.minimum(m, t) * pi)
    return float(num / math.sqrt(np.sum(m * pi) * np.sum(t * pi)))
