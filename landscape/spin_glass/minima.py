"""Geometry of minima of the spherical H-spin glass: the clustering bound Ψ_H and the entropy of minima.

Becker, Zhang & Lee (PRL 2020, eqs. (7)–(8); arXiv:1808.00408 eqs. (6)–(7)) bound the number of
pairs of low critical points at a given overlap through the two-point Kac–Rice exponent of
Subag (2017), and give the expected entropy :math:`S = -\\log\\det\\mathrm{Hess}\\,\\mathcal L`
at a minimum of given energy from the shifted-GOE law of the Hessian
(Auffinger, Ben Arous & Černý 2013; the PRL cites their Lemma 1.1).

Conventions (the book's, checked against both papers)
-----------------------------------------------------
* :math:`\\mathcal H_\\Lambda(w) = \\Lambda^{-(H-1)/2}\\sum X_{i_1..i_H} w_{i_1}\\cdots w_{i_H}` on
  :math:`\\|w\\|^2 = \\Lambda`, so :math:`\\mathbb E\\,\\mathcal H(w)\\mathcal H(w') = \\Lambda R^H`
  with :math:`R = w\\cdot w'/\\Lambda` (Subag's normalisation with N = Λ).
* The loss is :math:`\\mathcal L = p\\,\\mathcal H_\\Lambda`; "loss below ΛE" is
  :math:`\\mathcal H_\\Lambda/\\Lambda < E/p`, so every formula takes the energy per weight of
  :math:`\\mathcal H_\\Lambda`, ``E_over_p`` = u.
* :math:`\\sigma = \\sqrt{H/(2(H-1))}`, :math:`\\gamma = \\sqrt2\\,\\sigma = \\sqrt{H/(H-1)}`,
  threshold :math:`E_\\infty = \\sqrt2/\\sigma = 2\\sqrt{(H-1)/H}`.
* :math:`\\Omega(x) = \\int_{-2}^{2}\\log|x-y|\\,\\sqrt{4-y^2}/(2\\pi)\\,dy` is
  :func:`landscape.rmt.random_matrix.semicircle_log_potential` (variance 1).

The 2×2 conditional covariance
------------------------------
Put :math:`\\sigma = \\sqrt\\Lambda e_1`, :math:`\\sigma' = \\sqrt\\Lambda(re_1 + \\sqrt{1-r^2}e_2)`.
Only the two in-plane tangent derivatives are correlated with the energies, and

.. math:: \\Sigma_U(r) = \\begin{pmatrix}1 & r^H\\\\ r^H & 1\\end{pmatrix}
          - \\frac{a^2}{H^2-c^2}\\begin{pmatrix}H & c\\\\ c & H\\end{pmatrix},\\quad
          a^2 = (1-r^2)H^2r^{2H-2},\\quad c = Hr^H - H(H-1)r^{H-2}(1-r^2),

which is the printed matrix :math:`-\\frac1H(b_{ij})` with :math:`\\alpha_H = (H - H x^2)^{-1}`,
:math:`x = r^H - (H-1)(r^{H-2}-r^H) = c/H` — the arXiv form. The PRL drops the square.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from landscape import _validate
from landscape.compute import torch_threads
from landscape.spin_glass.complexity import energy_barrier
from landscape.rmt.random_matrix import semicircle_log_potential

__all__ = [
    "sigma",
    "overlap_interval",
    "alpha_H",
    "b1",
    "b2",
    "sigma_U",
    "sigma_U_eigenvalues",
    "sigma_U_by_conditioning",
    "log_volume_term",
    "complexity",
    "psi_H",
    "psi_H_at_r1",
    "clustering_bound",
    "expected_entropy",
    "expected_entropy_quadrature",
    "expected_entropy_slope",
    "entropy_admissible_max",
    "goe_log_det",
    "goe_log_det_mean_correction",
    "goe_log_det_variance",
    "expected_entropy_finite",
    "entropy_monte_carlo",
    "MinimaSample",
    "sample_minima",
]

FORMS = ("printed", "derived", "prl")


# ---------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------
def _H(H, minimum=3):
    return _validate.integer("H", H, minimum=minimum)


def _r(r):
    return _validate.in_interval("r", r, -1.0, 1.0)


def _p(p):
    p = _validate.positive_float("p", p)
    if p > 1.0:
        raise ValueError(f"`p` must lie in (0, 1] (an activation probability); got {p!r}")
    return p


def _Lambda(Lambda):
    Lambda = _validate.positive_float("Lambda", Lambda)
    if Lambda <= 1.0:
        raise ValueError(f"`Lambda` must be a real number > 1 (the Hessian has Λ−1 eigenvalues); got {Lambda!r}")
    return Lambda


def _energies_below(name, E, upper):
    E = _validate.finite_array(name, E)
    if np.any(E > upper + 1e-12):
        raise ValueError(f"`{name}` must lie in (-inf, {upper:.10g}] (at or below the threshold where "
                         f"the formula holds); got max {float(np.max(E))!r}")
    return E


def _scalar(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


# ---------------------------------------------------------------------------------------
# constants
# ---------------------------------------------------------------------------------------
def sigma(H):
    """:math:`\\sigma = \\sqrt{H/(2(H-1))}` of Becker et al. (PRL, text above eq. (7)).

    Examples
    --------
    >>> round(sigma(3), 12)
    0.866025403784
    """
    H = _H(H, minimum=2)
    return math.sqrt(H / (2.0 * (H - 1.0)))


def overlap_interval(d):
    """Overlaps r = w·w'/Λ of pairs with :math:`\\|w-w'\\|^2 \\le d\\Lambda`: the interval [1 − d/2, 1].

    Uses :math:`\\|w-w'\\|^2 = 2\\Lambda(1-r)` on the sphere (Becker et al., text above eq. (7)).

    Examples
    --------
    >>> overlap_interval(0.02)
    (0.99, 1.0)
    """
    d = _validate.positive_float("d", d)
    if d > 4.0:
        raise ValueError(f"`d` must lie in (0, 4] (|w-w'|^2 <= 4Λ on the sphere); got {d!r}")
    return (1.0 - d / 2.0, 1.0)


# ---------------------------------------------------------------------------------------
# Σ_U(r): printed pieces and a stable evaluation
# ---------------------------------------------------------------------------------------
def _x(r, H):
    return r**H - (H - 1.0) * (r ** (H - 2) - r**H)


def alpha_H(r, H, *, version="arxiv"):
    """α_H(r) as printed in Becker et al.

    ``version="arxiv"`` (arXiv eq. (6)): :math:`\\alpha_H = \\{H - H[r^H-(H-1)(r^{H-2}-r^H)]^2\\}^{-1}`;
    ``version="prl"`` (PRL eq. (7)): the same without the square. Only the arXiv form agrees with
    the conditional covariance (see :func:`sigma_U_by_conditioning`).

    Examples
    --------
    >>> alpha_H(0.0, 3), alpha_H(0.0, 3, version="prl")
    (0.3333333333333333, 0.3333333333333333)
    """
    H = _H(H)
    r = _validate.in_interval("r", r, -1.0, 1.0, closed="neither")
    _validate.choice("version", version, ("arxiv", "prl"))
    x = _x(r, H)
    return _scalar(1.0 / (H - H * (x**2 if version == "arxiv" else x)))


def b1(r, H, *, version="arxiv"):
    """:math:`b_1(r) = -H + \\alpha_H H^3 (r^{2H-2} - r^{2H})` (PRL eq. (7), arXiv eq. (6))."""
    a = np.asarray(alpha_H(r, H, version=version))
    r = np.asarray(r, dtype=float)
    return _scalar(-H + a * H**3 * (r ** (2 * H - 2) - r ** (2 * H)))


def b2(r, H, *, version="arxiv"):
    """:math:`b_2(r) = -Hr^H - \\alpha_H H^3 r^{3H-4}[r^2 + H(r^2-1)^2 - 1]` (PRL eq. (7), arXiv eq. (6))."""
    a = np.asarray(alpha_H(r, H, version=version))
    r = np.asarray(r, dtype=float)
    return _scalar(-H * r**H - a * H**3 * r ** (3 * H - 4) * (r**2 + H * (r**2 - 1.0) ** 2 - 1.0))


def _poly(r, n):
    """:math:`\\sum_{k=0}^{n-1} r^k` (vectorised)."""
    out = np.zeros_like(r)
    term = np.ones_like(r)
    for _ in range(n):
        out = out + term
        term = term * r
    return out


def _eigs_nonneg(q, H):
    """(λ+, λ−) of Σ_U at overlaps q in [0, 1], written without 0/0 at q = 1."""
    S = _poly(q, H)                       # (1 - q^H)/(1 - q)
    t = 1.0 + q                           # (1 - q^2)/(1 - q)
    qh = q**H
    qh2 = q ** (H - 2)
    # a^2/(H - c) and a^2/(H + c), with the common factor (1 - q) cancelled in the first
    plus = t * H * q ** (2 * H - 2) / (S + (H - 1.0) * qh2 * t)
    lam_plus = 1.0 + qh - plus
    minus_ratio = t * H * q ** (2 * H - 2) / (1.0 + qh - (H - 1.0) * qh2 * (1.0 - q) * t)
    lam_minus = (1.0 - q) * (S - minus_ratio)
    return lam_plus, lam_minus


def sigma_U_eigenvalues(r, H):
    """Eigenvalues of Σ_U(r): λ+ on (1, 1)/√2 and λ− on (1, −1)/√2, including the ends r = ±1.

    Parameters
    ----------
    r : float or array in [−1, 1]
    H : int >= 3

    Returns
    -------
    (lam_plus, lam_minus) : floats or arrays

    Notes
    -----
    :math:`\\lambda_\\pm = 1 \\pm r^H - a^2/(H \\mp c)` with a, c of the module docstring, evaluated
    with the factor (1 − r) cancelled analytically so that r = 1 is exact:
    :math:`\\lambda_+(1) = 4(H-1)/(3H-2)`, :math:`\\lambda_-(1) = 0`. For even H, Σ_U(−r) = Σ_U(r);
    for odd H the off-diagonal entry changes sign, so λ± swap (and λ+(−1) = 0: H(−w) = −H(w)).
    The quadratic form of PRL eq. (7) is :math:`\\langle(v,v),\\Sigma_U^{-1}(v,v)\\rangle = 2v^2/\\lambda_+`.

    Examples
    --------
    >>> [round(float(x), 12) for x in sigma_U_eigenvalues(1.0, 3)]   # 8/7, 0
    [1.142857142857, 0.0]
    """
    H = _H(H)
    r = _r(r)
    q = np.abs(r)
    lp, lm = _eigs_nonneg(q, H)
    if H % 2 == 1:
        neg = r < 0
        lp, lm = np.where(neg, lm, lp), np.where(neg, lp, lm)
    return _scalar(lp), _scalar(lm)


def sigma_U(r, H, *, form="derived"):
    """The 2×2 conditional covariance Σ_U(r), shape r.shape + (2, 2).

    Parameters
    ----------
    r : float or array in [−1, 1] (``form="derived"``) or (−1, 1) (printed forms)
    H : int >= 3
    form : ``"derived"`` (stable closed form, also at r = ±1), ``"arxiv"`` (−(1/H)(b_ij) with the
        arXiv α_H) or ``"prl"`` (with the PRL α_H, as printed)

    Returns
    -------
    ndarray (..., 2, 2)

    Notes
    -----
    Covariance of :math:`(\\mathcal H(w), \\mathcal H(w'))/\\sqrt\\Lambda` given that both Riemannian
    gradients vanish, with :math:`w\\cdot w' = r\\Lambda`; PRL eq. (7) / arXiv eq. (6), from
    Subag (2017), §4. It does not depend on Λ.

    Examples
    --------
    >>> np.round(sigma_U(0.5, 3), 6).tolist()
    [[0.769231, 0.269231], [0.269231, 0.769231]]
    """
    H = _H(H)
    _validate.choice("form", form, ("derived", "arxiv", "prl"))
    if form == "derived":
        lp, lm = sigma_U_eigenvalues(r, H)
        lp, lm = np.asarray(lp), np.asarray(lm)
        d, o = (lp + lm) / 2.0, (lp - lm) / 2.0
    else:
        d = -np.asarray(b1(r, H, version=form)) / H
        o = -np.asarray(b2(r, H, version=form)) / H
    return np.stack([np.stack([d, o], -1), np.stack([o, d], -1)], -2)


def sigma_U_by_conditioning(r, H, Lambda=6):
    r"""Σ_U(r) recomputed from the spin glass itself: exact Gaussian conditioning in dimension Λ.

    The energies and Riemannian gradients at two points are linear in the i.i.d. couplings,
    :math:`Y = J X`; the rows of J are written out from eq. (3) with the raw couplings
    (:math:`\mathcal H(w) = \langle X, w^{\otimes H}\rangle\Lambda^{-(H-1)/2}`, and a tangential
    derivative along t replaces one factor w by t, summed over the H slots), so Cov(Y) = J Jᵀ
    exactly — no symmetrisation, no hand-derived kernel derivatives. The Schur complement over all 2(Λ−1) tangent gradient components
    gives the conditional covariance of the energies, divided by Λ.

    Parameters
    ----------
    r : float in (−1, 1)
    H : int >= 3
    Lambda : int >= 3 (Λ^H couplings are differentiated; keep Λ^H below ~1e5)

    Returns
    -------
    ndarray (2, 2)

    Notes
    -----
    Independent of the in-plane reduction used by :func:`sigma_U`; used to check PRL eq. (7)
    and arXiv eq. (6) entry by entry.

    Examples
    --------
    >>> np.allclose(sigma_U_by_conditioning(0.5, 3, 5), sigma_U(0.5, 3))
    True
    """
    H = _H(H)
    Lambda = _validate.integer("Lambda", Lambda, minimum=3)
    r = float(_validate.in_interval("r", r, -1.0, 1.0, closed="neither"))
    if Lambda**H > 200_000:
        raise ValueError(f"`Lambda`^`H` = {Lambda**H} is too large for the exact Jacobian (max 2e5)")
    w = np.zeros((2, Lambda))
    w[0, 0] = math.sqrt(Lambda)
    w[1, 0] = r * math.sqrt(Lambda)
    w[1, 1] = math.sqrt((1.0 - r * r) * Lambda)
    scale = Lambda ** (-(H - 1) / 2.0)

    def tensor_row(vectors):  # vec(v_1 ⊗ ... ⊗ v_H)
        out = np.ones(1)
        for vec in vectors:
            out = np.multiply.outer(out, vec).ravel()
        return out

    rows = [scale * tensor_row([w[i]] * H) for i in range(2)]  # energies: H(w) = <X, row>
    for i in range(2):
        # an orthonormal basis of the tangent space at w[i] (complete w[i]/|w[i]| by QR)
        Q, _ = np.linalg.qr(np.column_stack([w[i], np.eye(Lambda)]))
        for t in Q[:, 1:Lambda].T:  # derivative along t: sum over the slot that is differentiated
            rows.append(scale * sum(tensor_row([t if k == j else w[i] for k in range(H)]) for j in range(H)))
    J = np.array(rows)  # (2 + 2(Λ−1), Λ^H): the values are J X for i.i.d. N(0,1) X
    C = J @ J.T
    A, B, D = C[:2, :2], C[:2, 2:], C[2:, 2:]
    return (A - B @ np.linalg.solve(D, B.T)) / Lambda


# ---------------------------------------------------------------------------------------
# Ψ_H and the clustering bound
# ---------------------------------------------------------------------------------------
def log_volume_term(r, H):
    """:math:`\\tfrac12\\log\\frac{(1-r^2)}{(1-r^{2H-2})} = -\\tfrac12\\log\\sum_{k=0}^{H-2} r^{2k}`; at r = ±1, −½ log(H−1).

    Examples
    --------
    >>> round(float(log_volume_term(1.0, 3)), 12) == round(-0.5 * math.log(2), 12)
    True
    """
    H = _H(H)
    r = _r(r)
    return _scalar(-0.5 * np.log(_poly(r * r, H - 1)))


def complexity(u, H):
    """One-point complexity Θ_H(u) = lim (1/Λ) log E#{critical points with energy ≈ Λu}.

    .. math:: \\Theta_H(u) = \\tfrac12 + \\tfrac12\\log(H-1) - \\tfrac{u^2}{2} + \\Omega(\\gamma u)

    (Auffinger, Ben Arous & Černý 2013, written with the log-potential; for
    u ≤ −E_∞ it is increasing, so it is also the exponent of E|Crt(−∞, u)|).

    Examples
    --------
    >>> round(float(complexity(0.0, 3)), 12) == round(0.5 * math.log(2), 12)
    True
    """
    H = _H(H)
    u = _validate.finite_array("u", u)
    g = math.sqrt(H / (H - 1.0))
    return _scalar(0.5 + 0.5 * math.log(H - 1.0) - u**2 / 2.0 + semicircle_log_potential(g * u))


def _psi(r, v, u, H, form):
    g = math.sqrt(H / (H - 1.0))
    if form == "prl":
        Sp = sigma_U(r, H, form="prl")
        lp = Sp[..., 0, 0] + Sp[..., 0, 1]
    else:
        lp, _ = sigma_U_eigenvalues(r, H)
    lp = np.asarray(lp)
    vol = np.asarray(log_volume_term(r, H))
    with np.errstate(divide="ignore"):
        quad = np.where(lp > 0, v**2 / np.where(lp > 0, lp, 1.0), np.where(v == 0, 0.0, np.inf))
    Om_v = semicircle_log_potential(g * v)
    if form in ("printed", "prl"):
        return 0.5 + u**2 / 2.0 + 0.5 * math.log(H - 1.0) + vol - quad + Om_v
    return (0.5 + 0.5 * math.log(H - 1.0) + vol + u**2 / 2.0 - quad + 2.0 * Om_v
            - semicircle_log_potential(g * u))


def psi_H(r, v, E_over_p, H, *, form="printed"):
    """Ψ_H(r, v, E) of Becker et al., PRL eq. (7) / arXiv eq. (6) (broadcast over r, v, E/p).

    Parameters
    ----------
    r : overlap(s) in [−1, 1] (r = ±1 by their limits)
    v : energy per weight of :math:`\\mathcal H_\\Lambda`, v <= E/p
    E_over_p : energy level E/p <= −E_∞(H)
    H : int >= 3
    form : ``"printed"`` — the printed Ψ_H with Σ_U as derived (= arXiv α_H);
        ``"derived"`` — the two-point exponent minus the one-point exponent,
        :math:`\\Psi^{(2)}(r,v,v) - \\Theta_H(E/p)` (Subag 2017, two-point exponent, minus the ABČ 2013 one-point exponent);
        ``"prl"`` — the printed Ψ_H with the PRL's α_H (no square).

    Returns
    -------
    float or ndarray

    Notes
    -----
    ``printed``: :math:`\\tfrac12 + \\tfrac{u^2}2 + \\tfrac12\\log\\frac{(H-1)(1-r^2)}{1-r^{2H-2}}
    - \\tfrac12\\langle(v,v),\\Sigma_U^{-1}(v,v)\\rangle + \\Omega(\\gamma v)` with u = E/p.
    ``derived`` differs from it by :math:`\\Omega(\\gamma v) - \\Omega(\\gamma u) \\ge 0`, which
    vanishes at v = u, where both suprema sit.

    Examples
    --------
    >>> round(float(psi_H(1.0, -2.0, -2.0, 3)), 6)
    -0.207546
    """
    H = _H(H)
    _validate.choice("form", form, FORMS)
    r = _r(r)
    u = _energies_below("E_over_p", E_over_p, -energy_barrier(H))
    v = _validate.finite_array("v", v)
    if np.any(v > u + 1e-12):
        raise ValueError("`v` must satisfy v <= E_over_p (the sup in eq. (7) runs over v < E/p)")
    return _scalar(_psi(r, v, u, H, form))


def psi_H_at_r1(v, E_over_p, H, *, form="printed"):
    """Closed form of Ψ_H at r → 1, where Σ_U(r) is singular but the (1,1) quadratic form is not.

    .. math:: \\Psi_H(1, v, E) = \\tfrac12 + \\tfrac{u^2}2 - \\frac{(3H-2)v^2}{4(H-1)} + \\Omega(\\gamma v)
              \\quad(\\text{printed}),

    since :math:`(1-r^2)/(1-r^{2H-2}) \\to 1/(H-1)` and :math:`\\lambda_+(r) \\to 4(H-1)/(3H-2)`.
    At v = u this is :math:`\\tfrac12 - (\\gamma u)^2/4 + \\Omega(\\gamma u) = -I_1(u)`, minus the
    large-deviation rate of the bottom GOE eigenvalue in ABČ's notation.

    Examples
    --------
    >>> round(float(psi_H_at_r1(-2.0, -2.0, 3)), 6)
    -0.207546
    """
    H = _H(H)
    _validate.choice("form", form, ("printed", "derived"))
    u = _energies_below("E_over_p", E_over_p, -energy_barrier(H))
    v = _validate.finite_array("v", v)
    g = math.sqrt(H / (H - 1.0))
    base = 0.5 + u**2 / 2.0 - (3.0 * H - 2.0) * v**2 / (4.0 * (H - 1.0)) + semicircle_log_potential(g * v)
    if form == "derived":
        base = base + semicircle_log_potential(g * v) - semicircle_log_potential(g * u)
    return _scalar(base)


def clustering_bound(E_over_p, H, r_interval, *, form="printed", n_r=401, n_v=96, return_argmax=False):
    """:math:`\\sup_{r\\in I}\\sup_{v<E/p}\\Psi_H(r, v, E)`, the right-hand side of PRL eq. (7).

    Parameters
    ----------
    E_over_p : float or array, each <= −E_∞(H) = −2√((H−1)/H)
    H : int >= 3
    r_interval : (lo, hi) with −1 <= lo <= hi <= 1 (e.g. :func:`overlap_interval` (d))
    form : see :func:`psi_H`
    n_r : grid points in r (both ends included; r = ±1 by the closed-form limits)
    n_v : grid points in v: v = E/p − t with t = 0 and t log-spaced in [1e−6, 4(1+|E/p|)]
    return_argmax : also return the (r, v) where the supremum is attained on the grid

    Returns
    -------
    sup : float or ndarray (shape of E_over_p)
    (r_star, v_star) : only with ``return_argmax``

    Notes
    -----
    The inner supremum is over the open set v < E/p; Ψ_H is continuous, so the value at v = E/p
    is included as the limit. Fully vectorised over (E/p, r, v); grid accuracy in r is
    (hi − lo)/(n_r − 1) — the supremum sits at an end point in every case the book examined.

    Examples
    --------
    >>> round(float(clustering_bound(-2.0, 3, overlap_interval(0.02))), 6)
    -0.207546
    """
    H = _H(H)
    _validate.choice("form", form, FORMS)
    u = _energies_below("E_over_p", E_over_p, -energy_barrier(H))
    try:
        lo, hi = (float(x) for x in r_interval)
    except (TypeError, ValueError):
        raise ValueError("`r_interval` must be a pair (lo, hi) of overlaps in [-1, 1]") from None
    _validate.in_interval("r_interval", [lo, hi], -1.0, 1.0)
    if lo > hi:
        raise ValueError(f"`r_interval` must have lo <= hi; got ({lo}, {hi})")
    n_r = _validate.integer("n_r", n_r, minimum=1)
    n_v = _validate.integer("n_v", n_v, minimum=1)
    r = np.linspace(lo, hi, n_r) if hi > lo else np.array([lo])
    uu = np.atleast_1d(u)
    t = np.concatenate([[0.0], np.geomspace(1e-6, 1.0, max(n_v - 1, 0))]) if n_v > 1 else np.array([0.0])
    v = uu[:, None] - t[None, :] * 4.0 * (1.0 + np.abs(uu[:, None]))       # (nE, nv)
    vals = _psi(r[None, :, None], v[:, None, :], uu[:, None, None], H, form)  # (nE, nr, nv)
    flat = vals.reshape(len(uu), -1)
    k = np.argmax(flat, axis=1)
    sup = flat[np.arange(len(uu)), k]
    ir, iv = np.unravel_index(k, (len(r), v.shape[1]))
    r_star, v_star = r[ir], v[np.arange(len(uu)), iv]
    shape = np.shape(u)
    sup = _scalar(sup.reshape(shape))
    if return_argmax:
        return sup, (_scalar(r_star.reshape(shape)), _scalar(v_star.reshape(shape)))
    return sup


# ---------------------------------------------------------------------------------------
# Entropy of minima (eq. (8))
# ---------------------------------------------------------------------------------------
def entropy_admissible_max(Lambda, H):
    """Largest E/p allowed in eq. (8): :math:`\\sigma\\sqrt{\\Lambda/(\\Lambda-1)}\\,E/p \\le -\\sqrt2`.

    Examples
    --------
    >>> round(entropy_admissible_max(1e12, 3), 6) == round(-energy_barrier(3), 6)
    True
    """
    Lambda = _Lambda(Lambda)
    return -math.sqrt(2.0) / sigma(H) * math.sqrt((Lambda - 1.0) / Lambda)


def _shift(u, Lambda, H):
    return sigma(H) * math.sqrt(Lambda / (Lambda - 1.0)) * u


def expected_entropy(E_over_p, Lambda, H, p):
    """Expected entropy :math:`\\mathbb E[S\\,|\\,\\Lambda E]` at minima of the loss, PRL eq. (8) / arXiv eq. (7).

    .. math:: \\mathbb E S \\simeq -(\\Lambda-1)\\log p + \\frac{\\Lambda-1}{2}\\log\\frac{\\Lambda}{2(\\Lambda-1)H(H-1)}
              - (\\Lambda-1)\\,\\Phi_{1/2}\\Big(\\sigma\\sqrt{\\tfrac{\\Lambda}{\\Lambda-1}}\\tfrac Ep\\Big),

    with :math:`\\Phi_{1/2}(s) = \\frac1\\pi\\int_{-\\sqrt2}^{\\sqrt2}\\log|s-t|\\sqrt{2-t^2}\\,dt`
    (:func:`~landscape.rmt.random_matrix.semicircle_log_potential` with variance ½, closed form).

    Parameters
    ----------
    E_over_p : float or array, <= :func:`entropy_admissible_max` (Λ, H)
    Lambda : float > 1 (Λ of eq. (4) need not be an integer)
    H : int >= 2
    p : float in (0, 1]

    Returns
    -------
    float or ndarray

    Notes
    -----
    S = −log det of the Riemannian Hessian of :math:`\\mathcal L = p\\mathcal H_\\Lambda` on the
    sphere of radius √Λ, whose law at a critical point of energy Λu is
    :math:`p[\\sqrt{2H(H-1)(\\Lambda-1)/\\Lambda}\\,M - pHu]`, M ~ GOE(Λ−1) with semicircle on
    [−√2, √2] (ABČ 2013, Lemma 1.1 rescaled to radius √Λ). Leading order in Λ: the finite-Λ
    correction is O(1) (see :func:`entropy_monte_carlo`).

    Examples
    --------
    >>> round(float(expected_entropy(-2.0, 13.2445, 3, 0.8)), 6)
    -18.061121
    """
    H = _H(H, minimum=2)
    Lambda = _Lambda(Lambda)
    p = _p(p)
    u = _energies_below("E_over_p", E_over_p, entropy_admissible_max(Lambda, H))
    n = Lambda - 1.0
    return _scalar(-n * math.log(p) + 0.5 * n * math.log(Lambda / (2.0 * n * H * (H - 1.0)))
                   - n * semicircle_log_potential(_shift(u, Lambda, H), variance=0.5))


def expected_entropy_quadrature(E_over_p: float, Lambda: float, H: int, p: float) -> float:
    """PRL eq. (8) as printed, its integral Φ_{1/2}(s) = (1/π)∫ log|s − t| √(2 − t²) dt evaluated by
    adaptive quadrature (scipy ``quad``): an evaluation independent of the closed-form log-potential
    that :func:`expected_entropy` uses, for checking it (agreement to about 1e-10 · (Λ − 1)).

    Parameters as :func:`expected_entropy`, with a scalar ``E_over_p``.

    Examples
    --------
    >>> round(expected_entropy_quadrature(-2.0, 13.2445, 3, 0.8), 6)
    -18.061121
    """
    from scipy import integrate

    H = _H(H, minimum=2)
    Lambda = _Lambda(Lambda)
    p = _p(p)
    u = float(_energies_below("E_over_p", float(E_over_p), entropy_admissible_max(Lambda, H)))
    s = _shift(u, Lambda, H)
    root2 = math.sqrt(2.0)
    integral = integrate.quad(lambda t: math.log(abs(s - t)) * math.sqrt(2.0 - t * t), -root2, root2)[0]
    n = Lambda - 1.0
    return -n * math.log(p) + n / 2 * math.log(Lambda / (2 * n * H * (H - 1))) - n / math.pi * integral


def expected_entropy_slope(E_over_p, Lambda, H, p=1.0):
    """dE[S]/d(E/p) of :func:`expected_entropy` (closed form); divide by Λ−1 for the per-weight slope.

    .. math:: \\frac{d\\,\\mathbb ES}{du} = -(\\Lambda-1)\\,\\sigma'\\,G(\\sigma' u),\\quad
              G(s) = s + \\sqrt{s^2-2}\\ (s<-\\sqrt2),\\ \\sigma' = \\sigma\\sqrt{\\Lambda/(\\Lambda-1)}

    (G is the Stieltjes transform of the radius-√2 semicircle). p only shifts S, so it drops out.

    Examples
    --------
    >>> round(float(expected_entropy_slope(-2.0, 13.2445, 3)), 6)
    7.561087
    """
    H = _H(H, minimum=2)
    Lambda = _Lambda(Lambda)
    _p(p)
    u = _energies_below("E_over_p", E_over_p, entropy_admissible_max(Lambda, H))
    sp = sigma(H) * math.sqrt(Lambda / (Lambda - 1.0))
    s = sp * u
    G = s + np.sqrt(np.clip(s * s - 2.0, 0.0, None))
    return _scalar(-(Lambda - 1.0) * sp * G)


def goe_log_det(s, n, n_samples, generator=None, *, variance=0.5, batch=512):
    """Monte-Carlo mean of :math:`\\frac1n\\log|\\det(M_n - s)|` for M_n ~ GOE(n, σ²), with its standard error.

    Parameters
    ----------
    s : float or array of shifts
    n : int >= 1, matrix size
    n_samples : int >= 2
    generator : torch.Generator, optional
    variance : σ² of :func:`landscape.rmt.random_matrix.sample_goe` (½: semicircle on [−√2, √2])
    batch : matrices per eigen-decomposition call

    Returns
    -------
    (mean, se) : arrays of the shape of s

    Notes
    -----
    Its n → ∞ limit is :math:`\\Phi_{\\sigma^2}(s)` (closed form in
    :func:`~landscape.rmt.random_matrix.semicircle_log_potential`), the integral in PRL eq. (8).

    Examples
    --------
    >>> import torch
    >>> m, se = goe_log_det(-2.0, 50, 200, torch.Generator().manual_seed(0))
    >>> bool(abs(m - semicircle_log_potential(-2.0, 0.5)) < 0.05)
    True
    """
    import torch

    from landscape.rmt.random_matrix import sample_goe

    s = _validate.finite_array("s", s)
    n = _validate.integer("n", n, minimum=1)
    n_samples = _validate.integer("n_samples", n_samples, minimum=2)
    variance = _validate.positive_float("variance", variance)
    batch = _validate.integer("batch", batch, minimum=1)
    vals = []
    done = 0
    while done < n_samples:
        m = min(batch, n_samples - done)
        with torch_threads(1):
            ev = torch.linalg.eigvalsh(sample_goe(n, m, generator, variance=variance)).cpu().numpy()
        vals.append(np.log(np.abs(ev[:, :, None] - np.ravel(s)[None, None, :])).mean(axis=1))
        done += m
    vals = np.concatenate(vals)  # (n_samples, len(s))
    mean = vals.mean(axis=0)
    se = vals.std(axis=0, ddof=1) / math.sqrt(n_samples)
    return _scalar(mean.reshape(np.shape(s))), _scalar(se.reshape(np.shape(s)))


def _outside(name, s, variance):
    s = _validate.finite_array(name, s)
    R = 2.0 * math.sqrt(variance)
    if np.any(np.abs(s) <= R):
        raise ValueError(f"`{name}` must lie outside the semicircle's support [-{R:.6g}, {R:.6g}]")
    return s, R


def goe_log_det_mean_correction(s, variance=0.5):
    r"""O(1) term of :math:`\mathbb E\log|\det(M_n-s)| = n\Phi(s) + c(s) + o(1)` for GOE (β = 1), |s| > R.

    .. math:: c(s) = \tfrac14\log(s^2-R^2) - \tfrac12\log\frac{|s|+\sqrt{s^2-R^2}}{2},\qquad R = 2\sigma

    Notes
    -----
    The mean correction of a linear eigenvalue statistic Σf(λ_i) of the GOE is
    :math:`(2/\beta-1)\,[\tfrac14(f(R)+f(-R)) - \tfrac12\int f\,d\mu_{\rm arcsine}]`
    (Johansson 1998; Bai & Yao 2005); with f = log|x − s| the arcsine mean is
    log((|s| + √(s²−R²))/2). Checked against Monte Carlo in the book (entropy chapter).

    Examples
    --------
    >>> round(float(goe_log_det_mean_correction(-3.0)), 6)
    -0.032401
    """
    variance = _validate.positive_float("variance", variance)
    s, R = _outside("s", s, variance)
    root = np.sqrt(s * s - R * R)
    return _scalar(0.25 * np.log(root**2) - 0.5 * np.log((np.abs(s) + root) / 2.0))


def goe_log_det_variance(s, variance=0.5):
    r"""Limit of Var log|det(M_n − s)| for GOE (β = 1), |s| > R: :math:`-2\log(1 - z^{-2})`.

    Here :math:`s/\sigma = \pm(z + 1/z)`, |z| > 1 (Chebyshev expansion of log|x − s|; the β = 1
    variance is twice the GUE one). Tilting by |det| (the Kac–Rice weight) shifts the mean of
    log|det| by this variance when the statistic is Gaussian.

    Examples
    --------
    >>> round(float(goe_log_det_variance(-3.0)), 6)
    0.129602
    """
    variance = _validate.positive_float("variance", variance)
    s, R = _outside("s", s, variance)
    x = np.abs(s) / math.sqrt(variance)
    z = (x + np.sqrt(x * x - 4.0)) / 2.0
    return _scalar(-2.0 * np.log1p(-1.0 / z**2))


def expected_entropy_finite(E_over_p, Lambda, H, p, *, weighted=True):
    r"""Eq. (8) with its O(1) finite-Λ corrections: :math:`\mathbb ES - c(s) - V(s)` (V only if ``weighted``).

    ``weighted=True`` approximates the Kac–Rice expectation over minima (|det|-tilted law of the
    Hessian, what a census of all minima at energy ΛE gives); ``weighted=False`` the paper's eq. (9)
    (Hessian law conditioned on positivity only). s = σ√(Λ/(Λ−1))E/p; c from
    :func:`goe_log_det_mean_correction`, V from :func:`goe_log_det_variance`. Requires
    E/p < :func:`entropy_admissible_max` strictly.

    Examples
    --------
    >>> round(float(expected_entropy_finite(-1.9, 13, 3, 1.0)), 4)
    -20.0977
    """
    S = np.asarray(expected_entropy(E_over_p, Lambda, H, p))
    if not isinstance(weighted, (bool, np.bool_)):
        raise ValueError(f"`weighted` must be True or False; got {weighted!r}")
    s = _shift(np.asarray(E_over_p, dtype=float), float(Lambda), int(H))
    out = S - goe_log_det_mean_correction(s)
    if weighted:
        out = out - goe_log_det_variance(s)
    return _scalar(out)


def entropy_monte_carlo(E_over_p, Lambda, H, p, n_samples, generator=None, *, weighted=True, batch=512):
    """Finite-Λ expected entropy at minima of energy ΛE (exact law, Monte Carlo over GOE(Λ−1)).

    At a critical point of energy Λu the Riemannian Hessian of :math:`\\mathcal H_\\Lambda` is exactly
    :math:`\\sqrt{2H(H-1)(\\Lambda-1)/\\Lambda}\\,(M - s)`, s = σ√(Λ/(Λ−1))u, M ~ GOE(Λ−1) radius √2,
    independent of the gradient. The Kac–Rice density of minima weights each M by
    :math:`|\\det(M-s)|\\,\\mathbb 1\\{M > s\\}`; ``weighted=False`` gives the paper's eq. (9) instead
    (conditioning on M > s only).

    Parameters
    ----------
    E_over_p : float or array (any value; energies where no sample is positive definite give NaN)
    Lambda : int >= 2
    H : int >= 2
    p : float in (0, 1]
    n_samples : int >= 2
    generator : torch.Generator, optional
    weighted : bool
    batch : int

    Returns
    -------
    (mean, se, fraction_pd) : arrays of the shape of E_over_p; se from the delta method for the
        self-normalised (ratio) estimator; fraction_pd = share of samples with M > s

    Examples
    --------
    >>> import torch
    >>> m, se, f = entropy_monte_carlo(-2.2, 30, 3, 1.0, 400, torch.Generator().manual_seed(0))
    >>> bool(abs(m - expected_entropy(-2.2, 30, 3, 1.0)) < 2.0)
    True
    """
    import torch

    from landscape.rmt.random_matrix import sample_goe

    H = _H(H, minimum=2)
    Lambda = _validate.integer("Lambda", Lambda, minimum=2)
    p = _p(p)
    u = _validate.finite_array("E_over_p", E_over_p)
    n_samples = _validate.integer("n_samples", n_samples, minimum=2)
    if not isinstance(weighted, (bool, np.bool_)):
        raise ValueError(f"`weighted` must be True or False; got {weighted!r}")
    batch = _validate.integer("batch", batch, minimum=1)
    n = Lambda - 1
    s = np.ravel(_shift(u, Lambda, H))
    const = -n * math.log(p) - 0.5 * n * math.log(2.0 * H * (H - 1.0) * n / Lambda)
    logdets, pd = [], []
    done = 0
    while done < n_samples:
        m = min(batch, n_samples - done)
        with torch_threads(1):
            ev = torch.linalg.eigvalsh(sample_goe(n, m, generator, variance=0.5)).cpu().numpy()
        diff = ev[:, :, None] - s[None, None, :]
        logdets.append(np.log(np.abs(diff)).sum(axis=1))
        pd.append(ev[:, 0][:, None] > s[None, :])
        done += m
    L = np.concatenate(logdets)  # (N, k)
    P = np.concatenate(pd)
    S = const - L
    logw = np.where(P, L if weighted else 0.0, -np.inf)
    mx = np.max(logw, axis=0)
    ok = np.isfinite(mx)
    w = np.exp(logw - np.where(ok, mx, 0.0)[None, :])
    W = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, (w * np.where(P, S, 0.0)).sum(axis=0) / W, np.nan)
        # delta-method SE of the ratio estimator sum(w S)/sum(w)
        resid = np.where(P, S - mean[None, :], 0.0)
        se = np.where(ok, np.sqrt((w**2 * resid**2).sum(axis=0)) / W, np.nan)
    frac = P.mean(axis=0)
    shape = np.shape(E_over_p)
    return (_scalar(mean.reshape(shape)), _scalar(se.reshape(shape)), _scalar(frac.reshape(shape)))


# ---------------------------------------------------------------------------------------
# Sampled minima (descent from random starts, shared minimiser of landscape.spin_glass.sphere)
# ---------------------------------------------------------------------------------------
@dataclass
class MinimaSample:
    """Distinct local minima found by descent on several independent landscapes.

    Attributes
    ----------
    Lambda, H : the model
    energy : ndarray (K,)      energy per weight u = H_Λ(w)/Λ of each distinct minimum
    logdet : ndarray (K,)      log det of the Riemannian Hessian of H_Λ (sphere of radius √Λ)
    min_eig : ndarray (K,)     smallest Hessian eigenvalue
    landscape : ndarray (K,)   which coupling draw the minimum belongs to
    hits : ndarray (K,)        how many starts ended at it
    overlaps : ndarray (P,)    w·w'/Λ for all pairs of distinct minima of the same landscape
    pair_energy : ndarray (P,) the higher energy per weight of the two minima in each pair
    n_starts, n_converged, n_saddles : bookkeeping over all starts
    """

    Lambda: int
    H: int
    energy: np.ndarray
    logdet: np.ndarray
    min_eig: np.ndarray
    landscape: np.ndarray
    hits: np.ndarray
    overlaps: np.ndarray
    pair_energy: np.ndarray
    n_starts: int = 0
    n_converged: int = 0
    n_saddles: int = 0
    extra: dict = field(default_factory=dict)


def sample_minima(Lambda, H, n_starts, n_landscapes=1, generator=None, *, grad_tol=1e-6, max_steps=5000,
                  merge_tol=1e-6, progress=False, threads=1):
    """Find distinct minima of :math:`\\mathcal H_\\Lambda` by batched descent from uniform random starts.

    Parameters
    ----------
    Lambda : int >= 3
    H : int >= 2
    n_starts : int >= 2, starts per landscape
    n_landscapes : int >= 1, independent coupling draws
    generator : torch.Generator, optional (its device is used)
    grad_tol : float > 0, Riemannian gradient tolerance of :func:`landscape.spin_glass.sphere.minimise` (float64)
    max_steps : int
    merge_tol : end points with overlap > 1 − merge_tol are the same minimum
    progress : bool, tqdm over landscapes
    threads : int >= 1, torch intra-op threads during the call (restored afterwards). One thread
        is ~30× faster than the default on a loaded 2-core machine for these small contractions.

    Returns
    -------
    MinimaSample

    Notes
    -----
    A converged end point is a minimum when its smallest Riemannian Hessian eigenvalue is
    positive (:func:`landscape.spin_glass.sphere.hessian_spectrum`); converged saddles are counted and
    dropped. Descent samples minima in proportion to their basins, not uniformly: the sample is
    not the Kac–Rice census the formulas of Becker et al. describe.

    Examples
    --------
    >>> import torch
    >>> res = sample_minima(12, 3, 20, 1, torch.Generator().manual_seed(0))
    >>> bool((res.min_eig > 0).all()) and len(res.energy) >= 1
    True
    """
    Lambda = _validate.integer("Lambda", Lambda, minimum=3)
    H = _H(H, minimum=2)
    n_starts = _validate.integer("n_starts", n_starts, minimum=2)
    n_landscapes = _validate.integer("n_landscapes", n_landscapes, minimum=1)
    grad_tol = _validate.positive_float("grad_tol", grad_tol)
    merge_tol = _validate.positive_float("merge_tol", merge_tol)
    threads = _validate.integer("threads", threads, minimum=1)
    with torch_threads(threads):
        return _sample_minima(Lambda, H, n_starts, n_landscapes, generator, grad_tol, max_steps, merge_tol, progress)


def _sample_minima(Lambda, H, n_starts, n_landscapes, generator, grad_tol, max_steps, merge_tol, progress):
    import torch

    from landscape.spin_glass import sphere
    from landscape.spin_glass.hamiltonian import random_sphere_points, sample_couplings

    cols = {k: [] for k in ("energy", "logdet", "min_eig", "landscape", "hits")}
    overlaps, pair_energy = [], []
    n_conv = n_sad = 0
    it = range(n_landscapes)
    if progress:
        from landscape.progress import progress_bar

        it = progress_bar(it, desc=f"landscapes Λ={Lambda}, H={H}")
    for k in it:
        c = sample_couplings(Lambda, H, generator, dtype=torch.float64)
        w0 = random_sphere_points(n_starts, Lambda, generator, dtype=torch.float64)
        res = sphere.minimise(c, w0, grad_tol=grad_tol, max_steps=max_steps)
        conv = res.converged.cpu().numpy()
        n_conv += int(conv.sum())
        W = res.w.cpu().numpy()[conv]
        E = res.energy.cpu().numpy()[conv]
        # merge end points that are the same minimum (greedy, in order of energy)
        order = np.argsort(E)
        W, E = W[order], E[order]
        keep, hits = [], []
        for i in range(len(W)):
            if keep:
                ov = W[keep] @ W[i] / Lambda
                j = int(np.argmax(ov))
                if ov[j] > 1.0 - merge_tol:
                    hits[j] += 1
                    continue
            keep.append(i)
            hits.append(1)
        if not keep:
            continue
        Wd = torch.as_tensor(W[keep], device=res.w.device)
        ev = sphere.hessian_spectrum(c, Wd).cpu().numpy()
        is_min = ev[:, 0] > 0
        n_sad += int((~is_min).sum())
        Wk, Ek, evk = W[keep][is_min], E[keep][is_min] / Lambda, ev[is_min]
        cols["energy"].append(Ek)
        cols["logdet"].append(np.log(evk).sum(axis=1))
        cols["min_eig"].append(evk[:, 0])
        cols["landscape"].append(np.full(len(Ek), k))
        cols["hits"].append(np.asarray(hits)[is_min])
        if len(Wk) > 1:
            R = Wk @ Wk.T / Lambda
            iu = np.triu_indices(len(Wk), 1)
            overlaps.append(R[iu])
            pair_energy.append(np.maximum(Ek[iu[0]], Ek[iu[1]]))
    cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in cols.items()}
    return MinimaSample(Lambda=Lambda, H=H, energy=cat["energy"], logdet=cat["logdet"], min_eig=cat["min_eig"],
                        landscape=cat["landscape"].astype(int), hits=cat["hits"].astype(int),
                        overlaps=np.concatenate(overlaps) if overlaps else np.zeros(0),
                        pair_energy=np.concatenate(pair_energy) if pair_energy else np.zeros(0),
                        n_starts=n_starts * n_landscapes, n_converged=n_conv, n_saddles=n_sad)
