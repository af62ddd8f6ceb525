"""Random-matrix basics shared by every chapter: GOE, Wigner semicircle, Marchenko–Pastur.

Conventions (used throughout the book):

* GOE(n, σ²): symmetric, off-diagonal entries N(0, σ²/n), diagonal N(0, 2σ²/n); its spectrum
  tends to the semicircle on [−2σ, 2σ] with density :math:`\\sqrt{4\\sigma^2-x^2}/(2\\pi\\sigma^2)`.
* Wishart(φ, σ²): :math:`W = X X^T / m` with X an n×m matrix of N(0, σ²) entries and φ = n/m;
  its spectrum tends to the Marchenko–Pastur law with ratio φ (point mass 1 − 1/φ at 0 when φ > 1).
"""
from __future__ import annotations

import math

import numpy as np

from landscape import _validate

__all__ = [
    "sample_goe",
    "sample_wishart",
    "semicircle_density",
    "semicircle_cdf",
    "semicircle_log_potential",
    "marchenko_pastur_density",
    "marchenko_pastur_edges",
]


def sample_goe(n, batch=None, generator=None, *, variance: float = 1.0, device=None, dtype=None):
    """Sample GOE(n, σ²) matrices (torch), shape (n, n) or (batch, n, n).

    Off-diagonal entries have variance σ²/n and diagonal entries 2σ²/n, so that the
    empirical spectral measure tends to the semicircle law on [−2σ, 2σ].
    """
    import torch

    n = _validate.integer("n", n, minimum=1)
    variance = _validate.positive_float("variance", variance)
    shape = (n, n) if batch is None else (_validate.integer("batch", batch, minimum=1), n, n)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    A = torch.randn(shape, generator=generator, device=device, dtype=dtype or torch.float64)
    return (A + A.transpose(-1, -2)) * math.sqrt(variance / (2.0 * n))


def sample_wishart(n, m, batch=None, generator=None, *, variance: float = 1.0, device=None, dtype=None):
    """Sample :math:`XX^T/m` with X of shape (n, m), entries N(0, σ²); torch, (n, n) or (batch, n, n)."""
    import torch

    n = _validate.integer("n", n, minimum=1)
    m = _validate.integer("m", m, minimum=1)
    variance = _validate.positive_float("variance", variance)
    shape = (n, m) if batch is None else (_validate.integer("batch", batch, minimum=1), n, m)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    X = torch.randn(shape, generator=generator, device=device, dtype=dtype or torch.float64) * math.sqrt(variance)
    return X @ X.transpose(-1, -2) / m


def semicircle_density(x, variance: float = 1.0):
    """Wigner semicircle density with variance σ²: :math:`\\sqrt{4\\sigma^2-x^2}/(2\\pi\\sigma^2)` on [−2σ, 2σ].

    Examples
    --------
    >>> float(semicircle_density(0.0))   # 1/π
    0.3183098861837907
    """
    x = _validate.finite_array("x", x)
    variance = _validate.positive_float("variance", variance)
    inside = np.clip(4.0 * variance - x**2, 0.0, None)
    return np.sqrt(inside) / (2.0 * np.pi * variance)


def semicircle_cdf(x, variance: float = 1.0):
    """Cumulative distribution function of the semicircle law with variance σ²."""
    x = _validate.finite_array("x", x)
    variance = _validate.positive_float("variance", variance)
    t = np.clip(x / (2.0 * math.sqrt(variance)), -1.0, 1.0)
    return 0.5 + (t * np.sqrt(1.0 - t**2) + np.arcsin(t)) / np.pi


def semicircle_log_potential(x, variance: float = 1.0):
    """Logarithmic potential :math:`\\Phi(x) = \\int \\log|x-y|\\,\\rho_{sc}(y)\\,dy` of the semicircle law.

    Closed form (σ = 1; general σ by scaling, Φ_σ(x) = log σ + Φ_1(x/σ)):

    .. math:: \\Phi(x) = \\frac{x^2}{4} - \\frac12 \\quad (|x|\\le 2), \\qquad
              \\Phi(x) = \\frac{x^2}{4} - \\frac12 - \\frac{|x|\\sqrt{x^2-4}}{4}
                         + \\log\\frac{|x| + \\sqrt{x^2-4}}{2} \\quad (|x| > 2).

    This is the function that turns the expected log-determinant of a shifted GOE matrix into
    a closed form (Auffinger, Ben Arous & Černý 2013; Becker et al. 2020 eq. (8)).

    Examples
    --------
    >>> float(semicircle_log_potential(0.0))
    -0.5
    """
    x = _validate.finite_array("x", x)
    variance = _validate.positive_float("variance", variance)
    s = math.sqrt(variance)
    u = np.abs(x / s)
    out = u**2 / 4.0 - 0.5
    outside = u > 2.0
    if np.any(outside):
        uo = u[outside] if out.ndim else u
        root = np.sqrt(uo**2 - 4.0)
        corr = -uo * root / 4.0 + np.log((uo + root) / 2.0)
        if out.ndim:
            out[outside] += corr
        else:
            out = out + corr
    return out + math.log(s)


def marchenko_pastur_edges(ratio, variance: float = 1.0):
    """Support edges :math:`\\sigma^2(1\\mp\\sqrt{\\phi})^2` of the Marchenko–Pastur law."""
    ratio = _validate.positive_float("ratio", ratio)
    variance = _validate.positive_float("variance", variance)
    r = math.sqrt(ratio)
    return variance * (1.0 - r) ** 2, variance * (1.0 + r) ** 2


def marchenko_pastur_density(x, ratio, variance: float = 1.0):
    """Continuous part of the Marchenko–Pastur density with ratio φ = n/m and entry variance σ².

    .. math:: \\rho(x) = \\frac{\\sqrt{(\\lambda_+ - x)(x - \\lambda_-)}}{2\\pi\\sigma^2\\phi x}
              \\quad \\text{on } [\\lambda_-, \\lambda_+];

    for φ > 1 there is in addition a point mass 1 − 1/φ at zero (not included here).

    Examples
    --------
    >>> round(float(marchenko_pastur_density(1.0, 0.25)), 12)   # sqrt((2.25-1)(1-0.25))/(2π·0.25)
    0.616404444061
    """
    x = _validate.finite_array("x", x)
    lo, hi = marchenko_pastur_edges(ratio, variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.clip((hi - x) * (x - lo), 0.0, None)
        dens = np.where(x > 0, np.sqrt(inside) / (2.0 * np.pi * variance * ratio * x), 0.0)
    return dens
