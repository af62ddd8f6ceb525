"""Free probability for Hessian spectra: Stieltjes and R transforms, free additive convolution.

The machinery follows Pennington & Bahri (2017), §3–6.  A law is described by its R transform,
a rational function :math:`R(w) = N(w)/D(w)` (:class:`RationalR`); R transforms of freely
independent matrices add (their eq. (14)), and the Stieltjes transform :math:`G(z)` of the sum is
a root of the polynomial obtained by clearing denominators in :math:`R(G) + 1/G = z` (eq. (13)):

.. math:: P(G; z) = G\\,N(G) + D(G) - z\\,G\\,D(G) = 0 .

The physical root (the one with :math:`G \\sim 1/z` at infinity and :math:`\\operatorname{Im} G < 0`
above the real axis) is followed by numerical continuation down a vertical line from far above the
spectrum to the real axis, for all grid points at once (vectorised predictor–corrector Newton);
the density is :math:`\\rho(\\lambda) = -\\operatorname{Im} G(\\lambda + i0)/\\pi` (eq. (12)).
Support edges are the critical values of the inverse :math:`z(w) = R(w) + 1/w`, so integrals of
the density (the index, eq. (19)) use Gauss–Legendre quadrature adapted to square-root edges.

Laws provided: Marchenko–Pastur (eq. (16)), semicircle (eq. (16)), product Wishart (eq. (28),
with the energy restored), their sums (eqs. (17) and (29)).  The Wishart + Wigner model of §4 has
closed-form helpers :func:`wishart_wigner_density`, :func:`index`, :func:`critical_energy`; the
improved model of §6.3 has :func:`improved_density`, :func:`improved_index`,
:func:`improved_critical_energy`.  Network helpers split the exact Hessian of a squared loss into
its Gauss–Newton part :math:`H_0 = J^T J/m` and the rest :math:`H_1` (eqs. (3)–(4)).

Convention for the energy: residuals have variance :math:`2\\epsilon` (assumption 2 of the paper),
the Wigner part of §4 has variance :math:`2\\epsilon`, so :math:`R_{H_1}(w) = 2\\epsilon w`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscape import _validate

__all__ = [
    "RootSelectionError",
    "RationalR",
    "r_marchenko_pastur",
    "r_semicircle",
    "r_product_wishart",
    "stieltjes_polynomial",
    "stieltjes",
    "density",
    "support_edges",
    "support_intervals",
    "integrate_density",
    "distribution_function",
    "discriminant",
    "wishart_wigner_r",
    "wishart_wigner_cubic",
    "wishart_wigner_density",
    "index",
    "critical_energy",
    "critical_energy_printed",
    "product_wishart_density",
    "product_wishart_moments",
    "improved_r",
    "improved_quartic",
    "improved_density",
    "improved_index",
    "improved_critical_energy",
    "critical_energy_numeric",
    "critical_energies_numeric",
    "index_law_fit",
    "onset_coefficients",
    "empirical_cdf_distance",
    "wishart_eigenvalues",
    "sample_wishart_wigner_eigenvalues",
    "sample_product_wishart_h1",
    "haar_orthogonal",
    "RotationTest",
    "rotation_test",
    "gauss_newton_split",
    "gauss_newton",
    "relu_gauss_newton",
    "relu_h1",
    "relu_h1_eigenvalues",
]


class RootSelectionError(ValueError):
    """No root of the Stieltjes polynomial has the sign of Im G a Stieltjes transform must have."""


# ----------------------------------------------------------------------------------------------
# polynomials whose coefficients are (broadcastable) arrays, ascending powers
# ----------------------------------------------------------------------------------------------
def _padd(p, q):
    n = max(len(p), len(q))
    return [(p[i] if i < len(p) else 0.0) + (q[i] if i < len(q) else 0.0) for i in range(n)]


def _pmul(p, q):
    out = [0.0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] = out[i + j] + a * b
    return out


def _pscale(p, c):
    return [c * a for a in p]


def _pshift(p, k=1):
    """Multiply by w**k."""
    return [0.0] * k + list(p)


def _pderiv(p):
    return [i * p[i] for i in range(1, len(p))] or [0.0]


def _peval(p, x):
    out = np.zeros_like(x) + p[-1]
    for a in reversed(p[:-1]):
        out = out * x + a
    return out


def _peval_with_derivative(p, x):
    val = np.zeros_like(x) + p[-1]
    der = np.zeros_like(x)
    for a in reversed(p[:-1]):
        der = der * x + val
        val = val * x + a
    return val, der


@dataclass(frozen=True)
class RationalR:
    """An R transform :math:`R(w) = N(w)/D(w)` with polynomial numerator and denominator.

    ``num`` and ``den`` are sequences of coefficients in ascending powers of w; each coefficient
    may be a numpy array (all broadcast together), so one object describes a whole family of laws,
    e.g. one per energy on a grid.  ``D(0)`` must not vanish (R is analytic at 0).  Adding two
    instances is free additive convolution (Pennington & Bahri eq. (14)).
    """

    num: tuple
    den: tuple

    def __add__(self, other: "RationalR") -> "RationalR":
        if not isinstance(other, RationalR):
            return NotImplemented
        num = _padd(_pmul(self.num, other.den), _pmul(other.num, self.den))
        return RationalR(tuple(num), tuple(_pmul(self.den, other.den)))

    def __call__(self, w):
        w = np.asarray(w, dtype=complex)
        return _peval(list(self.num), w) / _peval(list(self.den), w)

    def cumulants(self):
        """First two free cumulants :math:`\\kappa_1 = R(0)` (mean), :math:`\\kappa_2 = R'(0)` (variance)."""
        N, D = list(self.num) + [0.0], list(self.den) + [0.0]
        k1 = np.asarray(N[0] / D[0], dtype=float)
        k2 = np.asarray((N[1] * D[0] - N[0] * D[1]) / D[0] ** 2, dtype=float)
        return k1, k2


def r_marchenko_pastur(phi, scale=1.0) -> RationalR:
    """R transform of the Marchenko–Pastur law with ratio φ and scale σ: :math:`\\sigma/(1-\\sigma\\phi w)`.

    Notes
    -----
    Pennington & Bahri eq. (16) (σ = 1) and the first term of eq. (29).  The law has support
    :math:`\\sigma(1\\mp\\sqrt\\phi)^2` (their eq. (8), where σ plays the role of a variance) and,
    for φ > 1, an atom of mass 1 − 1/φ at zero.
    """
    phi = np.asarray(phi, dtype=float)
    scale = np.asarray(scale, dtype=float)
    return RationalR((scale,), (1.0, -scale * phi))


def r_semicircle(variance) -> RationalR:
    """R transform of the semicircle law with variance v: :math:`v\\,w` (eq. (16) with v = 2ε)."""
    return RationalR((0.0, np.asarray(variance, dtype=float)), (1.0,))


def r_product_wishart(epsilon, phi) -> RationalR:
    """R transform of the H1 block of a one-hidden-layer ReLU network, eq. (28) with ε restored.

    .. math:: R_{H_1}(w) = \\frac{\\epsilon\\phi w}{2 - \\epsilon\\phi^2 w^2} .

    Notes
    -----
    The printed eq. (28) reads :math:`\\phi z/(2-\\phi^2 z^2)`, the form at ε = 1; scaling H1 by
    √ε (residual variance 2ε) maps R(w) to √ε R(√ε w).  Its free cumulants κ2 = εφ/2 and
    κ4 = ε²φ³/4 give the moments of eq. (23) (see :func:`product_wishart_moments`).
    """
    epsilon = np.asarray(epsilon, dtype=float)
    phi = np.asarray(phi, dtype=float)
    return RationalR((0.0, epsilon * phi), (2.0, 0.0, -epsilon * phi**2))


def stieltjes_polynomial(r: RationalR, z):
    """Coefficients (ascending in G) of :math:`P(G;z) = G N(G) + D(G) - z G D(G)`, whose roots contain G(z).

    Notes
    -----
    Clearing the denominators of eq. (13) of Pennington & Bahri, :math:`R(G) + 1/G = z`.
    """
    A = _padd(_pshift(list(r.num)), list(r.den))
    B = _pshift(list(r.den))
    z = np.asarray(z)
    return _padd(A, _pscale(B, -z))


def _parts(r: RationalR):
    A = _padd(_pshift(list(r.num)), list(r.den))
    B = _pshift(list(r.den))
    return A, B


def stieltjes(r: RationalR, z, *, ratio: float = 0.5, floor: float = 1e-9, newton: int = 2,
              check: bool = True):
    """Stieltjes transform G(z) of the law with R transform ``r``, for Im z ≥ 0 (vectorised).

    Parameters
    ----------
    r : RationalR
    z : array_like, complex, Im z ≥ 0 (real z gives the boundary value G(λ + i0))
    ratio : factor by which Im z shrinks between continuation steps
    floor : smallest Im z of the continuation, relative to the spectral scale, before the final
        step to the target
    newton : Newton corrections per continuation step
    check : raise :class:`RootSelectionError` if the result is not a root or has Im G > 0

    Returns
    -------
    complex ndarray, the physical root (G ~ 1/z at infinity, Im G ≤ 0 in the upper half plane)

    Notes
    -----
    Far above the spectrum Newton's method started at 1/z converges to the physical root; the
    root is then followed down a vertical line z = λ + iη, η shrinking geometrically, with an
    Euler predictor (dG/dz = B(G)/∂_G P for P = A − zB) and Newton corrections, which keeps it
    on the branch continuous from infinity (checked against a brute-force selection among all
    roots in the tests).  On the real axis a conjugate pair of roots meets the continuation from
    above; the member with Im G ≤ 0 is the boundary value.
    """
    z = np.asarray(z, dtype=complex)
    if not np.all(np.isfinite(z)):
        raise ValueError("`z` must contain only finite numbers")
    if np.any(z.imag < 0):
        raise ValueError("`z` must lie in the closed upper half plane (Im z >= 0)")
    A, B = _parts(r)
    k1, k2 = r.cumulants()
    scale = np.abs(k1) + 3.0 * np.sqrt(np.abs(k2)) + 1e-300
    lam, eta_t = z.real, z.imag
    shape = np.broadcast_shapes(z.shape, np.shape(scale), *[np.shape(c) for c in A + B])
    lam = np.broadcast_to(lam, shape)
    eta_t = np.broadcast_to(eta_t, shape)
    scale = np.broadcast_to(scale, shape)
    eta0 = 20.0 * (scale + np.abs(lam))
    eta_floor = np.maximum(eta_t, floor * scale)

    def newton_steps(G, zc, k):
        coeffs = _padd(A, _pscale(B, -zc))
        for _ in range(k):
            val, der = _peval_with_derivative(coeffs, G)
            step = np.where(der != 0, val / np.where(der != 0, der, 1.0), 0.0)
            G = G - step
        return G

    def predict(G, z_old, z_new):
        coeffs = _padd(A, _pscale(B, -z_old))
        _, der = _peval_with_derivative(coeffs, G)
        ok = der != 0
        return G + np.where(ok, _peval(B, G) / np.where(ok, der, 1.0), 0.0) * (z_new - z_old)

    zc = lam + 1j * eta0
    G = newton_steps(1.0 / zc, zc, 8)
    eta = eta0
    n_levels = int(math.ceil(math.log(float(np.max(eta0 / eta_floor))) / math.log(1.0 / ratio))) + 1
    for _ in range(n_levels):
        eta = np.maximum(eta * ratio, eta_floor)
        z_new = lam + 1j * eta
        G = newton_steps(predict(G, zc, z_new), z_new, newton)
        zc = z_new
    # final step onto the target (exactly the real axis where Im z = 0)
    ztarget = lam + 1j * eta_t
    G = newton_steps(predict(G, zc, ztarget), ztarget, 2 * newton + 4)
    on_axis = eta_t == 0
    G = np.where(on_axis & (G.imag > 0), np.conj(G), G)
    if check:
        coeffs = _padd(A, _pscale(B, -ztarget))
        # residual relative to the size of the terms of the polynomial
        size = sum(np.abs(c) * np.abs(G) ** i for i, c in enumerate(coeffs))
        resid = np.abs(_peval(coeffs, G)) / np.maximum(size, 1e-300)
        tol_im = 1e-8 * np.maximum(np.abs(G), 1e-300)
        bad = ~np.isfinite(G) | (resid > 1e-6) | (G.imag > tol_im)
        if np.any(bad):
            i = int(np.flatnonzero(bad.ravel())[0])
            raise RootSelectionError(
                f"root selection failed at z = {ztarget.ravel()[i]!r}: G = {G.ravel()[i]!r}, "
                f"relative residual {resid.ravel()[i]:.2e} (need a root with Im G <= 0)")
    return G


def density(r: RationalR, lam):
    """Spectral density :math:`-\\operatorname{Im} G(\\lambda+i0)/\\pi` (eq. (12)) of the law with R transform ``r``.

    Atoms (e.g. the Marchenko–Pastur mass at 0 for φ > 1) are not represented.
    """
    lam = _validate.finite_array("lam", lam)
    G = stieltjes(r, lam.astype(complex))
    return np.clip(-G.imag / np.pi, 0.0, None)


def support_edges(r: RationalR):
    """Candidate support edges: critical values :math:`z(w^*)` of :math:`z(w) = R(w) + 1/w` at real :math:`w^*`.

    ``r`` must have scalar coefficients.  Every edge of the support is in the returned sorted array;
    some candidates may be spurious (critical values on another branch), so callers test the
    density between candidates (:func:`support_intervals`).

    Notes
    -----
    :math:`z'(w) = 0 \\iff w^2 (N'D - ND') - D^2 = 0`; square-root edges of an algebraic Stieltjes
    transform are where two roots of P(G; z) merge, i.e. where z(w) is stationary.
    """
    N, D = [complex(np.asarray(c)) for c in r.num], [complex(np.asarray(c)) for c in r.den]
    crit = _padd(_pshift(_padd(_pmul(_pderiv(N), D), _pscale(_pmul(N, _pderiv(D)), -1.0)), 2),
                 _pscale(_pmul(D, D), -1.0))
    c = np.array(crit, dtype=complex)
    while c.size > 1 and c[-1] == 0:
        c = c[:-1]
    roots = np.roots(c[::-1]) if c.size > 1 else np.array([])
    w = roots[np.abs(roots.imag) <= 1e-7 * np.maximum(np.abs(roots), 1.0)].real
    w = w[np.abs(w) > 1e-14]
    Dw = np.array([_peval(D, x) for x in w.astype(complex)]) if w.size else np.array([])
    w = w[np.abs(Dw) > 1e-12] if w.size else w
    edges = np.array([float((r(x) + 1.0 / x).real) for x in w]) if w.size else np.array([])
    edges = np.unique(np.round(edges, 14))
    return edges


def support_intervals(r: RationalR):
    """Intervals [a, b] between consecutive candidate edges on which the density is positive."""
    edges = support_edges(r)
    if edges.size < 2:
        raise RootSelectionError("fewer than two support edges found")
    mids = 0.5 * (edges[:-1] + edges[1:])
    rho = density(r, mids)
    keep = rho > 1e-10 * max(float(rho.max()), 1e-300)
    return [(float(a), float(b)) for a, b, k in zip(edges[:-1], edges[1:], keep) if k]


_GL_CACHE: dict = {}


def _gauss_legendre(n):
    if n not in _GL_CACHE:
        _GL_CACHE[n] = np.polynomial.legendre.leggauss(n)
    return _GL_CACHE[n]


def _interval_nodes(a, b, upper, n):
    """Nodes and weights for ∫_a^{t} f dλ, t = min(b, upper), with λ = (a+t)/2 − (t−a)/2 cos θ.

    The map clusters nodes at both ends, which removes square-root edges (f ~ √(λ − a)) and
    resolves a sharp peak placed at an end (the intervals are split at 0 by the callers).
    """
    top = min(b, upper)
    if top <= a:
        return np.empty(0), np.empty(0)
    x, w = _gauss_legendre(n)
    theta = 0.5 * np.pi * (x + 1.0)
    lam = 0.5 * (a + top) - 0.5 * (top - a) * np.cos(theta)
    weights = 0.5 * np.pi * w * 0.5 * (top - a) * np.sin(theta)
    return lam, weights


def _pieces(a, b, upper):
    """[a, min(b, upper)] split at 0 when 0 lies inside."""
    top = min(b, upper)
    if top <= a:
        return []
    return [(a, 0.0), (0.0, top)] if a < 0.0 < top else [(a, top)]


def integrate_density(r: RationalR, upper: float = np.inf, *, nodes: int = 192, moment: int = 0):
    """∫ λ^k ρ(λ) dλ over the part of the support below ``upper`` (Gauss–Legendre, √-edge adapted).

    With ``upper = 0`` and ``moment = 0`` this is the index α of eq. (19); with ``upper = inf`` it
    is the total mass of the continuous part (1 when there are no atoms).
    """
    lams, weights = [], []
    for a, b in support_intervals(r):
        for p, q in _pieces(a, b, upper):
            l, w = _interval_nodes(p, q, np.inf, nodes)
            lams.append(l)
            weights.append(w)
    if not lams or sum(l.size for l in lams) == 0:
        return 0.0
    lam = np.concatenate(lams)
    w = np.concatenate(weights)
    return float(np.sum(w * lam**moment * density(r, lam)))


def distribution_function(r: RationalR, x, *, points: int = 4000):
    """Cumulative distribution F(x) = ∫_{-∞}^x ρ of the continuous part (no atoms), vectorised in x.

    The density is tabulated on each support interval at points uniform in θ, where
    λ = (a+b)/2 − (b−a)/2 cos θ (dense near the square-root edges), integrated by the trapezoid
    rule and interpolated; accurate to ~1e-7 for ``points = 4000``.
    """
    x = _validate.finite_array("x", x)
    points = _validate.integer("points", points, minimum=16)
    knots, cums, total = [], [], 0.0
    for a, b in support_intervals(r):
        theta = np.linspace(0.0, np.pi, points)
        lam = 0.5 * (a + b) - 0.5 * (b - a) * np.cos(theta)
        f = density(r, lam) * 0.5 * (b - a) * np.sin(theta)
        c = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(theta))])
        knots.append(lam)
        cums.append(total + c)
        total += c[-1]
    return np.interp(x, np.concatenate(knots), np.concatenate(cums), left=0.0, right=total)


def discriminant(coeffs):
    """Discriminant of the polynomial with ascending coefficients ``coeffs`` (arrays broadcast).

    Computed as :math:`(-1)^{n(n-1)/2} \\operatorname{Res}(p, p')/a_n` from the Sylvester matrix.

    Examples
    --------
    >>> float(discriminant([-1.0, 0.0, 1.0]))   # x² − 1: b² − 4ac = 4
    4.0
    """
    coeffs = [np.asarray(c, dtype=float) for c in coeffs]
    while len(coeffs) > 1 and np.all(coeffs[-1] == 0):  # a vanishing leading coefficient lowers the degree
        coeffs = coeffs[:-1]
    shape = np.broadcast_shapes(*[c.shape for c in coeffs])
    p = [np.broadcast_to(c, shape) for c in coeffs][::-1]  # descending
    n = len(p) - 1
    if n < 1:
        raise ValueError("`coeffs` must describe a polynomial of degree >= 1")
    dp = [(n - i) * p[i] for i in range(n)]
    size = 2 * n - 1
    S = np.zeros(shape + (size, size))
    for row in range(n - 1):
        for j, c in enumerate(p):
            S[..., row, row + j] = c
    for row in range(n):
        for j, c in enumerate(dp):
            S[..., n - 1 + row, row + j] = c
    res = np.linalg.det(S)
    return (-1) ** (n * (n - 1) // 2) * res / p[0]


# ----------------------------------------------------------------------------------------------
# §4: Wishart + Wigner
# ----------------------------------------------------------------------------------------------
def _check_phi(phi):
    return _validate.positive_float("phi", phi)


def _check_epsilon(epsilon):
    eps = _validate.finite_array("epsilon", epsilon)
    if np.any(eps < 0):
        raise ValueError(f"`epsilon` must be >= 0 (an energy); got {epsilon!r}")
    return eps


def wishart_wigner_r(epsilon, phi) -> RationalR:
    """R transform of eq. (17): :math:`1/(1-\\phi w) + 2\\epsilon w` (Marchenko–Pastur φ ⊞ semicircle of variance 2ε)."""
    return r_marchenko_pastur(phi) + r_semicircle(2.0 * np.asarray(epsilon, dtype=float))


def wishart_wigner_cubic(z, epsilon, phi):
    """Ascending coefficients of eq. (18) with ε restored: :math:`2\\epsilon\\phi G^3 - (2\\epsilon + z\\phi) G^2 + (z + \\phi - 1) G - 1`.

    Notes
    -----
    The plain-text copy of the paper prints :math:`2\\phi G^3 - (2 + z\\phi) G^2 + \\dots`; the
    energy multiplies the two terms that come from :math:`R_{H_1} = 2\\epsilon w`.
    """
    eps = np.asarray(epsilon, dtype=float)
    phi = np.asarray(phi, dtype=float)
    z = np.asarray(z)
    return [-1.0 + 0 * z, z + phi - 1.0, -(2.0 * eps + z * phi), 2.0 * eps * phi + 0 * z]


def wishart_wigner_density(lam, epsilon, phi):
    """Limiting spectral density of H = Wishart(φ) + Wigner(variance 2ε), §4 of Pennington & Bahri.

    Parameters
    ----------
    lam : array_like, finite
    epsilon : float or array ≥ 0 (broadcast against ``lam``); the energy of the critical point
    phi : float > 0; ratio of parameters to effective examples

    Returns
    -------
    ndarray, the density at ``lam`` (for ε = 0 and φ > 1 the atom 1 − 1/φ at 0 is omitted)

    Notes
    -----
    Root of the cubic (18) continued from G ~ 1/z and inverted with eq. (12); see :func:`stieltjes`.

    Examples
    --------
    >>> round(float(wishart_wigner_density(1.0, 0.0, 0.25)), 9)   # ε = 0: Marchenko–Pastur
    0.616404444
    """
    lam = _validate.finite_array("lam", lam)
    eps = _check_epsilon(epsilon)
    phi = _check_phi(phi)
    if np.all(eps == 0):
        from landscape.rmt.random_matrix import marchenko_pastur_density

        return np.broadcast_to(marchenko_pastur_density(lam, phi), np.broadcast_shapes(lam.shape, eps.shape)).copy()
    if np.any(eps == 0):
        raise ValueError("`epsilon` must be all zero or all positive")
    return density(wishart_wigner_r(eps, phi), lam)


def _index_generic(make_r, eps, nodes):
    """Negative mass ∫_{-∞}^0 ρ for each ε (batched density evaluations)."""
    flat = eps.ravel()
    out = np.zeros(flat.size)
    # pass 1: candidate edges and midpoints for every ε
    cand, mids, owner = [], [], []
    for i, e in enumerate(flat):
        if e == 0:
            cand.append(None)
            continue
        edges = support_edges(make_r(float(e)))
        cand.append(edges)
        m = 0.5 * (edges[:-1] + edges[1:])
        mids.append(m)
        owner.append(np.full(m.size, i))
    if mids:
        mids_a, own_a = np.concatenate(mids), np.concatenate(owner)
        rho = density(make_r(flat[own_a]), mids_a) if mids_a.size else np.empty(0)
    # pass 2: quadrature nodes on the negative part of every interval with positive density
    lams, wts, own2 = [], [], []
    k = 0
    for i, edges in enumerate(cand):
        if edges is None:
            continue
        m = edges.size - 1
        if m <= 0:
            raise RootSelectionError(f"no support found for epsilon={flat[i]!r}")
        r_here = rho[k:k + m]
        k += m
        keep = r_here > 1e-10 * max(float(r_here.max()), 1e-300)
        for a, b, kp in zip(edges[:-1], edges[1:], keep):
            if kp and a < 0:
                l, w = _interval_nodes(float(a), float(b), 0.0, nodes)
                lams.append(l)
                wts.append(w)
                own2.append(np.full(l.size, i))
    if lams:
        lam_a, w_a, own_a = np.concatenate(lams), np.concatenate(wts), np.concatenate(own2)
        rho = density(make_r(flat[own_a]), lam_a)
        np.add.at(out, own_a, w_a * rho)
    return out.reshape(eps.shape)


def index(epsilon, phi, *, nodes: int = 192):
    """Normalised index α(ε, φ) = ∫_{-∞}^0 ρ(λ; ε, φ) dλ of the Wishart + Wigner model (eq. (19)).

    Parameters
    ----------
    epsilon : float or array ≥ 0 (vectorised)
    phi : float > 0
    nodes : Gauss–Legendre nodes per support interval

    Returns
    -------
    float or ndarray like ``epsilon``

    Notes
    -----
    For φ < 1, α = 0 for ε ≤ ε_c(φ) (eq. (21)) and α ≈ α0 ((ε − ε_c)/ε_c)^{3/2} just above (eq. (20)).
    For φ ≥ 1 the Wishart part has no gap (φ = 1) or an atom 1 − 1/φ at 0 (φ > 1); any ε > 0
    spreads it symmetrically, so α > 0 for every ε > 0 and α → (1 − 1/φ)/2 as ε → 0⁺ (φ > 1).
    At ε = 0 the index is 0 (the atom sits at 0 and is not counted as negative).

    Examples
    --------
    >>> float(index(0.0, 0.5))
    0.0
    """
    eps = _check_epsilon(epsilon)
    phi = _check_phi(phi)
    nodes = _validate.integer("nodes", nodes, minimum=8)
    out = _index_generic(lambda e: wishart_wigner_r(e, phi), eps, nodes)
    return float(out) if out.ndim == 0 else out


def critical_energy(phi):
    """ε_c(φ) of eq. (21): the energy below which the Wishart + Wigner Hessian has no negative eigenvalue.

    Parameters
    ----------
    phi : float or array > 0

    Returns
    -------
    float or ndarray; 0 for φ ≥ 1

    Notes
    -----
    Eq. (21), :math:`\\epsilon_c = \\tfrac1{16}(1 - 20\\phi - 8\\phi^2 + (1+8\\phi)^{3/2})`, factorises
    with :math:`s = \\sqrt{1+8\\phi}` as :math:`(3-s)^3(1+s)/128`, i.e.

    .. math:: \\epsilon_c = \\frac{4(1-\\phi)^3(1+s)}{(3+s)^3},

    which is evaluated here (no cancellation near φ = 1, where ε_c ≈ 2(1−φ)³/27, eq. (22)).
    The printed formula is negative for φ > 1, where it has no meaning: the Wishart atom at 0
    makes the index positive for every ε > 0, so ε_c = 0 for φ ≥ 1 (returned as 0).

    Examples
    --------
    >>> float(critical_energy(0.0 + 1e-300))   # φ → 0: 1/8
    0.125
    """
    phi_a = _validate.finite_array("phi", phi)
    if np.any(phi_a <= 0):
        raise ValueError(f"`phi` must be > 0; got {phi!r}")
    s = np.sqrt(1.0 + 8.0 * phi_a)
    out = np.where(phi_a < 1, 4.0 * (1.0 - phi_a) ** 3 * (1.0 + s) / (3.0 + s) ** 3, 0.0)
    return float(out) if out.ndim == 0 else out


def critical_energy_printed(phi):
    """Eq. (21) exactly as printed, :math:`\\tfrac1{16}(1-20\\phi-8\\phi^2+(1+8\\phi)^{3/2})` (no clipping)."""
    phi_a = _validate.finite_array("phi", phi)
    if np.any(phi_a <= 0):
        raise ValueError(f"`phi` must be > 0; got {phi!r}")
    out = (1.0 - 20.0 * phi_a - 8.0 * phi_a**2 + (1.0 + 8.0 * phi_a) ** 1.5) / 16.0
    return float(out) if out.ndim == 0 else out


# ----------------------------------------------------------------------------------------------
# §6: product Wishart H1 and the improved approximation
# ----------------------------------------------------------------------------------------------
def product_wishart_density(lam, epsilon, phi):
    """Density of H1 (eqs. (23)–(28)) from :math:`R_{H_1} = \\epsilon\\phi w/(2-\\epsilon\\phi^2 w^2)`; φ < 1 (no atom)."""
    lam = _validate.finite_array("lam", lam)
    eps = _check_epsilon(epsilon)
    if np.any(eps <= 0):
        raise ValueError(f"`epsilon` must be > 0; got {epsilon!r}")
    phi = _check_phi(phi)
    return density(r_product_wishart(eps, phi), lam)


def product_wishart_moments(epsilon, phi):
    """Second and fourth moments of H1 implied by eq. (28): (εφ/2, ε²(φ³/4 + φ²/2)).

    Notes
    -----
    From the free cumulants κ2 = εφ/2, κ4 = ε²φ³/4 of R_H1 and m4 = κ4 + 2κ2² (symmetric law).
    Independently, for H12 = (1/m) I ⊗ ê x̂ᵀ with ê, x̂ of size n × m/2 (variances 2ε and 1),
    free multiplicative convolution gives the same two numbers.
    """
    eps = _check_epsilon(epsilon)
    phi = _validate.finite_array("phi", phi)
    if np.any(phi <= 0):
        raise ValueError(f"`phi` must be > 0; got {phi!r}")
    return eps * phi / 2.0, eps**2 * (phi**3 / 4.0 + phi**2 / 2.0)


def improved_r(epsilon, phi, sigma=1.0) -> RationalR:
    """R transform of eq. (29): :math:`\\sigma/(1-\\sigma\\phi w) + \\epsilon\\phi w/(2-\\epsilon\\phi^2w^2)`."""
    return r_marchenko_pastur(phi, sigma) + r_product_wishart(epsilon, phi)


def improved_quartic(z, epsilon, phi, sigma=1.0):
    """Ascending coefficients of eq. (30) with ε restored, written as a polynomial equal to zero:

    .. math:: -2 + 2(z-\\sigma(1-\\phi))G - \\phi(2\\sigma z+\\epsilon(1-\\phi))G^2
              - \\epsilon\\phi^2(z+\\sigma(\\phi-2))G^3 + \\epsilon z\\sigma\\phi^3 G^4 .
    """
    e = np.asarray(epsilon, dtype=float)
    p = np.asarray(phi, dtype=float)
    s = np.asarray(sigma, dtype=float)
    z = np.asarray(z)
    return [-2.0 + 0 * z, 2.0 * (z - s * (1 - p)), -p * (2 * s * z + e * (1 - p)),
            -e * p**2 * (z + s * (p - 2)), e * z * s * p**3]


def improved_density(lam, epsilon, phi, sigma=1.0):
    """Density of the improved approximation (eq. (29)); atoms (φ > 2) are not represented."""
    lam = _validate.finite_array("lam", lam)
    eps = _check_epsilon(epsilon)
    if np.any(eps <= 0):
        raise ValueError(f"`epsilon` must be > 0; got {epsilon!r}")
    phi = _check_phi(phi)
    sigma = _validate.positive_float("sigma", sigma)
    return density(improved_r(eps, phi, sigma), lam)


def improved_index(epsilon, phi, sigma=1.0, *, nodes: int = 192):
    """Index α(ε, φ) of the improved approximation (eqs. (29)–(31)); vectorised over ε.

    Valid for φ < 2 (for φ > 2 the law has an atom at 0, which is never counted as negative).
    """
    eps = _check_epsilon(epsilon)
    phi = _check_phi(phi)
    sigma = _validate.positive_float("sigma", sigma)
    nodes = _validate.integer("nodes", nodes, minimum=8)
    out = _index_generic(lambda e: improved_r(e, phi, sigma), eps, nodes)
    return float(out) if out.ndim == 0 else out


def improved_critical_energy(phi, sigma=1.0, *, printed: bool = False):
    """ε_c(φ) of eq. (32) for the improved approximation; 0 for φ ≥ 1.

    Notes
    -----
    Eq. (32), :math:`\\sigma^2(27-18\\chi-\\chi^2+8\\chi^{3/2})/(32\\phi(1-\\phi)^3)` with
    :math:`\\chi = 1+16\\phi-8\\phi^2`, factorises with :math:`t=\\sqrt\\chi` as
    :math:`\\sigma^2(3-t)^3(1+t)/(32\\phi(1-\\phi)^3) = 16\\sigma^2(1-\\phi)^3(1+t)/(\\phi(3+t)^3)`,
    evaluated here (``printed=True`` evaluates the printed form, NaN where χ < 0).
    Near φ = 1 it tends to 8σ²(1−φ)³/27 (eq. (33)).
    """
    phi_a = _validate.finite_array("phi", phi)
    if np.any(phi_a <= 0):
        raise ValueError(f"`phi` must be > 0; got {phi!r}")
    sigma = _validate.positive_float("sigma", sigma)
    chi = 1.0 + 16.0 * phi_a - 8.0 * phi_a**2
    if printed:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = sigma**2 * (27 - 18 * chi - chi**2 + 8 * chi**1.5) / (32 * phi_a * (1 - phi_a) ** 3)
    else:
        t = np.sqrt(np.clip(chi, 0.0, None))
        out = np.where(phi_a < 1, 16.0 * sigma**2 * (1 - phi_a) ** 3 * (1 + t) / (phi_a * (3 + t) ** 3), 0.0)
    return float(out) if out.ndim == 0 else out


def critical_energy_numeric(make_r, eps_max: float, *, method: str = "edge", xtol: float = 1e-14):
    """ε at which the left support edge of the law ``make_r(ε)`` reaches 0 (``method="edge"``),
    or at which the discriminant of P(G; 0) changes sign (``method="discriminant"``).

    ``make_r(eps) -> RationalR``; the root is bracketed in (0, eps_max] by a geometric scan.
    """
    from scipy.optimize import brentq

    _validate.choice("method", method, ("edge", "discriminant"))
    eps_max = _validate.positive_float("eps_max", eps_max)

    if method == "edge":
        def f(e):
            lo = support_intervals(make_r(e))[0][0]
            return lo
    else:
        def f(e):
            return float(discriminant([np.real(c) for c in stieltjes_polynomial(make_r(e), 0.0)]))
    grid = eps_max * np.logspace(-10, 0, 31)
    vals = [f(e) for e in grid]
    for i in range(len(grid) - 1):
        if np.sign(vals[i]) != np.sign(vals[i + 1]):
            return brentq(f, grid[i], grid[i + 1], xtol=xtol, rtol=1e-13)
    raise ValueError("no sign change found in (0, eps_max]; increase `eps_max`")


def critical_energies_numeric(make_r, phis, eps_max: float, *, method: str = "edge"):
    """:func:`critical_energy_numeric` at each φ of ``phis``, for a family ``make_r(ε, φ) -> RationalR``.

    The numerical side of eqs. (21) and (32): e.g. ``critical_energies_numeric(wishart_wigner_r,
    phis, 10.0, method="discriminant")`` is the energy at which the discriminant of the cubic (18)
    at z = 0 vanishes, for every φ.  Returns an array shaped like ``phis``.
    """
    phis = _validate.finite_array("phis", phis)
    out = [critical_energy_numeric(lambda e, p=float(p): make_r(e, p), eps_max, method=method) for p in phis.ravel()]
    return np.array(out).reshape(phis.shape)


def index_law_fit(index_of, critical_energy_of, phis, xs):
    """Fit of the 3/2 law α ≈ α0 x^γ just above ε_c (eqs. (20) and (31)), exponent not assumed.

    Parameters
    ----------
    index_of : ``(epsilon, phi) -> α`` (e.g. :func:`index`, :func:`improved_index`)
    critical_energy_of : ``phi -> ε_c`` (e.g. :func:`critical_energy`, :func:`improved_critical_energy`)
    phis : (k,) ratios φ < 1
    xs : relative distances x = (ε − ε_c)/ε_c > 0 at which the index is evaluated

    Returns
    -------
    ``(exponents, prefactors)``: for each φ the slope γ and exp(intercept) α0 of the least-squares
    line of log α against log x (eq. (20) predicts γ = 3/2).
    """
    phis = _validate.finite_array("phis", phis)
    xs = _validate.finite_array("xs", xs)
    if xs.ndim != 1 or xs.size < 2 or np.any(xs <= 0):
        raise ValueError(f"`xs` must hold at least 2 positive values; got {xs!r}")
    fits = np.array([np.polyfit(np.log(xs), np.log(index_of(critical_energy_of(p) * (1 + xs), p)), 1)
                     for p in phis.ravel()])
    return fits[:, 0], np.exp(fits[:, 1])


def onset_coefficients(critical_energy_of, delta: float = 1e-2):
    """Leading and next coefficient of ε_c = c3 δ³ + c4 δ⁴ + … near φ = 1, δ = 1 − φ (eqs. (22), (33)).

    With c(δ) = ε_c(1 − δ)/δ³ = c3 + c4 δ + O(δ²), one Richardson step gives
    c3 ≈ 2c(δ/2) − c(δ) (error O(δ²)) and c4 ≈ (c(δ) − c(δ/2))/(δ/2).  Returns ``(c3, c4)``.

    >>> round(onset_coefficients(critical_energy)[0], 6) == round(2 / 27, 6)
    True
    """
    delta = float(_validate.in_interval("delta", delta, 0.0, 1.0, closed="neither"))
    c1 = critical_energy_of(1 - delta) / delta**3
    c2 = critical_energy_of(1 - delta / 2) / (delta / 2) ** 3
    return 2 * c2 - c1, (c1 - c2) / (delta / 2)


# ----------------------------------------------------------------------------------------------
# sampling helpers
# ----------------------------------------------------------------------------------------------
def empirical_cdf_distance(eigenvalues, cdf):
    """Kolmogorov–Smirnov distance sup |F_n − F| between sampled eigenvalues and a CDF callable."""
    x = np.sort(_validate.finite_array("eigenvalues", eigenvalues).ravel())
    n = x.size
    F = np.asarray(cdf(x), dtype=float)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - F), np.max(F - (i - 1) / n)))


def wishart_eigenvalues(n, m, rng: np.random.Generator):
    """Eigenvalues of a real Wishart matrix XXᵀ/m, X of size n × m with N(0, 1) entries, n ≤ m.

    Uses the bidiagonal model of Dumitriu & Edelman (2002, β = 1): XXᵀ has the spectrum of BBᵀ
    with B lower bidiagonal, B_ii ~ χ_{m−i+1}, B_{i+1,i} ~ χ_{n−i}; O(n²) instead of O(n²m).
    Together with the orthogonal invariance of the GOE, the spectrum of Wishart + GOE is that of
    diag(λ_W) + GOE, which is how the chapter samples H = H0 + H1.
    """
    from scipy.linalg import eigvalsh_tridiagonal

    n = _validate.integer("n", n, minimum=1)
    m = _validate.integer("m", m, minimum=n)
    d = np.sqrt(rng.chisquare(m - np.arange(n)))
    s = np.sqrt(rng.chisquare(n - 1 - np.arange(n - 1))) if n > 1 else np.empty(0)
    diag = d**2 + np.concatenate([[0.0], s**2])
    off = d[:-1] * s
    return np.sort(eigvalsh_tridiagonal(diag, off)) / m


def sample_wishart_wigner_eigenvalues(n, phi, epsilon, rng: np.random.Generator, generator):
    """Eigenvalues of one sampled H = XXᵀ/m + W of §4 (Fig. 1): Wishart ratio φ = n/m plus GOE of variance 2ε.

    The Wishart spectrum comes from :func:`wishart_eigenvalues` (numpy ``rng``, m = round(n/φ)),
    the GOE matrix from :func:`landscape.rmt.random_matrix.sample_goe` on the torch ``generator``'s
    device; by the orthogonal invariance of the GOE, diag(λ_W) + W has the spectrum of XXᵀ/m + W.
    The eigenvalues of the sum are computed with numpy (float64, on the CPU), sorted ascending.
    """
    from landscape.rmt.random_matrix import sample_goe

    n = _validate.integer("n", n, minimum=1)
    phi = float(_validate.in_interval("phi", phi, 0.0, 1.0, closed="right"))
    epsilon = _validate.positive_float("epsilon", epsilon)
    lam_w = wishart_eigenvalues(n, int(round(n / phi)), rng)
    W = sample_goe(n, generator=generator, variance=2 * epsilon).cpu().numpy()
    return np.linalg.eigvalsh(np.diag(lam_w) + W)


def sample_product_wishart_h1(n, phi, epsilon, rng: np.random.Generator):
    """Eigenvalues of H1 with Gaussian factors: ± the singular values of E Xᵀ/(2m) (eqs. (26)–(27)).

    X and E are n × m with m = int(n/φ), X ~ N(0, 1) and E ~ N(0, 2ε) (drawn from ``rng`` in that
    order); the factor 1/2 is the ReLU mask keeping half of the m examples.  The 2n eigenvalues
    follow the law of R_H1(w) = εφw/(2 − εφ²w²) (eq. (28) with the energy restored,
    :func:`r_product_wishart`) as n → ∞.  Unsorted: the n values s, then −s.
    """
    n = _validate.integer("n", n, minimum=1)
    phi = float(_validate.in_interval("phi", phi, 0.0, 1.0, closed="right"))
    epsilon = _validate.positive_float("epsilon", epsilon)
    m = int(n / phi)
    x = rng.normal(size=(n, m))
    e = rng.normal(size=(n, m)) * np.sqrt(2 * epsilon)
    s = np.linalg.svd(e @ x.T / (2 * m), compute_uv=False)
    return np.concatenate([s, -s])


def haar_orthogonal(n, rng: np.random.Generator):
    """A Haar-distributed orthogonal n×n matrix (QR of a Gaussian matrix with the sign fix)."""
    n = _validate.integer("n", n, minimum=1)
    A = rng.normal(size=(n, n))
    Q, R = np.linalg.qr(A)
    return Q * np.sign(np.diag(R))


@dataclass(frozen=True)
class RotationTest:
    """Spectrum of H = H0 + H1 against those of H0 + Q H1 Qᵀ for Haar-random Q (Fig. 2, §5.2.1).

    Attributes
    ----------
    eigenvalues : (P,) eigenvalues of H0 + H1, ascending
    rotated : (k, P) eigenvalues of H0 + Q_r H1 Q_rᵀ for each of the k rotations
    distance : (k,) Wasserstein-1 distance between the spectrum of H and each rotated spectrum,
        relative to the mean absolute deviation of the spectrum of H
    distance_between : (k − 1,) the same between consecutive rotations (the fluctuation that free
        independence allows at this size)
    index : fraction of eigenvalues of H below −tolerance
    rotated_index : (k,) the same for each rotation
    tolerance : 1e-8 · max |λ(H)|, below which an eigenvalue counts as zero
    """

    eigenvalues: np.ndarray
    rotated: np.ndarray
    distance: np.ndarray
    distance_between: np.ndarray
    index: float
    rotated_index: np.ndarray
    tolerance: float

    @property
    def count_shift(self) -> float:
        """Mean number of extra negative eigenvalues after rotation, (mean rotated index − index) · P."""
        return float((self.rotated_index.mean() - self.index) * self.eigenvalues.size)


def rotation_test(H0, H1, rotations, rng: np.random.Generator) -> RotationTest:
    """Free-independence test of Fig. 2: rotate H1 by ``rotations`` Haar-random Q and compare spectra.

    If H0 and H1 are freely independent (the assumption behind eq. (14)), conjugating H1 by a Haar
    orthogonal Q leaves the spectrum of H0 + H1 unchanged in the large-size limit.  The Q are drawn
    with :func:`haar_orthogonal` from ``rng``, one after another.  Returns a :class:`RotationTest`.
    """
    from scipy import stats

    H0 = _validate.finite_array("H0", H0)
    H1 = _validate.finite_array("H1", H1)
    if H0.ndim != 2 or H0.shape[0] != H0.shape[1] or H1.shape != H0.shape:
        raise ValueError(f"`H0` and `H1` must be square matrices of one shape; got {H0.shape}, {H1.shape}")
    rotations = _validate.integer("rotations", rotations, minimum=2)
    ev = np.linalg.eigvalsh(H0 + H1)
    ev_rot = [np.linalg.eigvalsh(H0 + (Q := haar_orthogonal(H0.shape[0], rng)) @ H1 @ Q.T)
              for _ in range(rotations)]
    mad = np.mean(np.abs(ev - ev.mean()))
    if not mad > 0:
        raise ValueError("`H0` + `H1` has a single eigenvalue; distances relative to its spread are undefined")
    distance = np.array([stats.wasserstein_distance(ev, e) for e in ev_rot]) / mad
    between = np.array([stats.wasserstein_distance(ev_rot[i], ev_rot[i + 1]) for i in range(rotations - 1)]) / mad
    tiny = 1e-8 * np.abs(ev).max()
    return RotationTest(eigenvalues=ev, rotated=np.array(ev_rot), distance=distance, distance_between=between,
                        index=float(np.mean(ev < -tiny)),
                        rotated_index=np.array([np.mean(e < -tiny) for e in ev_rot]), tolerance=float(tiny))


# ----------------------------------------------------------------------------------------------
# network Hessian pieces (eqs. (3)–(4), (23))
# ----------------------------------------------------------------------------------------------
def gauss_newton_split(theta, X, Y, net):
    """Exact Hessian H of the mse loss (1/2m)Σ|f−y|² and its split H = H0 + H1 (eqs. (3)–(4)).

    Returns ``(H, H0, H1)`` with :math:`H_0 = J^T J/m`, J the Jacobian of all m·n_out outputs,
    and :math:`H_1 = H - H_0 = (1/m)\\sum e_{i\\mu} \\nabla^2 \\hat y_{i\\mu}`.
    """
    from torch.func import jacrev

    from landscape.nets import networks

    H = networks.hessian(theta, X, Y, net, kind="mse")
    J = jacrev(lambda t: networks.forward(t, X, net).reshape(-1))(theta)
    H0 = J.T @ J / X.shape[0]
    return H, H0, H - H0


def gauss_newton(theta, X, net):
    """Gauss–Newton part :math:`H_0 = J^T J/m` of the Hessian of the mse loss (eq. (3)), J over all m·n_out outputs."""
    from torch.func import jacrev

    from landscape.nets import networks

    J = jacrev(lambda t: networks.forward(t, X, net).reshape(-1))(theta)
    return J.T @ J / X.shape[0]


def relu_gauss_newton(X, W1, W2):
    """:math:`H_0 = J^T J/m` of a bias-free one-hidden-layer ReLU network ŷ = relu(X W1) W2, in closed form.

    Parameters
    ----------
    X : (m, n0); W1 : (n0, n1); W2 : (n1, n2)

    Returns
    -------
    (P, P) ndarray, P = n0·n1 + n1·n2, parameters ordered as in :mod:`landscape.nets.networks`
    (W1 row-major, then W2 row-major); equal to :func:`gauss_newton` (tests) but much cheaper.

    Notes
    -----
    With F = relu(X W1) and Θ = 1[X W1 > 0]: ∂ŷ_{µi}/∂W2[a, j] = δ_ij F_{µa} and
    ∂ŷ_{µi}/∂W1[b, a] = W2[a, i] Θ_{µa} X_{µb}; the blocks of JᵀJ follow by contracting over (µ, i).
    """
    X = _validate.finite_array("X", X)
    W1 = _validate.finite_array("W1", W1)
    W2 = _validate.finite_array("W2", W2)
    if X.ndim != 2 or W1.ndim != 2 or W2.ndim != 2 or W1.shape[0] != X.shape[1] or W2.shape[0] != W1.shape[1]:
        raise ValueError(f"shapes must be X (m, n0), W1 (n0, n1), W2 (n1, n2); got {X.shape}, {W1.shape}, {W2.shape}")
    m, n0 = X.shape
    n1, n2 = W2.shape
    Zp = X @ W1
    F = np.maximum(Zp, 0.0)
    T = (Zp > 0).astype(float)
    A = (X[:, :, None] * T[:, None, :]).reshape(m, n0 * n1)            # (µ, (b, a))
    WW = W2 @ W2.T                                                     # (a, a')
    h11 = (A.T @ A).reshape(n0, n1, n0, n1) * WW[None, :, None, :]
    h22 = np.kron(F.T @ F, np.eye(n2))
    C = (A.T @ F).reshape(n0, n1, n1)                                  # (b, a, a')
    h12 = C[:, :, :, None] * W2[None, :, None, :]                      # (b, a, a', j)
    p1, p2 = n0 * n1, n1 * n2
    H0 = np.empty((p1 + p2, p1 + p2))
    H0[:p1, :p1] = h11.reshape(p1, p1)
    H0[p1:, p1:] = h22
    H0[:p1, p1:] = h12.reshape(p1, p2)
    H0[p1:, :p1] = H0[:p1, p1:].T
    return H0 / m


def relu_h1(X, W1, E):
    """The matrix H1 of eq. (23) for a bias-free one-hidden-layer ReLU network, residuals E (m × n2).

    Block off-diagonal, [H1]_{(b,a),(a',j)} = δ_{aa'} (1/m) Σ_µ θ(z_{µa}) x_{µb} e_{µj}, parameters
    ordered as in :mod:`landscape.nets.networks`; with E = ŷ − y, :func:`relu_gauss_newton` + this is the
    exact Hessian of the mse loss (tests).
    """
    X = _validate.finite_array("X", X)
    W1 = _validate.finite_array("W1", W1)
    E = _validate.finite_array("E", E)
    if X.ndim != 2 or W1.ndim != 2 or E.ndim != 2 or W1.shape[0] != X.shape[1] or E.shape[0] != X.shape[0]:
        raise ValueError(f"shapes must be X (m, n0), W1 (n0, n1), E (m, n2); got {X.shape}, {W1.shape}, {E.shape}")
    m, n0 = X.shape
    n1, n2 = W1.shape[1], E.shape[1]
    mask = (X @ W1 > 0).astype(float)
    blocks = np.einsum("ma,mb,mc->bac", mask, X, E) / m                 # (b, a, j)
    p1, p2 = n0 * n1, n1 * n2
    h12 = np.zeros((n0, n1, n1, n2))
    idx = np.arange(n1)
    h12[:, idx, idx, :] = blocks
    H1 = np.zeros((p1 + p2, p1 + p2))
    H1[:p1, p1:] = h12.reshape(p1, p2)
    H1[p1:, :p1] = H1[:p1, p1:].T
    return H1


def relu_h1_eigenvalues(X, W1, E):
    """Eigenvalues of H1 of a bias-free one-hidden-layer ReLU network built exactly as in eq. (23).

    Parameters
    ----------
    X : (m, n0) inputs; W1 : (n0, n1) first-layer weights (pre-activations z = X W1);
    E : (m, n2) residuals (replaced by noise in Fig. 3 of Pennington & Bahri)

    Returns
    -------
    sorted ndarray of the n1·(n0 + n2) eigenvalues: ±s for the singular values s of the n1 blocks
    :math:`B_a[b, c] = (1/m)\\sum_\\mu \\theta(z_{\\mu a}) x_{\\mu b} e_{\\mu c}`, and n1·|n0 − n2| zeros.

    Notes
    -----
    H1 is block off-diagonal with H12 = ⊕_a B_a (eq. (23): δ_ad makes it block diagonal in the
    hidden unit), so its eigenvalues are ± the singular values of the blocks; the second-derivative
    blocks within one layer vanish for ReLU.  Equal to the exact torch Hessian (tests).
    """
    X = _validate.finite_array("X", X)
    W1 = _validate.finite_array("W1", W1)
    E = _validate.finite_array("E", E)
    if X.ndim != 2 or W1.ndim != 2 or E.ndim != 2 or W1.shape[0] != X.shape[1] or E.shape[0] != X.shape[0]:
        raise ValueError(f"shapes must be X (m, n0), W1 (n0, n1), E (m, n2); got {X.shape}, {W1.shape}, {E.shape}")
    m = X.shape[0]
    mask = (X @ W1 > 0).astype(float)                       # (m, n1)
    blocks = np.einsum("ma,mb,mc->abc", mask, X, E) / m      # (n1, n0, n2)
    s = np.linalg.svd(blocks, compute_uv=False).ravel()
    n0, n2 = X.shape[1], E.shape[1]
    zeros = np.zeros(W1.shape[1] * abs(n0 - n2))
    return np.sort(np.concatenate([s, -s, zeros]))
