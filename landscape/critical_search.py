"""Batched search for critical points of one-hidden-layer networks, and the index–energy law.

{cite:t}`pennington2017` (§6.4, Fig. 6) sample critical points of single-hidden-layer networks
without biases, :math:`f(X) = \\sigma(X W_1) W_2` with :math:`W_1, W_2 \\in \\mathbb R^{n\\times n}`,
trained on a memorisation task (inputs and targets i.i.d. standard normal, m examples):

1. gradient descent on the loss until it falls below a level drawn uniformly between 0 and the
   initial loss;
2. minimisation of :math:`J = |\\nabla_\\theta L|^2`, whose gradient :math:`2 H \\nabla L` needs one
   Hessian-vector product, so that saddles of every index attract;
3. runs with final :math:`J > 10^{-6}` are discarded; the others give an energy
   :math:`\\epsilon = L / n` (paper eq. (2), :math:`L = n_2 \\epsilon`) and an index
   :math:`\\alpha` = fraction of negative Hessian eigenvalues.

Everything is written for one run (one parameter vector, one data set) and batched over runs
with :func:`torch.func.vmap`; :func:`search` and :func:`search_loop` run the same algorithm
batched and one run at a time (the benchmark compares them).

The loss is ``networks.loss(kind="mse")`` = :math:`\\frac1{2m}\\sum_{\\mu}|f(x_\\mu) - y_\\mu|^2`
and the flat parameter layout is that of :mod:`landscape.networks` (``[vec W_1, vec W_2]``,
row-major), so ``networks.hessian`` is the reference the closed forms here are tested against.

Capacity ratio: :math:`\\phi = 2n^2/(mn) = 2n/m` = number of parameters / number of residuals.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

import numpy as np

from . import _validate
from .compute import torch_threads

__all__ = [
    "ACTIVATIONS",
    "capacity_ratio",
    "samples_for_ratio",
    "linear_minimum_energy",
    "sample_tasks",
    "least_squares_energy",
    "loss_grad",
    "hvp",
    "hessian",
    "batched_loss_grad",
    "batched_hvp",
    "batched_hessian",
    "descend_to_level",
    "minimise_gradient_norm",
    "index_from_eigenvalues",
    "zero_modes",
    "SearchResult",
    "search",
    "search_loop",
    "mean_energy_by_index",
    "fit_index_energy",
    "bootstrap_fit",
]

#: Smooth activations with closed-form first and second derivatives.
ACTIVATIONS = ("tanh", "linear", "sigmoid", "softplus")

#: Paper's discard rule: keep a run if its final J = |∇L|² is below this (§6.4).
KEEP_J = 1e-6


# ----------------------------------------------------------------------------------------------
# problem sizes
# ----------------------------------------------------------------------------------------------
def capacity_ratio(n, m) -> float:
    """φ = 2n²/(mn) = 2n/m: parameters of the n→n→n network per residual.

    Parameters
    ----------
    n : int ≥ 1, input = hidden = output width
    m : int ≥ 1, number of examples

    Returns
    -------
    float

    Notes
    -----
    {cite:t}`pennington2017`, §2: the network has 2n² weights and the squared loss has m·n
    residuals ("each of the n2 targets may be considered an effective example").

    Examples
    --------
    >>> capacity_ratio(16, 128)
    0.25
    """
    n = _validate.integer("n", n, minimum=1)
    m = _validate.integer("m", m, minimum=1)
    return 2.0 * n / m


def samples_for_ratio(n, phi) -> int:
    """Number of examples m = 2n/φ; raises unless it is a positive integer (within 1e-9)."""
    n = _validate.integer("n", n, minimum=1)
    phi = _validate.positive_float("phi", phi)
    m = 2.0 * n / phi
    if abs(m - round(m)) > 1e-9 * max(1.0, m) or round(m) < 1:
        raise ValueError(f"`phi` must make m = 2n/phi a positive integer (n = {n}); got phi = {phi!r}")
    return int(round(m))


def linear_minimum_energy(n, m):
    """Expected energy of the global minimum of the linear network x ↦ x W1 W2 (n→n→n).

    Parameters
    ----------
    n : int ≥ 1, widths
    m : int ≥ n, examples

    Returns
    -------
    float, :math:`\\tfrac12(1 - n/m) = \\tfrac12(1 - \\phi/2)`

    Notes
    -----
    With a square hidden layer the product :math:`W_1W_2` is an arbitrary n×n matrix, so the
    minimum is least squares of Y on X: the residual is the projection of each target column
    on the (m − n)-dimensional complement of the column space of X, whose expected squared
    norm is m − n per column for standard normal targets. Hence
    :math:`\\mathbb E\\,\\epsilon_{\\min} = \\frac{n(m-n)}{2mn} = \\tfrac12(1-n/m)`. Every local
    minimum of a deep linear network is global, so this is the energy below which no critical
    point has negative curvature. {cite:t}`pennington2017` (§6.4) quote ½(1 − φ); in their
    φ = 2n/m it is ½(1 − φ/2) — ½(1 − φ) holds for φ counting only the n² independent entries
    of the end-to-end map.

    Examples
    --------
    >>> linear_minimum_energy(16, 64)
    0.375
    """
    n = _validate.integer("n", n, minimum=1)
    m = _validate.integer("m", m, minimum=n)
    return 0.5 * (1.0 - n / m)


def sample_tasks(n, m, runs, generator=None, *, device=None, dtype=None):
    """Independent memorisation tasks: inputs X and targets Y, i.i.d. N(0, 1), shapes (runs, m, n).

    Parameters
    ----------
    n, m, runs : positive ints
    generator : torch.Generator (its device is used unless ``device`` is given)

    Returns
    -------
    X, Y : torch tensors (runs, m, n), float64 by default
    """
    import torch

    n = _validate.integer("n", n, minimum=1)
    m = _validate.integer("m", m, minimum=1)
    runs = _validate.integer("runs", runs, minimum=1)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    dtype = dtype or torch.float64
    X = torch.randn(runs, m, n, generator=generator, device=device, dtype=dtype)
    Y = torch.randn(runs, m, n, generator=generator, device=device, dtype=dtype)
    return X, Y


def least_squares_energy(X, Y):
    """Energy of the best linear map, min_B (1/2mn)|XB − Y|², for every task; shape (runs,).

    Parameters
    ----------
    X : (runs, m, n0) with m ≥ n0, Y : (runs, m, n2)

    Notes
    -----
    The global minimum of the linear network n0 → n1 → n2 with n1 ≥ min(n0, n2); its mean is
    :func:`linear_minimum_energy` for square standard normal tasks.
    """
    import torch

    if X.ndim != 3 or Y.ndim != 3 or X.shape[:2] != Y.shape[:2]:
        raise ValueError(f"`X` and `Y` must be (runs, m, n) with equal runs and m; got {tuple(X.shape)}, {tuple(Y.shape)}")
    if X.shape[1] < X.shape[2]:
        raise ValueError(f"`X` must have m >= n0 rows per task; got {tuple(X.shape)}")
    R = X @ torch.linalg.lstsq(X, Y).solution - Y
    return (R * R).sum((1, 2)) / (2 * X.shape[1] * Y.shape[2])


# ----------------------------------------------------------------------------------------------
# one run: loss, gradient, Hessian-vector product, exact Hessian (closed forms)
# ----------------------------------------------------------------------------------------------
def _act(name, Z):
    """σ(Z), σ'(Z), σ''(Z)."""
    import torch

    if name == "tanh":
        A = torch.tanh(Z)
        S = 1 - A * A
        return A, S, -2 * A * S
    if name == "linear":
        one = torch.ones_like(Z)
        return Z, one, torch.zeros_like(Z)
    if name == "sigmoid":
        A = torch.sigmoid(Z)
        S = A * (1 - A)
        return A, S, S * (1 - 2 * A)
    # softplus
    A = torch.nn.functional.softplus(Z)
    S = torch.sigmoid(Z)
    return A, S, S * (1 - S)


def _split(theta, n0, n1, n2):
    return theta[: n0 * n1].reshape(n0, n1), theta[n0 * n1:].reshape(n1, n2)


def _hidden(theta, X, Y):
    n0, n2 = X.shape[-1], Y.shape[-1]
    n1 = theta.shape[-1] // (n0 + n2)
    return n0, n1, n2


def _check_activation(activation):
    return _validate.choice("activation", activation, ACTIVATIONS)


def loss_grad(theta, X, Y, activation="tanh"):
    """Loss L = (1/2m)|σ(XW1)W2 − Y|² and its gradient for one run.

    Parameters
    ----------
    theta : (P,) tensor, P = n1 (n0 + n2), layout of ``networks.MLP((n0, n1, n2), bias=False)``
    X : (m, n0), Y : (m, n2)
    activation : one of ``ACTIVATIONS``

    Returns
    -------
    L : 0-d tensor, grad : (P,)
    """
    import torch

    n0, n1, n2 = _hidden(theta, X, Y)
    m = X.shape[-2]
    W1, W2 = _split(theta, n0, n1, n2)
    A, S, _ = _act(activation, X @ W1)
    R = A @ W2 - Y
    gW2 = A.T @ R / m
    gW1 = X.T @ ((R @ W2.T) * S) / m
    return 0.5 * (R * R).sum() / m, torch.cat([gW1.reshape(-1), gW2.reshape(-1)])


def _grad_and_hvp(theta, X, Y, v, activation):
    """(L, ∇L, H v) for one run; forward-over-reverse written out (R-operator)."""
    import torch

    n0, n1, n2 = _hidden(theta, X, Y)
    m = X.shape[-2]
    W1, W2 = _split(theta, n0, n1, n2)
    V1, V2 = _split(v, n0, n1, n2)
    A, S, S2 = _act(activation, X @ W1)
    R = A @ W2 - Y
    G = R @ W2.T                       # ∂(mL)/∂A
    gW2 = A.T @ R / m
    gW1 = X.T @ (G * S) / m
    dZ = X @ V1
    dA = S * dZ
    dR = dA @ W2 + A @ V2
    hW2 = (dA.T @ R + A.T @ dR) / m
    dG = dR @ W2.T + R @ V2.T
    hW1 = X.T @ (dG * S + G * S2 * dZ) / m
    return (0.5 * (R * R).sum() / m, torch.cat([gW1.reshape(-1), gW2.reshape(-1)]),
            torch.cat([hW1.reshape(-1), hW2.reshape(-1)]))


def hvp(theta, X, Y, v, activation="tanh"):
    """Hessian-vector product H(θ) v of the loss for one run (no Hessian is formed).

    Notes
    -----
    Differentiates the closed-form gradient of :func:`loss_grad` along v (R-operator); tested
    against ``networks.hessian(θ) @ v``.
    """
    return _grad_and_hvp(theta, X, Y, v, activation)[2]


def _grad_and_hgrad(theta, X, Y, activation):
    """(L, ∇L, H ∇L) for one run: ∇J = 2 H ∇L costs one Hessian-vector product."""
    L, g = loss_grad(theta, X, Y, activation)
    return L, g, _grad_and_hvp(theta, X, Y, g, activation)[2]


def hessian(theta, X, Y, activation="tanh"):
    """Exact Hessian of the loss for one run, shape (P, P), in closed form.

    Notes
    -----
    With Z = XW1, A = σ(Z), S = σ'(Z), S2 = σ''(Z), R = AW2 − Y, G = RW2ᵀ (all m-row):

    * :math:`\\partial^2 L/\\partial W_{2,kl}\\partial W_{2,k'l'} = (A^\\top A)_{kk'}\\delta_{ll'}/m`,
    * :math:`\\partial^2 L/\\partial W_{1,aj}\\partial W_{2,kl} = \\frac1m\\sum_\\mu X_{\\mu a}S_{\\mu j}(A_{\\mu k}W_{2,jl} + \\delta_{jk}R_{\\mu l})`,
    * :math:`\\partial^2 L/\\partial W_{1,aj}\\partial W_{1,bk} = \\frac1m\\sum_\\mu X_{\\mu a}X_{\\mu b}(S_{\\mu j}S_{\\mu k}(W_2W_2^\\top)_{jk} + \\delta_{jk}S2_{\\mu j}G_{\\mu j})`.

    The ``R`` and ``S2`` terms are H1 of {cite:t}`pennington2017` eq. (4); the rest is H0, eq. (3).
    """
    import torch

    n0, n1, n2 = _hidden(theta, X, Y)
    m = X.shape[-2]
    W1, W2 = _split(theta, n0, n1, n2)
    A, S, S2 = _act(activation, X @ W1)
    R = A @ W2 - Y
    G = R @ W2.T
    eye1 = torch.eye(n1, dtype=theta.dtype, device=theta.device)
    eye2 = torch.eye(n2, dtype=theta.dtype, device=theta.device)
    H22 = torch.kron(A.T @ A / m, eye2)
    T = torch.einsum("ma,mj,mk->ajk", X, S, A) / m
    U = torch.einsum("ma,mj,ml->ajl", X, S, R) / m
    H12 = T[..., None] * W2[None, :, None, :] + U[:, :, None, :] * eye1[None, :, :, None]
    H12 = H12.reshape(n0 * n1, n1 * n2)
    C = (S[:, :, None] * S[:, None, :]) * (W2 @ W2.T)[None] + torch.diag_embed(S2 * G)
    H11 = torch.einsum("ma,mb,mjk->ajbk", X, X, C).reshape(n0 * n1, n0 * n1) / m
    top = torch.cat([H11, H12], dim=1)
    bottom = torch.cat([H12.T, H22], dim=1)
    return torch.cat([top, bottom], dim=0)


def _vmapped(fn, *in_dims):
    from torch.func import vmap

    return vmap(fn, in_dims=in_dims)


def batched_loss_grad(thetas, X, Y, activation="tanh"):
    """:func:`loss_grad` for every run: thetas (B, P), X (B, m, n0), Y (B, m, n2) → (B,), (B, P)."""
    _check_activation(activation)
    return _vmapped(lambda t, x, y: loss_grad(t, x, y, activation), 0, 0, 0)(thetas, X, Y)


def batched_hvp(thetas, X, Y, V, activation="tanh"):
    """:func:`hvp` for every run, shape (B, P)."""
    _check_activation(activation)
    return _vmapped(lambda t, x, y, v: hvp(t, x, y, v, activation), 0, 0, 0, 0)(thetas, X, Y, V)


def batched_hessian(thetas, X, Y, activation="tanh", chunk: int = 64):
    """Exact Hessians of every run, (B, P, P), ``chunk`` runs at a time."""
    import torch

    _check_activation(activation)
    chunk = _validate.integer("chunk", chunk, minimum=1)
    f = _vmapped(lambda t, x, y: hessian(t, x, y, activation), 0, 0, 0)
    return torch.cat([f(thetas[i:i + chunk], X[i:i + chunk], Y[i:i + chunk])
                      for i in range(0, thetas.shape[0], chunk)])


# ----------------------------------------------------------------------------------------------
# the two phases of the search (batched: every tensor has a leading run axis)
# ----------------------------------------------------------------------------------------------
def descend_to_level(thetas, X, Y, levels, activation="tanh", *, lr=0.1, max_steps=2000,
                     loss_grad_fn=None):
    """Phase 1: plain gradient descent on L, each run stopping once its loss is ≤ its level.

    Parameters
    ----------
    thetas : (B, P); X, Y : (B, m, n); levels : (B,) target losses
    lr : step size; max_steps : cap (runs whose level is below what they reach keep descending
        until the cap)
    loss_grad_fn : batched (thetas, X, Y) → (L, grad); default :func:`batched_loss_grad`

    Returns
    -------
    thetas (B, P), reached (B,) bool, steps (B,) int
    """
    import torch

    lr = _validate.positive_float("lr", lr)
    max_steps = _validate.integer("max_steps", max_steps, minimum=0)
    f = loss_grad_fn or (lambda t, x, y: batched_loss_grad(t, x, y, activation))
    theta = thetas.clone()
    active = torch.ones(theta.shape[0], dtype=torch.bool, device=theta.device)
    steps = torch.zeros(theta.shape[0], dtype=torch.long, device=theta.device)
    for _ in range(max_steps):
        L, g = f(theta, X, Y)
        active = active & (L > levels)
        if not bool(active.any()):
            break
        theta = theta - lr * g * active[:, None].to(theta.dtype)
        steps += active.long()
    L, _ = f(theta, X, Y)
    return theta, L <= levels, steps


def minimise_gradient_norm(thetas, X, Y, activation="tanh", *, method="lm", steps=60, cg_iters=25,
                           lr=0.1, damping=1e-2, stop_j=1e-20, grad_fn=None, hvp_fn=None):
    """Phase 2: minimise J = |∇L|² with Hessian-vector products only.

    Parameters
    ----------
    thetas : (B, P); X, Y : (B, m, n)
    method : ``"lm"`` (default) or ``"gd"``.
        ``gd`` is the paper's plain gradient descent on J: θ ← θ − lr·2H∇L.
        ``lm`` is Levenberg–Marquardt on the residual ∇L(θ) = 0 (Gauss–Newton for J): the step
        δ minimises |∇L + Hδ|² + λ|δ|², solved by ``cg_iters`` iterations of CGLS (two
        Hessian-vector products each), accepted only if J decreases (backtracking over
        δ, δ/2, δ/4, δ/8); λ shrinks ×1/3 after a success and grows ×4 after a failure.
    steps : outer iterations; stop_j : runs with J below this stop moving
    damping : initial λ (relative to nothing; the Hessian of the mse loss is O(1))

    Returns
    -------
    thetas (B, P), J (B,) final |∇L|², L (B,) final loss
    """
    import torch

    _validate.choice("method", method, ("lm", "gd"))
    steps = _validate.integer("steps", steps, minimum=0)
    cg_iters = _validate.integer("cg_iters", cg_iters, minimum=1)
    lr = _validate.positive_float("lr", lr)
    damping = _validate.positive_float("damping", damping)
    if grad_fn is None:
        _check_activation(activation)
        grad_fn = _vmapped(lambda t, x, y: _grad_and_hgrad(t, x, y, activation), 0, 0, 0)
    if hvp_fn is None:
        hvp_fn = lambda t, x, y, v: batched_hvp(t, x, y, v, activation)  # noqa: E731
    theta = thetas.clone()
    L, grad, Hg = grad_fn(theta, X, Y)
    J = (grad * grad).sum(1)
    if method == "gd":
        for _ in range(steps):
            move = (J > stop_j)[:, None].to(theta.dtype)
            theta = theta - lr * 2 * Hg * move
            L, grad, Hg = grad_fn(theta, X, Y)
            J = (grad * grad).sum(1)
        return theta, J, L
    lam = torch.full_like(J, damping)
    tiny = torch.finfo(theta.dtype).tiny
    for _ in range(steps):
        live = torch.isfinite(J) & (J > stop_j)
        if not bool(live.any()):
            break
        # CGLS for min |H δ + ∇L|² + λ|δ|² (H symmetric)
        x = torch.zeros_like(theta)
        r = -grad
        s = -Hg  # Hᵀ r − λ x at x = 0
        p = s.clone()
        gamma = (s * s).sum(1)
        for _ in range(cg_iters):
            q = hvp_fn(theta, X, Y, p)
            den = (q * q).sum(1) + lam * (p * p).sum(1)
            a = gamma / den.clamp_min(tiny)
            x = x + a[:, None] * p
            r = r - a[:, None] * q
            s = hvp_fn(theta, X, Y, r) - lam[:, None] * x
            gnew = (s * s).sum(1)
            b = gnew / gamma.clamp_min(tiny)
            p = s + b[:, None] * p
            gamma = gnew
        new = [theta, L, grad, Hg, J]
        accepted = torch.zeros_like(live)
        for t in (1.0, 0.5, 0.25, 0.125):
            cand = theta + t * x
            Lc, gc, Hgc = grad_fn(cand, X, Y)
            Jc = (gc * gc).sum(1)
            ok = live & ~accepted & (Jc < J)
            okf = ok[:, None].to(theta.dtype)
            new = [okf * cand + (1 - okf) * new[0], torch.where(ok, Lc, new[1]),
                   okf * gc + (1 - okf) * new[2], okf * Hgc + (1 - okf) * new[3], torch.where(ok, Jc, new[4])]
            accepted = accepted | ok
        theta, L, grad, Hg, J = new
        lam = torch.where(accepted, lam / 3, torch.where(live, lam * 4, lam)).clamp(1e-12, 1e6)
    return theta, J, L


# ----------------------------------------------------------------------------------------------
# the index
# ----------------------------------------------------------------------------------------------
def index_from_eigenvalues(eigenvalues, zero_tol):
    """Counts of negative, zero and positive Hessian eigenvalues and the normalised index.

    Parameters
    ----------
    eigenvalues : (..., P) array
    zero_tol : float ≥ 0; |λ| ≤ zero_tol counts as zero

    Returns
    -------
    dict of arrays: ``negative``, ``zero``, ``positive`` (counts) and ``alpha`` = negative / P

    Notes
    -----
    {cite:t}`pennington2017`, eq. (19): α is the fraction of negative eigenvalues.

    Examples
    --------
    >>> index_from_eigenvalues([-1.0, -1e-12, 0.5, 2.0], 1e-9)["alpha"]
    0.25
    """
    lam = _validate.finite_array("eigenvalues", eigenvalues)
    if lam.ndim < 1 or lam.shape[-1] < 1:
        raise ValueError("`eigenvalues` must have a non-empty last axis")
    tol = _validate.positive_float("zero_tol", zero_tol, allow_zero=True)
    neg = (lam < -tol).sum(-1)
    zero = (np.abs(lam) <= tol).sum(-1)
    pos = (lam > tol).sum(-1)
    alpha = neg / lam.shape[-1]
    return {"negative": neg, "zero": zero, "positive": pos,
            "alpha": float(alpha) if np.ndim(alpha) == 0 else alpha}


def zero_modes(eigenvalues, grad_norm, *, factor: float = 100.0, gap: float = 100.0):
    """Eigenvalue counts with a zero tolerance that follows each point's criticality.

    Parameters
    ----------
    eigenvalues : (K, P) Hessian eigenvalues of K approximately critical points
    grad_norm : (K,) their gradient norms |∇L|
    factor : the tolerance is τ = factor · max(|∇L|, P ε_mach max|λ|)
    gap : a count is *determined* only if no eigenvalue lies in (τ, gap·τ]

    Returns
    -------
    dict of arrays: ``negative`` (λ < −τ), ``zero`` (|λ| ≤ τ), ``tol`` (τ per point) and
    ``determined`` (bool: the zero cluster is separated from the rest of the spectrum)

    Notes
    -----
    At a point θ a distance d from a critical set, Weyl's inequality moves every eigenvalue by
    at most ‖H(θ) − H(θ*)‖ ≤ M₃ d, and d is of order |∇L|/λ⁺ for a set that is non-degenerate
    in its normal directions; rounding in ``eigvalsh`` adds about P ε_mach ‖H‖. An eigenvalue that
    vanishes at θ* is therefore O(|∇L|) at θ (measured: at most a few |∇L| on the linear
    networks' exact zero modes). A fixed tolerance (say 1e-3) ignores this: a point critical to
    |∇L| = 1e-12 whose one negative eigenvalue is −3e-4 would be counted as a minimum. The gap
    condition makes the count independent of ``factor`` anywhere in [factor, factor·gap]; points
    without such a gap (close to a degenerate critical point, or not converged far enough) are
    reported as undetermined instead of being counted one way or the other.

    Examples
    --------
    >>> zm = zero_modes([[-3e-4, 1e-13, 2.0]], [1e-12])
    >>> int(zm["negative"][0]), int(zm["zero"][0]), bool(zm["determined"][0])
    (1, 1, True)
    """
    lam = _validate.finite_array("eigenvalues", eigenvalues)
    if lam.ndim != 2 or lam.shape[1] < 1:
        raise ValueError(f"`eigenvalues` must be (K, P); got shape {lam.shape}")
    g = _validate.finite_array("grad_norm", grad_norm)
    if g.shape != (lam.shape[0],) or np.any(g < 0):
        raise ValueError(f"`grad_norm` must be ({lam.shape[0]},) and non-negative; got shape {g.shape}")
    factor = _validate.positive_float("factor", factor)
    gap = _validate.positive_float("gap", gap)
    if gap <= 1:
        raise ValueError(f"`gap` must be > 1; got {gap!r}")
    a = np.abs(lam)
    rounding = lam.shape[1] * np.finfo(float).eps * a.max(1)
    tol = factor * np.maximum(g, rounding)
    t = tol[:, None]
    return {"negative": (lam < -t).sum(1), "zero": (a <= t).sum(1), "tol": tol,
            "determined": ~np.any((a > t) & (a <= gap * t), axis=1)}


# ----------------------------------------------------------------------------------------------
# the whole search
# ----------------------------------------------------------------------------------------------
@dataclass
class SearchResult:
    """Per-run record of a critical-point search (numpy arrays of length ``runs``).

    ``energy`` ε = L/n, ``j`` final |∇L|², ``kept`` = j < KEEP_J, ``negative``/``zero`` eigenvalue
    counts and ``alpha`` (NaN for discarded runs), ``level`` phase-1 target energy, ``reached``
    whether phase 1 reached it, ``min_abs_eig`` smallest |λ| (NaN if discarded), ``ls_energy``
    the energy of the least-squares linear fit Y ≈ XB of the run's task (the global minimum of
    the linear network); ``eigenvalues`` (runs, P) the Hessian spectra of kept runs (NaN rows for
    discarded runs).
    """

    n: int
    m: int
    activation: str
    zero_tol: float
    n_params: int
    energy: np.ndarray
    j: np.ndarray
    kept: np.ndarray
    alpha: np.ndarray
    negative: np.ndarray
    zero: np.ndarray
    level: np.ndarray
    reached: np.ndarray
    min_abs_eig: np.ndarray
    max_eig: np.ndarray
    ls_energy: np.ndarray
    settings: dict = field(default_factory=dict)
    eigenvalues: np.ndarray | None = None

    @property
    def phi(self) -> float:
        return capacity_ratio(self.n, self.m)

    def frame(self):
        import pandas as pd

        return pd.DataFrame({k: getattr(self, k) for k in (
            "energy", "j", "kept", "alpha", "negative", "zero", "level", "reached", "min_abs_eig", "max_eig", "ls_energy")})


def _check_search_args(n, m, runs, activation):
    n = _validate.integer("n", n, minimum=1)
    m = _validate.integer("m", m, minimum=1)
    runs = _validate.integer("runs", runs, minimum=1)
    _check_activation(activation)
    return n, m, runs


def _spectra(thetas, X, Y, activation, chunk):
    import torch

    out = []
    for i in range(0, thetas.shape[0], chunk):
        H = batched_hessian(thetas[i:i + chunk], X[i:i + chunk], Y[i:i + chunk], activation, chunk=chunk)
        out.append(torch.linalg.eigvalsh(H))
    return torch.cat(out) if out else thetas.new_zeros((0, thetas.shape[1]))


def _assemble(n, m, activation, zero_tol, P, L, J, levels, reached, eigs_kept, kept, settings, ls):
    runs = L.shape[0]
    alpha = np.full(runs, np.nan)
    neg = np.full(runs, -1)
    zero = np.full(runs, -1)
    mabs = np.full(runs, np.nan)
    mx = np.full(runs, np.nan)
    if kept.any():
        c = index_from_eigenvalues(eigs_kept, zero_tol)
        alpha[kept] = np.atleast_1d(c["alpha"])
        neg[kept] = c["negative"]
        zero[kept] = c["zero"]
        mabs[kept] = np.abs(eigs_kept).min(-1)
        mx[kept] = eigs_kept.max(-1)
    spectra = np.full((runs, P), np.nan)
    spectra[kept] = eigs_kept
    return SearchResult(n=n, m=m, activation=activation, zero_tol=zero_tol, n_params=P,
                        energy=L / n, j=J, kept=kept, alpha=alpha, negative=neg, zero=zero,
                        level=levels / n, reached=reached, min_abs_eig=mabs, max_eig=mx,
                        ls_energy=ls, settings=settings, eigenvalues=spectra)


def search(n, m, runs, activation="tanh", generator=None, *, batch=256, gd_lr=0.1, gd_steps=2000,
           method="lm", j_steps=60, cg_iters=25, j_lr=0.1, zero_tol=1e-7, keep_j=KEEP_J,
           device=None, threads=1, progress=False):
    """Critical points of ``runs`` independent n→n→n networks (no biases), batched over runs.

    Parameters
    ----------
    n : int ≥ 1, input = hidden = output width; m : int ≥ 1, examples per run
    runs : int ≥ 1; activation : one of ``ACTIVATIONS``
    generator : torch.Generator (data, initial weights N(0, 1/n), levels)
    batch : runs processed together (memory bound)
    gd_lr, gd_steps : phase 1 (gradient descent on L to a level U·L(θ0), U ~ Uniform(0, 1))
    method, j_steps, cg_iters, j_lr : phase 2, see :func:`minimise_gradient_norm`
    zero_tol : eigenvalues with |λ| ≤ zero_tol count as zero (not negative)
    keep_j : discard rule, keep runs with final J < keep_j (paper: 1e-6)
    threads : CPU threads torch uses during the search (restored afterwards; None = leave
        unchanged). The default 1 is deliberate: every operation here is small, and on a
        shared 2-core machine two threads made a batched Hessian-vector product 40× slower.

    Returns
    -------
    SearchResult

    Notes
    -----
    {cite:t}`pennington2017`, §6.4 and Fig. 6. Exact Hessians (closed form, :func:`hessian`) and
    their eigenvalues are computed for kept runs only.
    """
    n, m, runs = _check_search_args(n, m, runs, activation)
    batch = _validate.integer("batch", batch, minimum=1)
    limit = (contextlib.nullcontext() if threads is None
             else torch_threads(_validate.integer("threads", threads, minimum=1)))
    with limit:
        return _search(n, m, runs, activation, generator, batch, gd_lr, gd_steps, method, j_steps,
                       cg_iters, j_lr, zero_tol, keep_j, device, progress)


def _search(n, m, runs, activation, generator, batch, gd_lr, gd_steps, method, j_steps, cg_iters,
            j_lr, zero_tol, keep_j, device, progress):
    import torch
    from tqdm.auto import tqdm

    zero_tol = _validate.positive_float("zero_tol", zero_tol, allow_zero=True)
    keep_j = _validate.positive_float("keep_j", keep_j)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    P = 2 * n * n
    Ls, Js, levs, reach, eigs, keeps, lss = [], [], [], [], [], [], []
    for start in tqdm(range(0, runs, batch), disable=not progress, desc=f"m={m}", leave=False):
        b = min(batch, runs - start)
        X, Y = sample_tasks(n, m, b, generator, device=device)
        theta0 = torch.randn(b, P, generator=generator, device=device, dtype=X.dtype) / math.sqrt(n)
        L0, _ = batched_loss_grad(theta0, X, Y, activation)
        levels = torch.rand(b, generator=generator, device=device, dtype=X.dtype) * L0
        theta, reached, _ = descend_to_level(theta0, X, Y, levels, activation, lr=gd_lr, max_steps=gd_steps)
        theta, J, L = minimise_gradient_norm(theta, X, Y, activation, method=method, steps=j_steps,
                                             cg_iters=cg_iters, lr=j_lr)
        kept = torch.isfinite(J) & (J < keep_j)
        if m >= n:
            lss.append(least_squares_energy(X, Y).cpu().numpy())
        else:
            lss.append(np.zeros(b))
        if bool(kept.any()):
            eigs.append(_spectra(theta[kept], X[kept], Y[kept], activation, chunk=32).cpu().numpy())
        Ls.append(L.cpu().numpy()); Js.append(J.cpu().numpy()); levs.append(levels.cpu().numpy())
        reach.append(reached.cpu().numpy()); keeps.append(kept.cpu().numpy())
    kept = np.concatenate(keeps)
    eig = np.concatenate(eigs) if eigs else np.zeros((0, P))
    settings = dict(batch=batch, gd_lr=gd_lr, gd_steps=gd_steps, method=method, j_steps=j_steps,
                    cg_iters=cg_iters, j_lr=j_lr, keep_j=keep_j)
    return _assemble(n, m, activation, zero_tol, P, np.concatenate(Ls), np.concatenate(Js),
                     np.concatenate(levs), np.concatenate(reach), eig, kept, settings, np.concatenate(lss))


def search_loop(n, m, runs, activation="tanh", generator=None, **kwargs):
    """The same search as :func:`search`, one run at a time in a Python loop (the benchmark's baseline).

    Each run draws its data, start and level from ``generator`` in the same order as a batch of
    one, and goes through the same phases with batch size 1 (no ``vmap`` over runs).
    """
    n, m, runs = _check_search_args(n, m, runs, activation)
    parts = [search(n, m, 1, activation, generator, batch=1, **kwargs) for _ in range(runs)]
    cat = lambda k: np.concatenate([getattr(p, k) for p in parts])  # noqa: E731
    return SearchResult(n=n, m=m, activation=activation, zero_tol=parts[0].zero_tol,
                        n_params=parts[0].n_params, energy=cat("energy"), j=cat("j"), kept=cat("kept"),
                        alpha=cat("alpha"), negative=cat("negative"), zero=cat("zero"),
                        level=cat("level"), reached=cat("reached"), min_abs_eig=cat("min_abs_eig"),
                        max_eig=cat("max_eig"), ls_energy=cat("ls_energy"), settings=parts[0].settings,
                        eigenvalues=np.concatenate([p.eigenvalues for p in parts]))


# ----------------------------------------------------------------------------------------------
# Fig. 6(a): mean energy per index value and the 3/2 law
# ----------------------------------------------------------------------------------------------
def mean_energy_by_index(energy, negative, n_params, min_count=1):
    """Mean energy of the critical points with each index value.

    Parameters
    ----------
    energy : (K,) energies of kept critical points; negative : (K,) their negative-eigenvalue counts
    n_params : P (α = negative / P); min_count : drop index values seen fewer times

    Returns
    -------
    pandas.DataFrame with columns ``negative``, ``alpha``, ``count``, ``mean``, ``sem``
    (sem = sample standard deviation / √count, NaN for count 1)
    """
    import pandas as pd

    e = _validate.finite_array("energy", energy)
    k = np.asarray(negative)
    if k.shape != e.shape:
        raise ValueError(f"`negative` must have the shape of `energy` {e.shape}; got {k.shape}")
    P = _validate.integer("n_params", n_params, minimum=1)
    min_count = _validate.integer("min_count", min_count, minimum=1)
    df = pd.DataFrame({"negative": k.astype(int), "energy": e})
    g = df.groupby("negative")["energy"]
    out = pd.DataFrame({"count": g.size(), "mean": g.mean(), "sem": g.std(ddof=1) / np.sqrt(g.size())})
    out = out[out["count"] >= min_count].reset_index()
    out.insert(1, "alpha", out["negative"] / P)
    return out


def _fit_given_exponent(alpha, eps, w, p):
    # eps = eps_c + c * alpha**(1/p): weighted linear least squares in (eps_c, c)
    x = alpha ** (1.0 / p)
    A = np.stack([np.ones_like(x), x], axis=1) * w[:, None]
    coef, *_ = np.linalg.lstsq(A, eps * w, rcond=None)
    resid = (A @ coef - eps * w)
    return coef, float(resid @ resid)


def fit_index_energy(alpha, eps, *, exponent=None, weights=None, bounds=(0.5, 4.0)):
    """Fit α = α0 (ε − ε_c)^p, written as ε = ε_c + (α/α0)^{1/p}, to (α, mean ε) points.

    Parameters
    ----------
    alpha : (K,) index values > 0; eps : (K,) mean energies
    exponent : fixed p (e.g. 1.5), or None to fit p in ``bounds`` as well
    weights : (K,) least-squares weights (e.g. 1/sem or √count); default 1

    Returns
    -------
    dict: ``eps_c``, ``alpha0``, ``exponent``, ``rss``

    Notes
    -----
    {cite:t}`pennington2017` eq. (20) (with ε_c factored into α0) and Fig. 6(a). The energy is
    the noisy coordinate (it is averaged per index value), so the fit is done for ε given α.
    For fixed p the problem is linear in (ε_c, α0^{-1/p}); p is found by a bounded scalar
    minimisation of the residual.
    """
    from scipy.optimize import minimize_scalar

    a = _validate.finite_array("alpha", alpha)
    e = _validate.finite_array("eps", eps)
    if a.shape != e.shape or a.ndim != 1:
        raise ValueError(f"`alpha` and `eps` must be 1-d of equal length; got {a.shape}, {e.shape}")
    if np.any(a <= 0):
        raise ValueError("`alpha` must be > 0 (the fit uses index values with negative directions)")
    need = 2 if exponent is not None else 3
    if a.size < need:
        raise ValueError(f"`alpha` needs at least {need} points for this fit; got {a.size}")
    w = np.ones_like(a) if weights is None else _validate.finite_array("weights", weights)
    if w.shape != a.shape or np.any(w <= 0):
        raise ValueError("`weights` must be positive with the shape of `alpha`")
    if exponent is None:
        lo, hi = bounds
        res = minimize_scalar(lambda p: _fit_given_exponent(a, e, w, p)[1], bounds=(lo, hi),
                              method="bounded", options={"xatol": 1e-6})
        p = float(res.x)
    else:
        p = _validate.positive_float("exponent", exponent)
    (ec, c), rss = _fit_given_exponent(a, e, w, p)
    alpha0 = c ** (-p) if c > 0 else np.nan
    return {"eps_c": float(ec), "alpha0": float(alpha0), "exponent": p, "rss": rss, "slope": float(c)}


def bootstrap_fit(energy, negative, n_params, rng, *, alpha_max, n_boot=200, exponent=None,
                  min_count=2):
    """Fit of :func:`fit_index_energy` on the per-index means, with a bootstrap over runs.

    Parameters
    ----------
    energy, negative : kept runs' energies and negative-eigenvalue counts
    n_params : P
    rng : numpy Generator (passed to ``scipy.stats.bootstrap``)
    alpha_max : use index values 0 < α ≤ alpha_max
    n_boot : bootstrap replicates (runs resampled with replacement as (energy, index) pairs,
        means and fit recomputed; ``scipy.stats.bootstrap`` with ``paired=True``)
    exponent : fixed p or None (fitted)
    min_count : index values need at least this many runs (in the data and in each replicate)

    Returns
    -------
    dict: the point estimates (``eps_c``, ``alpha0``, ``exponent``), their bootstrap standard
    errors (``*_se``), 2.5/97.5 % percentiles (``*_lo``, ``*_hi``), ``n_points`` (index values
    used) and ``n_ok`` (replicates that had enough points)

    Notes
    -----
    Weights are √count per index value (the standard error of a mean is ∝ 1/√count with a
    common spread), so index values seen in few runs count less. Replicates with too few index
    values to fit give NaN and are left out of the standard errors and percentiles (``n_ok``
    counts the others).
    """
    import warnings

    from scipy import stats

    e = _validate.finite_array("energy", energy)
    k = np.asarray(negative).astype(int)
    P = _validate.integer("n_params", n_params, minimum=1)
    n_boot = _validate.integer("n_boot", n_boot, minimum=1)
    amax = _validate.positive_float("alpha_max", alpha_max)

    def one(ee, kk):
        tab = mean_energy_by_index(ee, kk, P, min_count=min_count)
        tab = tab[(tab["alpha"] > 0) & (tab["alpha"] <= amax)]
        if len(tab) < (2 if exponent is not None else 3):
            return None
        return fit_index_energy(tab["alpha"].to_numpy(), tab["mean"].to_numpy(), exponent=exponent,
                                weights=np.sqrt(tab["count"].to_numpy()))

    est = one(e, k)
    if est is None:
        raise ValueError("too few index values with 0 < alpha <= alpha_max and enough runs to fit")
    tab = mean_energy_by_index(e, k, P, min_count=min_count)
    keys = ("eps_c", "alpha0", "exponent")

    def statistic(ee, kk):
        r = one(ee, kk)
        return np.array([np.nan if r is None else r[key] for key in keys], dtype=float)

    with warnings.catch_warnings():  # NaN replicates make scipy's own interval degenerate; we do not use it
        warnings.simplefilter("ignore")
        res = stats.bootstrap((e, k), statistic, paired=True, vectorized=False, n_resamples=n_boot,
                              method="percentile", rng=rng)
    dist = np.asarray(res.bootstrap_distribution, dtype=float).reshape(len(keys), -1)
    out = dict(est)
    out["n_points"] = int(((tab["alpha"] > 0) & (tab["alpha"] <= amax)).sum())
    out["n_ok"] = int(np.isfinite(dist[0]).sum())
    for key, v in zip(keys, dist):
        v = v[np.isfinite(v)]
        out[key + "_se"] = float(v.std(ddof=1)) if v.size > 1 else np.nan
        out[key + "_lo"], out[key + "_hi"] = (np.percentile(v, [2.5, 97.5]) if v.size else (np.nan, np.nan))
    return out
