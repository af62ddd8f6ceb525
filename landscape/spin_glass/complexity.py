"""Complexity of the spherical H-spin glass: Θ functions, the energy barrier and the thresholds E_k.

Implements §4 of Choromanska et al. (2015) and the supplement's Theorems 11.1–11.2, which
restate results of Auffinger, Ben Arous & Černý (2013) (ABČ).  Energies are per unit Λ: the
Hamiltonian of eq. (2) on |w|² = Λ has critical values Λu, and the band of low critical
values is :math:`u \\in (-E_0(H), -E_\\infty(H))`.

* :func:`energy_barrier` — :math:`E_\\infty(H) = 2\\sqrt{(H-1)/H}`;
* :func:`rate` — the large-deviation rate :math:`I(u)` of the largest GOE eigenvalue in the
  energy variable;
* :func:`theta` — :math:`\\Theta_H(u)` and :math:`\\Theta_{k,H}(u)` (Theorem 4.1);
* :func:`index_threshold` — :math:`E_k(H)`, the zero of :math:`\\Theta_{k,H}` below :math:`-E_\\infty`;
* :func:`log_mean_critical_points`, :func:`log_mean_minima` — Theorems 11.1 and 11.2
  (exponential rate plus the prefactors).

Θ and I are defined for every H ≥ 2, but for H = 2 the value
:math:`\\Theta_{k,2}(-E_\\infty) = \\tfrac12\\log 1 - 0 = 0`, so every :math:`E_k(2)` equals
:math:`E_\\infty(2)` and there is no band: :func:`index_threshold` and the prefactors of
Theorems 11.1–11.2 require H ≥ 3.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate, optimize, special

from landscape import _validate

__all__ = [
    "energy_barrier",
    "rate",
    "theta",
    "theta_k_as_printed",
    "index_threshold",
    "index_threshold_mp",
    "log_mean_critical_points",
    "log_mean_minima",
    "log_mean_critical_points_bulk",
    "minima_level",
    "E0_LITERATURE",
]

#: E_0(3) as quoted in the literature to the digits given there: ABČ (2013) state
#: E_0(3) ≈ 1.657 (and E_∞(3) ≈ 1.633); it equals the zero-temperature (1RSB) ground-state
#: energy of the spherical 3-spin model of Crisanti & Sommers (1992), −1.657.
E0_LITERATURE = {3: (1.657, 1e-3)}


# ---------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------
def _H(H, minimum=2):
    return _validate.integer("H", H, minimum=minimum)


def _u(u):
    return _validate.finite_array("u", u)


def _k(k):
    return _validate.integer("k", k, minimum=0)


def _out(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


# ---------------------------------------------------------------------------------------
# E_∞, I, Θ
# ---------------------------------------------------------------------------------------
def energy_barrier(H):
    """The energy barrier :math:`E_\\infty(H) = 2\\sqrt{(H-1)/H}`.

    Parameters
    ----------
    H : int >= 2   order of the interaction (depth of the network)

    Returns
    -------
    float

    Notes
    -----
    Choromanska et al. (2015), §4 (definition above Theorem 4.1); ABČ (2013), eq. (2.11).
    Index-k critical points with k fixed concentrate below :math:`-\\Lambda E_\\infty`.

    Examples
    --------
    >>> round(energy_barrier(3), 12)   # 2 sqrt(2/3)
    1.632993161855
    """
    H = _H(H)
    return 2.0 * math.sqrt((H - 1) / H)


def rate(u, H):
    """:math:`I(u)` of Choromanska et al. (2015), §4, for :math:`u \\le -E_\\infty(H)`.

    .. math:: I(u) = -\\frac{u}{E_\\infty^2}\\sqrt{u^2-E_\\infty^2}
                     - \\log\\big(-u+\\sqrt{u^2-E_\\infty^2}\\big) + \\log E_\\infty .

    Parameters
    ----------
    u : float or array, every entry <= -E_∞(H)
    H : int >= 2

    Returns
    -------
    float or ndarray, >= 0, zero exactly at u = -E_∞

    Notes
    -----
    With :math:`v = -u\\sqrt{H/(2(H-1))}`, :math:`I(u) = I_1(v) = \\int_{\\sqrt2}^{v}\\sqrt{x^2-2}\\,dx`,
    the rate function of the largest eigenvalue of a GOE matrix with semicircle on
    :math:`[-\\sqrt2, \\sqrt2]` (ABČ 2013, eq. (2.9)); the identity is tested.

    Examples
    --------
    >>> rate(-energy_barrier(3), 3)
    0.0
    """
    H = _H(H)
    u = _u(u)
    E = energy_barrier(H)
    if np.any(u > -E * (1 - 1e-14)):
        raise ValueError(f"`u` must be <= -E_inf(H) = {-E!r} for I(u); got {u!r}")
    u = np.minimum(u, -E)
    root = np.sqrt(np.maximum(u * u - E * E, 0.0))
    val = -u / E**2 * root - np.log((-u + root) / E)
    return _out(np.maximum(val, 0.0))


def theta(u, H, k=None):
    """:math:`\\Theta_H(u)` (``k=None``) or :math:`\\Theta_{k,H}(u)` (``k >= 0``), vectorised over u.

    .. math::
        \\Theta_H(u) = \\begin{cases}
          \\tfrac12\\log(H-1) - \\tfrac{H-2}{4(H-1)}u^2 - I(u), & u \\le -E_\\infty\\\\
          \\tfrac12\\log(H-1) - \\tfrac{H-2}{4(H-1)}u^2, & -E_\\infty \\le u \\le 0\\\\
          \\tfrac12\\log(H-1), & u \\ge 0 \\end{cases}

        \\Theta_{k,H}(u) = \\begin{cases}
          \\tfrac12\\log(H-1) - \\tfrac{H-2}{4(H-1)}u^2 - (k+1) I(u), & u \\le -E_\\infty\\\\
          \\tfrac12\\log(H-1) - \\tfrac{H-2}{H}, & u \\ge -E_\\infty \\end{cases}

    Parameters
    ----------
    u : float or array (finite)   energy per unit Λ
    H : int >= 2
    k : int >= 0 or None          index of the critical points counted

    Returns
    -------
    float or ndarray — :math:`\\lim \\Lambda^{-1}\\log\\mathbb E\\,\\mathcal C_\\Lambda(u)` (resp.
    :math:`\\mathcal C_{\\Lambda,k}(u)`), the mean number of critical points (of index k) with
    value below Λu (Theorem 4.1).

    Notes
    -----
    Choromanska et al. (2015), §4, Theorem 4.1, from ABČ (2013), Theorems 2.5 and 2.8.  For
    :math:`u \\ge -E_\\infty` this module uses ABČ's constant branch of :math:`\\Theta_{k,H}`;
    Choromanska et al. print :math:`\\tfrac12\\log(H-1) - \\tfrac{H-2}{4(H-1)}u^2` there, which is
    not non-decreasing (it falls for u > 0) although :math:`\\mathcal C_{\\Lambda,k}(u)` counts
    points below Λu; that printed form is available as :func:`theta_k_as_printed`.

    Examples
    --------
    >>> round(theta(0.0, 3), 12) == round(0.5 * math.log(2), 12)
    True
    >>> round(theta(5.0, 3, k=2), 12) == round(0.5 * math.log(2) - 1 / 3, 12)
    True
    """
    H = _H(H)
    u = _u(u)
    if k is not None:
        k = _k(k)
    E = energy_barrier(H)
    base = 0.5 * math.log(H - 1) - (H - 2) / (4.0 * (H - 1)) * u * u
    below = u <= -E
    I = np.zeros_like(u, dtype=float)
    if np.any(below):
        I[below] = rate(u[below], H)
    if k is None:
        out = np.where(below, base - I, np.where(u <= 0, base, 0.5 * math.log(H - 1)))
    else:
        out = np.where(below, base - (k + 1) * I, 0.5 * math.log(H - 1) - (H - 2) / H)
    return _out(out)


def theta_k_as_printed(u, H, k):
    """:math:`\\Theta_{k,H}` exactly as printed by Choromanska et al. (2015), §4 (for the erratum).

    Same as :func:`theta` for :math:`u \\le -E_\\infty`; for :math:`u \\ge -E_\\infty` the
    printed branch :math:`\\tfrac12\\log(H-1) - \\tfrac{H-2}{4(H-1)}u^2`.

    Examples
    --------
    >>> theta_k_as_printed(1.0, 3, 0) < theta_k_as_printed(0.0, 3, 0)   # decreases for u > 0
    True
    """
    H = _H(H)
    u = _u(u)
    k = _k(k)
    E = energy_barrier(H)
    printed = 0.5 * math.log(H - 1) - (H - 2) / (4.0 * (H - 1)) * u * u
    return _out(np.where(u <= -E, theta(u, H, k), printed))


# ---------------------------------------------------------------------------------------
# thresholds E_k(H)
# ---------------------------------------------------------------------------------------
def _threshold_scalar(H: int, k: int) -> float:
    E = energy_barrier(H)
    f = lambda u: float(theta(u, H, k))  # noqa: E731
    hi = -E
    if not f(hi) > 0:  # pragma: no cover - excluded by H >= 3
        raise ValueError(f"Θ_(k,H)(-E_inf) <= 0 for `H`={H}: no band")
    lo = -2.0 * E
    while f(lo) >= 0:
        lo *= 2.0
    return -optimize.brentq(f, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)


def index_threshold(H, k=0):
    """The threshold :math:`E_k(H)`: :math:`-E_k` is the zero of :math:`\\Theta_{k,H}` below :math:`-E_\\infty`.

    ``index_threshold(H, 0)`` is the ground-state level :math:`E_0(H)`: below :math:`-\\Lambda E_0`
    there are (asymptotically) no critical points; below :math:`-\\Lambda E_k` none of index ≥ k.

    Parameters
    ----------
    H : int >= 3   (for H = 2 all E_k coincide with E_∞ and there is no band)
    k : int >= 0, or an array of them

    Returns
    -------
    float (or ndarray for array k), with :math:`E_0 > E_1 > \\dots > E_\\infty`

    Notes
    -----
    Choromanska et al. (2015), §4 ("layered structure"); ABČ (2013), eq. (2.12)–(2.13).
    :math:`\\Theta_{k,H}` is strictly increasing on :math:`(-\\infty, -E_\\infty]`, negative far
    left and equal to :math:`\\tfrac12\\log(H-1) - (H-2)/H > 0` at :math:`-E_\\infty` for H ≥ 3,
    so the zero is unique; it is bracketed and found with Brent's method to full double
    precision (checked against a 30-digit mpmath root in the tests).

    Examples
    --------
    >>> round(index_threshold(3, 0), 8)
    1.65699836
    """
    H = _H(H, minimum=3)
    ks = np.asarray(k)
    if ks.ndim == 0:
        return _threshold_scalar(H, _k(k))
    return np.array([_threshold_scalar(H, _k(int(x) if float(x).is_integer() else x)) for x in ks.ravel()]
                    ).reshape(ks.shape)


def index_threshold_mp(H, k=0, dps: int = 40) -> float:
    """:math:`E_k(H)` recomputed in ``dps``-digit arithmetic, straight from the printed formula.

    An independent reference for :func:`index_threshold`: :math:`\\Theta_{k,H}(u)` is written out
    as printed in Choromanska et al. (2015), §4 (with :math:`I_1` of ABČ 2013, eq. (2.12)), and its
    root in :math:`(-3E_\\infty, -E_\\infty)` is found by mpmath's Anderson solver, so neither the
    arithmetic nor the root finder is shared with the double-precision Brent root.

    Examples
    --------
    >>> abs(index_threshold_mp(3, 0) - index_threshold(3, 0)) < 1e-13
    True
    """
    import mpmath as mp

    H, k = _H(H, minimum=3), _k(k)
    dps = _validate.integer("dps", dps, minimum=16)
    with mp.workdps(dps):
        E = 2 * mp.sqrt(mp.mpf(H - 1) / H)

        def theta_printed(u):
            r = mp.sqrt(u**2 - E**2)
            I1 = -u / E**2 * r - mp.log(-u + r) + mp.log(E)
            return mp.log(H - 1) / 2 - (H - 2) * u**2 / (4 * (H - 1)) - (k + 1) * I1

        return -float(mp.findroot(theta_printed, (-3 * E, -E), solver="anderson"))


# ---------------------------------------------------------------------------------------
# Theorems 11.1 and 11.2: asymptotics with prefactors
# ---------------------------------------------------------------------------------------
def _v(u, H):
    return -u * math.sqrt(H / (2.0 * (H - 1)))


def _log_prefactor_below(u, H):
    """log of h(v)/sqrt(2Hπ) · exp(I1(v) − v I1'(v)/2) / (−Φ'(v) + I1'(v)) for u < −E_∞."""
    v = _v(u, H)
    s2 = math.sqrt(2.0)
    root = np.sqrt(v * v - 2.0)  # I1'(v)
    h = np.abs((v - s2) / (v + s2)) ** 0.25 + np.abs((v + s2) / (v - s2)) ** 0.25
    # I1(v) - v I1'(v)/2 = -log((v + sqrt(v^2-2))/sqrt 2)
    log_exp = -np.log((v + root) / s2)
    dphi = -(H - 2) / H * v  # Φ'(v), Φ(v) = -(H-2) v^2 / (2H)
    return np.log(h) - 0.5 * math.log(2 * H * math.pi) + log_exp - np.log(-dphi + root)


def log_mean_critical_points(u, H, Lambda):
    """Natural log of the asymptotic mean number of critical values below Λu (Theorem 11.1).

    .. math::
        \\mathbb E\\,\\mathcal C_\\Lambda(u) \\simeq \\begin{cases}
          \\frac{h(v)}{\\sqrt{2H\\pi}}\\frac{e^{I_1(v)-\\frac v2 I_1'(v)}}{-\\Phi'(v)+I_1'(v)}\\,\\Lambda^{-1/2}e^{\\Lambda\\Theta_H(u)}, & u < -E_\\infty\\\\
          \\frac{2\\,\\mathrm{Ai}(0)\\sqrt{2H}}{3(H-2)}\\,\\Lambda^{-1/3} e^{\\Lambda\\Theta_H(u)}, & u = -E_\\infty\\\\
          \\frac{2\\sqrt{2H(E_\\infty^2-u^2)}}{(2-H)\\pi u}\\,e^{\\Lambda\\Theta_H(u)}, & -E_\\infty < u < 0\\\\
          \\frac{4\\sqrt2}{\\sqrt{\\pi(H-2)}}\\,\\Lambda^{1/2} e^{\\Lambda\\Theta_H(0)}, & u > 0
        \\end{cases}

    with :math:`v = -u\\sqrt{H/(2(H-1))}`, :math:`\\Phi(v) = -\\frac{H-2}{2H}v^2`,
    :math:`h(v) = |\\frac{v-\\sqrt2}{v+\\sqrt2}|^{1/4} + |\\frac{v+\\sqrt2}{v-\\sqrt2}|^{1/4}`,
    :math:`I_1(v) = \\int_{\\sqrt2}^v\\sqrt{|x^2-2|}dx`.

    Parameters
    ----------
    u : float or array, finite, u != 0 (the printed statement has no u = 0 case)
    H : int >= 3
    Lambda : float > 0

    Returns
    -------
    float or ndarray: :math:`\\log\\mathbb E\\,\\mathcal C_\\Lambda(u)` up to a (1 + o(1)) factor

    Notes
    -----
    Choromanska et al. (2015), supplement Theorem 11.1 (from ABČ 2013, Theorem 2.17).  Each
    regime is an asymptotic statement at fixed u; near :math:`u = -E_\\infty` and u = 0 the
    fixed-u prefactors diverge or vanish and the crossover scales are
    :math:`|u+E_\\infty| \\sim \\Lambda^{-2/3}` and :math:`|u| \\sim \\Lambda^{-1/2}`.

    Examples
    --------
    >>> import math
    >>> x = log_mean_critical_points(1.0, 3, 1000)   # ≈ log(4 sqrt2/sqrt(pi) sqrt(1000) 2^500)
    >>> round(x - 500 * math.log(2), 6) == round(math.log(4 * math.sqrt(2) / math.sqrt(math.pi) * math.sqrt(1000)), 6)
    True
    """
    H = _H(H, minimum=3)
    u = _u(u)
    Lambda = _validate.positive_float("Lambda", Lambda)
    if np.any(u == 0):
        raise ValueError("`u` must be != 0 (Theorem 11.1 has no u = 0 case)")
    E = energy_barrier(H)
    th = np.asarray(theta(u, H), dtype=float)
    out = np.empty_like(u, dtype=float)
    below = u < -E
    at = u == -E
    mid = (u > -E) & (u < 0)
    above = u > 0
    if np.any(below):
        out[below] = _log_prefactor_below(u[below], H) - 0.5 * math.log(Lambda) + Lambda * th[below]
    if np.any(at):
        c = 2 * special.airy(0.0)[0] * math.sqrt(2 * H) / (3 * (H - 2))
        out[at] = math.log(c) - math.log(Lambda) / 3 + Lambda * th[at]
    if np.any(mid):
        um = u[mid]
        c = 2 * np.sqrt(2 * H * (E * E - um * um)) / ((2 - H) * math.pi * um)
        out[mid] = np.log(c) + Lambda * th[mid]
    if np.any(above):
        c = 4 * math.sqrt(2) / math.sqrt(math.pi * (H - 2))
        out[above] = math.log(c) + 0.5 * math.log(Lambda) + Lambda * 0.5 * math.log(H - 1)
    return _out(out)


def log_mean_minima(u, H, Lambda):
    """Natural log of the asymptotic mean number of local minima below Λu, u < −E_∞ (Theorem 11.2).

    Parameters
    ----------
    u : float or array, every entry < -E_∞(H)
    H : int >= 3
    Lambda : float > 0

    Returns
    -------
    float or ndarray

    Notes
    -----
    Choromanska et al. (2015), supplement Theorem 11.2 (ABČ 2013, Theorem 2.17): below the
    barrier the minima have the same asymptotics as all critical points, prefactor included,
    and :math:`\\Theta_{0,H} = \\Theta_H` there.

    Examples
    --------
    >>> log_mean_minima(-1.64, 3, 1000) == log_mean_critical_points(-1.64, 3, 1000)
    True
    """
    H = _H(H, minimum=3)
    u = _u(u)
    E = energy_barrier(H)
    if np.any(u >= -E):
        raise ValueError(f"`u` must be < -E_inf(H) = {-E!r} for Theorem 11.2; got {u!r}")
    return log_mean_critical_points(u, H, Lambda)


def log_mean_critical_points_bulk(u, H, Lambda):
    r"""log of the Kac–Rice integral for the mean number of critical values below Λu, semicircle density.

    .. math:: \mathbb E\,\mathcal C_\Lambda(u) \approx 2\Lambda\sqrt{2/H}\,(H-1)^{\Lambda/2}
              \int_{v}^{\sqrt2} e^{-\Lambda\frac{H-2}{2H}x^2}\,\frac{\sqrt{2-x^2}}{\pi}\,dx,
              \qquad v = -u\sqrt{H/(2(H-1))},

    i.e. the exact Kac–Rice representation of ABČ (2013, §3: the Hessian at a critical point
    of value Λu is a shifted GOE matrix) with the finite-Λ GOE eigenvalue density replaced by
    the semicircle on :math:`[-\sqrt2, \sqrt2]`.  For :math:`u > -E_\infty` (v < √2) the
    integral is dominated by the bulk and the replacement costs a relative O(1/Λ); it is an
    independent evaluation of the two bulk regimes of Theorem 11.1 (their prefactors follow
    from it by Laplace's method).  Below the barrier the semicircle has no mass and the
    count is governed by the large deviations of the top eigenvalue instead.

    Parameters
    ----------
    u : float, -E_∞(H) < u, u != 0
    H : int >= 3
    Lambda : float > 0

    Returns
    -------
    float

    Examples
    --------
    >>> round(log_mean_critical_points_bulk(-1.0, 3, 1000) - log_mean_critical_points(-1.0, 3, 1000), 3)
    -0.006
    """
    H = _H(H, minimum=3)
    u = float(_u(u))
    Lambda = _validate.positive_float("Lambda", Lambda)
    E = energy_barrier(H)
    if not u > -E:
        raise ValueError(f"`u` must be > -E_inf(H) = {-E!r} for the bulk Kac-Rice integral; got {u!r}")
    v = _v(u, H)
    c = Lambda * (H - 2) / (2.0 * H)
    x0 = max(v, 0.0)  # where the Gaussian weight peaks on [v, sqrt 2]
    lo = max(v, -math.sqrt(2.0))
    f = lambda x: math.exp(-c * (x * x - x0 * x0)) * math.sqrt(max(2.0 - x * x, 0.0)) / math.pi  # noqa: E731
    width = 1.0 / math.sqrt(c) if x0 == 0.0 else min(1.0 / (c * x0), 1.0 / math.sqrt(c))
    pts = [p for p in (x0, x0 + width, x0 + 10 * width, x0 + 40 * width) if lo <= p <= math.sqrt(2.0)]
    val, _ = integrate.quad(f, lo, math.sqrt(2.0), points=pts or None, limit=500, epsabs=0.0, epsrel=1e-11)
    return (math.log(2 * Lambda * math.sqrt(2.0 / H)) + 0.5 * Lambda * math.log(H - 1)
            - c * x0 * x0 + math.log(val))


def minima_level(count, H, Lambda):
    r"""The level u < −E_∞ below which Theorem 11.2 predicts a mean of ``count`` local minima.

    Solves :func:`log_mean_minima` (u, H, Λ) = log(count).  By Markov's inequality a sample
    has *any* critical point below Λu with probability at most the mean count, so for
    ``count`` ≪ 1 this is a finite-Λ version of the ground-state level −E_0: end points of a
    descent below it would contradict Theorem 11.2 (at its asymptotic accuracy).

    Parameters
    ----------
    count : float in (0, mean number of minima below the barrier)
    H : int >= 3
    Lambda : float > 0

    Returns
    -------
    float

    Examples
    --------
    >>> u = minima_level(1e-3, 3, 100)
    >>> round(float(np.exp(log_mean_minima(u, 3, 100))), 10)
    0.001
    """
    H = _H(H, minimum=3)
    count = _validate.positive_float("count", count)
    Lambda = _validate.positive_float("Lambda", Lambda)
    E = energy_barrier(H)
    target = math.log(count)
    f = lambda u: float(log_mean_minima(u, H, Lambda)) - target  # noqa: E731
    hi = -E * (1 + 1e-12)
    if f(hi) <= 0:
        raise ValueError(f"`count`={count} is not below the mean number of minima under the barrier")
    lo = -2.0 * E
    while f(lo) >= 0:
        lo *= 2.0
    return optimize.brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=200)
