"""Counting critical points of the H-spin spherical spin glass: over C and (in expectation) over R.

Critical points of :math:`\\mathcal H_\\Lambda(w) = \\Lambda^{-(H-1)/2}\\sum X_{i_1..i_H} w_{i_1}\\cdots w_{i_H}`
on the sphere are the real eigenvectors of the symmetrised coupling tensor ``T``:
:math:`T\\cdot w^{H-1} = \\lambda w`.  Two counts appear in Becker, Zhang & Lee (PRL 2020):

* eq. (5): the number of complex eigenpair classes of a generic tensor,
  :math:`N_C = ((H-1)^\\Lambda - 1)/(H-2)` — :func:`complex_count`;
* eq. (6): a hypergeometric expression presented as the expected number of real critical
  points — :func:`expected_real_count_eq6` (exactly as printed).  Eq. (6) is Breiding's
  (2017) expected number of real eigenvalues of a tensor with i.i.d. N(0,1) entries, which is
  *not* the spin-glass law: the spin-glass Hamiltonian is a Kostlan polynomial,
  :math:`\\mathbb E f(x)f(y) = (x\\cdot y)^H`.

:func:`expected_real_count` is the expected number of real critical-point pairs ±w for the
spin-glass law, from the Kac–Rice formula with the exact one-point density of the GOE:

.. math:: \\mathbb E\\,\\#\\{\\pm w\\} = \\sqrt 2\\,(H-1)^{\\Lambda/2} H^{-1/2}
          \\int_{\\mathbb R} R^{(\\Lambda)}_1(x)\\, e^{-x^2 (H-2)/(2H)}\\,dx ,

where :math:`R_1^{(n)}` is the eigenvalue density (normalised to n) of the n×n GOE with
matrix density ∝ exp(−tr X²/2).  It gives Λ for H = 2, √(3H−2) for Λ = 2, 1 for Λ = 1.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from landscape import _validate
from landscape.spin_glass.homotopy import EigenpairResult, complex_count_int, partial_symmetrize, tensor_eigenpairs, \
    tensor_eigenpairs_batch

__all__ = [
    "complex_count",
    "log_complex_count",
    "expected_real_count",
    "expected_real_count_eq6",
    "goe_weighted_density_integral",
    "sample_tensors",
    "real_counts",
    "monte_carlo_real_count",
    "growth_rate",
    "depth_peak",
    "becker_asymptotic_exponent",
    "tensor_eigenpairs",
    "tensor_eigenpairs_batch",
    "EigenpairResult",
]


#: Largest Λ accepted by :func:`expected_real_count` (the Hermite sweep costs O(Λ^1.5)).
MAX_LAMBDA_KAC_RICE = 20_000

# ---------------------------------------------------------------------------------------
# argument handling
# ---------------------------------------------------------------------------------------
def _lambda_h(Lambda, H, *, integer_lambda=False, min_H=2):
    lam = _validate.finite_array("Lambda", Lambda)
    h = _validate.finite_array("H", H)
    if np.any(lam < 1):
        raise ValueError(f"`Lambda` must be >= 1 (number of effective weights); got {Lambda!r}")
    if integer_lambda and np.any(lam != np.round(lam)):
        raise ValueError(f"`Lambda` must be an integer >= 1; got {Lambda!r}")
    if np.any(h < min_H) or np.any(h != np.round(h)):
        raise ValueError(f"`H` must be an integer >= {min_H} (order of the interaction); got {H!r}")
    lam, h = np.broadcast_arrays(lam, h)
    return lam.astype(float), h.astype(float)


def _out(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def _is_int_scalar(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


# ---------------------------------------------------------------------------------------
# eq. (5): complex count
# ---------------------------------------------------------------------------------------
def log_complex_count(Lambda, H):
    """Natural log of :func:`complex_count` (vectorised, real Λ ≥ 1 allowed)."""
    lam, h = _lambda_h(Lambda, H)
    out = np.empty_like(lam)
    two = h == 2
    out[two] = np.log(lam[two])
    hh, ll = h[~two], lam[~two]
    # log((H-1)^Λ - 1) - log(H-2) without overflow: Λ log(H-1) + log1p(-(H-1)^(-Λ))
    out[~two] = ll * np.log(hh - 1) + np.log1p(-np.exp(-ll * np.log(hh - 1))) - np.log(hh - 2)
    return _out(out)


def complex_count(Lambda, H, *, log: bool = False):
    """Number of complex critical-point classes, Becker et al. 2020 eq. (5).

    Parameters
    ----------
    Lambda : int or float or array, >= 1   number of (effective) weights Λ
    H : int or array, >= 2                 order of the interaction (number of weight layers)
    log : bool                             return the natural logarithm

    Returns
    -------
    int when ``Lambda`` and ``H`` are Python/numpy integers (exact, arbitrary size), else float
    (array). For H = 2 the value is the limit Λ (a generic symmetric matrix has Λ eigenvector
    lines).

    Notes
    -----
    :math:`N_C = ((H-1)^\\Lambda - 1)/(H-2)` counts eigenpair classes
    :math:`(x,\\lambda) \\sim (tx, t^{H-2}\\lambda)`, :math:`t\\in\\mathbb C^*`, of a generic tensor,
    i.e. critical points of the Hamiltonian on the complex quadric :math:`w\\cdot w = \\Lambda`
    with :math:`\\pm w` identified (Cartwright & Sturmfels 2013, Thm. 1.2).  For non-integer Λ
    (the papers' Λ(N_e, H)) the formula is evaluated as a real function.

    Examples
    --------
    >>> complex_count(5, 3), complex_count(5, 4), complex_count(4, 2)
    (31, 121, 4)
    """
    if not log and _is_int_scalar(Lambda) and _is_int_scalar(H):
        return complex_count_int(int(Lambda), int(H))
    lg = log_complex_count(Lambda, H)
    return lg if log else _out(np.exp(lg))


# ---------------------------------------------------------------------------------------
# eq. (6) as printed
# ---------------------------------------------------------------------------------------
def _log_eq6_scalar(L: float, H: float) -> float:
    import mpmath as mp

    with mp.workdps(30):
        L = mp.mpf(L)
        H = mp.mpf(H)
        pref = ((L - 1) * mp.log(2) + L / 2 * mp.log(H - 1) + mp.loggamma(L - mp.mpf(1) / 2)
                - mp.log(mp.pi) / 2 - (L - mp.mpf(1) / 2) * mp.log(H) - mp.loggamma(L))
        f1 = mp.hyp2f1(1, L - mp.mpf(1) / 2, mp.mpf(3) / 2, (H - 2) / H, maxterms=10**7)
        f2 = mp.hyp2f1(1, L - mp.mpf(1) / 2, (L + 1) / 2, 1 / H, maxterms=10**7)
        return float(pref + mp.log(2 * (L - 1) * f1 + f2))


def expected_real_count_eq6(Lambda, H, *, log: bool = False):
    """Becker et al. 2020, eq. (6), exactly as printed (mpmath, log space).

    .. math:: N_R = \\frac{2^{\\Lambda-1}(H-1)^{\\Lambda/2}\\Gamma(\\Lambda-\\frac12)}{\\sqrt\\pi\\,H^{\\Lambda-\\frac12}\\Gamma(\\Lambda)}
              \\Big[2(\\Lambda-1)\\,{}_2F_1(1,\\Lambda-\\tfrac12;\\tfrac32;\\tfrac{H-2}{H})
              + {}_2F_1(1,\\Lambda-\\tfrac12;\\tfrac{\\Lambda+1}{2};\\tfrac1H)\\Big]

    Parameters
    ----------
    Lambda : float or array, >= 1 (non-integer allowed, as in the paper's figures)
    H : int or array, >= 2
    log : bool   return log N_R (use for Λ beyond ~700, where N_R overflows a float)

    Notes
    -----
    This is Breiding's (2017, SIAGA 1:254) expected number of real eigenvalues of a tensor
    in :math:`(\\mathbb R^\\Lambda)^{\\otimes H}` with i.i.d. N(0,1) entries (n = Λ, d + 1 = H);
    for H = 2 it is Edelman–Kostlan–Shub's count for a Ginibre matrix (√2 at Λ = 2).  It is
    *not* the expected count for the spin-glass Hamiltonian: see :func:`expected_real_count`.

    Examples
    --------
    >>> round(expected_real_count_eq6(2, 3), 12)   # = sqrt(H) at Λ = 2
    1.732050807569
    """
    lam, h = _lambda_h(Lambda, H)
    flat = np.array([_log_eq6_scalar(a, b) for a, b in zip(lam.ravel(), h.ravel())]).reshape(lam.shape)
    return _out(flat if log else np.exp(flat))


# ---------------------------------------------------------------------------------------
# the correct expected real count for the spin-glass (Kostlan) law
# ---------------------------------------------------------------------------------------
def _hermite_grid(n_max: int, x: np.ndarray):
    """Yield (n, phi_{n-1}(x), phi_n(x), I_{n-1}(x), I_n(x), S_n(x)) for n = 1..n_max.

    phi_k are the orthonormal Hermite functions, I_k(x) = ∫_{-∞}^x phi_k, S_n = Σ_{k<n} phi_k².
    """
    from scipy.special import ndtr

    p_prev = np.zeros_like(x)
    p = np.pi ** -0.25 * np.exp(-x * x / 2)  # phi_0
    i_prev = np.zeros_like(x)  # I_{-1} unused (multiplied by 0)
    i_cur = np.pi ** -0.25 * math.sqrt(2 * math.pi) * ndtr(x)  # I_0
    S = np.zeros_like(x)
    for k in range(0, n_max):
        # advance: phi_{k+1} = sqrt(2/(k+1)) x phi_k - sqrt(k/(k+1)) phi_{k-1}
        p_next = math.sqrt(2.0 / (k + 1)) * x * p - math.sqrt(k / (k + 1)) * p_prev
        i_next = math.sqrt(k / (k + 1)) * i_prev - math.sqrt(2.0 / (k + 1)) * p
        S = S + p * p
        yield k + 1, p, p_next, i_cur, i_next, S
        p_prev, p = p, p_next
        i_prev, i_cur = i_cur, i_next


def _hermite_total_integrals(n_max: int) -> np.ndarray:
    """∫_R phi_k for k = 0..n_max (zero for odd k)."""
    out = np.zeros(n_max + 1)
    out[0] = np.pi ** -0.25 * math.sqrt(2 * math.pi)
    for k in range(1, n_max):
        out[k + 1] = math.sqrt(k / (k + 1)) * out[k - 1]
    return out


@lru_cache(maxsize=64)
def _weighted_integrals(n_max: int, c: float, h: float | None = None) -> np.ndarray:
    """∫ R_1^{(n)}(x) exp(-c x²) dx for n = 1..n_max (GOE, density ∝ exp(-tr X²/2)).

    Trapezoid rule with step h: R_1^{(n)} contains oscillations up to angular frequency
    2√(2n); the default h keeps the aliasing frequency 2π/h above twice that plus a margin.
    """
    if c <= 0:
        return np.arange(1, n_max + 1, dtype=float)  # ∫ R_1 = n
    if h is None:
        h = min(0.02, math.pi / (2.0 * math.sqrt(2.0 * n_max) + 20.0))
    half = math.sqrt(40.0 / c) + 2.0  # exp(-c x²) < e^{-40} outside; R_1 = O(sqrt n) there
    half = min(half, math.sqrt(2.0 * n_max) + 12.0)
    x = np.arange(-half, half + h / 2, h)
    w = np.exp(-c * x * x) * h
    tot = _hermite_total_integrals(n_max + 1)
    out = np.empty(n_max)
    for n, p_nm1, p_n, i_nm1, i_n, S in _hermite_grid(n_max, x):
        eps = i_n - 0.5 * tot[n]  # ∫ ε(x - t) phi_n(t) dt with ε = sgn/2
        R = S + math.sqrt(n / 2.0) * p_nm1 * eps
        if n % 2 == 1:
            R = R + p_nm1 / tot[n - 1]
        out[n - 1] = float(np.dot(R, w))
    return out


def goe_weighted_density_integral(n, c):
    """:math:`\\int R_1^{(n)}(x) e^{-c x^2} dx` for the n×n GOE (matrix density ∝ exp(−tr X²/2)).

    Exact one-point density (Mehta 2004, ch. 7) through the Hermite-function recurrences;
    trapezoid rule on a grid fine enough for its oscillations (spectrally accurate).
    """
    n = _validate.integer("n", n, minimum=1, maximum=MAX_LAMBDA_KAC_RICE)
    c = float(c)
    if not np.isfinite(c) or c < 0:
        raise ValueError(f"`c` must be a finite number >= 0; got {c!r}")
    return float(_weighted_integrals(n, c)[n - 1])


def _log_kostlan_integer(L: np.ndarray, H: float) -> np.ndarray:
    """log E #{±w} for integer Λ (array) and one H."""
    if H == 2:
        return np.log(L)
    c = (H - 2.0) / (2.0 * H)
    n_max = int(L.max())
    integ = _weighted_integrals(n_max, c)
    Li = L.astype(int)
    return 0.5 * math.log(2.0) + Li / 2.0 * math.log(H - 1.0) - 0.5 * math.log(H) + np.log(integ[Li - 1])


def expected_real_count(Lambda, H, *, log: bool = False):
    """Expected number of real critical-point pairs ±w of the H-spin spherical spin glass.

    Parameters
    ----------
    Lambda : int or float or array, >= 1   (≤ 20000; cost O(Λ · grid), 0.5 s at Λ = 10⁴)
    H : int or array, >= 2
    log : bool   return the natural logarithm

    Returns
    -------
    float or ndarray

    Notes
    -----
    Kac–Rice for the Kostlan field :math:`\\mathbb E f(x)f(y) = (x\\cdot y)^H` on the unit sphere
    (the spin-glass law; the normalisation does not change the count): at a point, the
    Riemannian gradient is N(0, H I), independent of the Hessian
    :math:`\\sqrt{H(H-1)}\\,G - H f\\, I` with G a GOE (diagonal variance 2, off-diagonal 1)
    independent of f ~ N(0, 1).  Integrating the GOE one-point density against the law of f
    gives the formula in the module docstring (cf. Auffinger, Ben Arous & Černý 2013,
    Thm. 2.5/Lemma 3.2, for the same reduction).  Each pair ±w is counted once; the number of
    critical points on the sphere is twice this.  For non-integer Λ (the papers' Λ(N_e, H)),
    log N is interpolated linearly between the neighbouring integers — the count itself is
    only defined at integers.

    Examples
    --------
    >>> round(expected_real_count(2, 3), 10), round(7 ** 0.5, 10)   # Λ = 2: sqrt(3H - 2)
    (2.6457513111, 2.6457513111)
    """
    lam, h = _lambda_h(Lambda, H)
    if np.any(lam > MAX_LAMBDA_KAC_RICE):
        raise ValueError(f"`Lambda` must be <= {MAX_LAMBDA_KAC_RICE} for expected_real_count; got max {lam.max()}")
    out = np.empty(lam.shape)
    lo = np.floor(lam)
    hi = np.ceil(lam)
    frac = lam - lo
    for hv in np.unique(h):
        m = h == hv
        a = _log_kostlan_integer(lo[m], float(hv))
        b = _log_kostlan_integer(hi[m], float(hv))
        out[m] = (1 - frac[m]) * a + frac[m] * b
    return _out(out if log else np.exp(out))


# ---------------------------------------------------------------------------------------
# Monte Carlo: sampling tensors and counting real eigenpairs by solving
# ---------------------------------------------------------------------------------------
def sample_tensors(n, Lambda, H, generator=None, *, model: str = "spin_glass"):
    """Draw ``n`` coupling tensors as a float64 numpy array (n, Λ, ..., Λ).

    ``model="spin_glass"``: :func:`landscape.spin_glass.hamiltonian.sample_couplings` (i.i.d. N(0,1)
    couplings, symmetrised — the spin-glass/Kostlan law).
    ``model="iid"``: i.i.d. N(0,1) entries, averaged over the last H−1 slots only (Breiding 2017's
    non-symmetric model; the average leaves its eigenpairs unchanged).

    The entries are drawn on ``generator``'s device (the CPU without a generator) and returned on
    the CPU, as numpy: the homotopy solver (:mod:`landscape.spin_glass.homotopy`) that counts their
    eigenpairs is numpy.
    """
    import torch

    from landscape.spin_glass import hamiltonian as spin_glass

    n = _validate.integer("n", n, minimum=1)
    Lambda = _validate.integer("Lambda", Lambda, minimum=1)
    H = _validate.integer("H", H, minimum=2)
    _validate.choice("model", model, ("spin_glass", "iid"))
    device = generator.device if generator is not None else torch.device("cpu")
    if model == "spin_glass":
        return np.stack([spin_glass.sample_couplings(Lambda, H, generator, dtype=torch.float64,
                                                     device=device).tensor.cpu().numpy() for _ in range(n)])
    raw = torch.randn((n,) + (Lambda,) * H, generator=generator, device=device, dtype=torch.float64).cpu().numpy()
    return np.stack([partial_symmetrize(t) for t in raw])


def real_counts(tensors, *, rng, symmetric="full", progress=None):
    """Number of real eigenpair classes of each tensor (solved exactly by homotopy).

    ``rng`` (a numpy Generator, required) drives the homotopy's random γ, start tensor and chart.

    Returns
    -------
    counts : int ndarray (n,), lost : int ndarray (n,) (classes the homotopy failed to find)
    """
    res = tensor_eigenpairs_batch(tensors, rng=rng, symmetric=symmetric, progress=progress)
    return np.array([r.n_real for r in res]), np.array([r.n_lost for r in res])


def monte_carlo_real_count(Lambda, H, n_tensors, generator=None, *, rng, model="spin_glass",
                           progress=None):
    """Monte Carlo estimate of the expected number of real eigenpair classes (pairs ±w).

    ``generator`` (torch, on any device: :func:`sample_tensors`) draws the tensors; ``rng`` (numpy
    Generator, required) drives the homotopy, which runs on the CPU.

    Returns
    -------
    dict with ``mean``, ``se`` (standard error), ``counts``, ``lost`` (total lost classes),
    ``n`` (tensors), ``Lambda``, ``H``, ``model``.
    """
    T = sample_tensors(n_tensors, Lambda, H, generator, model=model)
    counts, lost = real_counts(T, rng=rng, symmetric="full" if model == "spin_glass" else "tail",
                               progress=progress)
    return {"Lambda": int(Lambda), "H": int(H), "model": model, "n": int(n_tensors),
            "mean": float(counts.mean()), "se": float(counts.std(ddof=1) / math.sqrt(len(counts))) if len(counts) > 1 else float("nan"),
            "counts": counts, "lost": int(lost.sum())}


# ---------------------------------------------------------------------------------------
# asymptotics
# ---------------------------------------------------------------------------------------
def growth_rate(Lambda, log_count):
    """Least-squares slope of log N against Λ (the exponential growth rate per effective weight)."""
    lam = _validate.finite_array("Lambda", Lambda)
    y = _validate.finite_array("log_count", log_count)
    if lam.shape != y.shape or lam.size < 2:
        raise ValueError("`Lambda` and `log_count` must be arrays of the same length >= 2")
    return float(np.polyfit(lam, y, 1)[0])


def depth_peak(H, counts) -> dict:
    """Where a count of critical points peaks over depth, and whether it rises to the peak and falls after it.

    The shape of Becker et al. 2020, Fig. 1 (eq. (6) against H at fixed N_e) and of arXiv Fig. 2
    (eq. (5) against H at fixed N_e): at a fixed number of parameters the count first increases,
    then decreases with the number of layers.

    Parameters
    ----------
    H : 1-d array of strictly increasing depths (at least two)
    counts : the count at each depth, same length (finite)

    Returns
    -------
    dict with ``argmax_H`` (int, the first depth of largest count), ``index`` (its position in ``H``), ``max`` (that count),
    ``increasing_before`` (the count rises strictly at every step up to the peak) and
    ``decreasing_after`` (it falls strictly at every step after the peak).

    Examples
    --------
    >>> depth_peak([2, 3, 4, 5], [1.0, 3.0, 2.0, 0.5])
    {'argmax_H': 3, 'index': 1, 'max': 3.0, 'increasing_before': True, 'decreasing_after': True}
    """
    h = _validate.finite_array("H", H)
    y = _validate.finite_array("counts", counts)
    if h.ndim != 1 or h.size < 2 or h.shape != y.shape:
        raise ValueError(f"`H` and `counts` must be 1-d arrays of the same length >= 2; got shapes {h.shape} and {y.shape}")
    if np.any(np.diff(h) <= 0):
        raise ValueError(f"`H` must be strictly increasing; got {H!r}")
    k = int(np.argmax(y))
    return {"argmax_H": int(h[k]), "index": k, "max": float(y[k]),
            "increasing_before": bool(np.all(np.diff(y[:k + 1]) > 0)),
            "decreasing_after": bool(np.all(np.diff(y[k:]) < 0))}


def becker_asymptotic_exponent(N_e, H, n0):
    """The exponent printed after eq. (6) of Becker et al. 2020:
    :math:`\\log H\\, n_0^{1/H} N_e^{(H-1)/(2H)} / (2 (H-2)^{(H-1)/(2H)})` (read as (log H)·n0^{1/H}).

    Since Λ ≈ n0^{1/H} (N_e/(H−2))^{(H−1)/(2H)} for large N_e, this is (log H / 2)·Λ.
    """
    N_e = _validate.finite_array("N_e", N_e)
    lam, h = _lambda_h(1.0, H, min_H=3)
    n0 = _validate.finite_array("n0", n0)
    if np.any(N_e <= 0) or np.any(n0 <= 0):
        raise ValueError("`N_e` and `n0` must be positive")
    e = (h - 1) / (2 * h)
    return _out(np.log(h) * n0 ** (1 / h) * N_e**e / (2 * (h - 2) ** e))
