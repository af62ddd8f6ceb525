"""Batched search for critical points of one-hidden-layer networks, and the index–energy law.

{cite:t}`pennington2017` (§6.4, Fig. 6) sample critical points of single-hidden-layer networks
without biases, :math:`f(X) = \\sigma(X W_1) W_2` with :math:`W_1, W_2 \\in \\mathbb R^{n\\times n}`,
trained on a memorisation task (inputs and targets i.i.d. standard normal, m examples):

1. gradient descent on the loss until it falls below a level drawn uniformly between 0 and the
   initial loss;
2. minimisation of :math:`J = |\\nabla_\\theta L|^2`, which vanishes at critical points of every
   index, so that saddles attract as well as minima;
3. runs with final :math:`J > 10^{-6}` are discarded; the others give an energy
   :math:`\\epsilon = L / n` (paper eq. (2), :math:`L = n_2 \\epsilon`) and an index
   :math:`\\alpha` = fraction of negative Hessian eigenvalues.

Every phase is batched over runs, each with its own data, on the closed forms of
:mod:`landscape.nets.engine`; runs leave the batch as they finish, so later iterations cost only the
live runs. Phase 2 uses Levenberg–Marquardt steps on the gradient with exact Hessians and
batched Cholesky factors (:func:`minimise_gradient_norm`). :func:`search` and
:func:`search_loop` run the same algorithm batched and one run at a time (the benchmark
compares them); :func:`search_points` re-runs a search's runs and returns their end points.
The chapter's quick and full settings are in :mod:`landscape.protocols.critical_points_search`.

The loss is ``networks.loss(kind="mse")`` = :math:`\\frac1{2m}\\sum_{\\mu}|f(x_\\mu) - y_\\mu|^2`
and the flat parameter layout is that of :mod:`landscape.nets.networks` (``[vec W_1, vec W_2]``,
row-major), so ``networks.hessian`` is the reference the closed forms here are tested against.

Capacity ratio: :math:`\\phi = 2n^2/(mn) = 2n/m` = number of parameters / number of residuals.
"""
from __future__ import annotations

import contextlib
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from landscape import _validate
from landscape.nets import engine
from landscape.compute import torch_threads

__all__ = [
    "ACTIVATIONS",
    "KEEP_J",
    "capacity_ratio",
    "samples_for_ratio",
    "linear_minimum_energy",
    "sample_tasks",
    "least_squares_energy",
    "descend_to_level",
    "STATUS",
    "GradientNormResult",
    "minimise_gradient_norm",
    "index_from_eigenvalues",
    "zero_modes",
    "SearchResult",
    "kept_spectra",
    "search",
    "draw_runs",
    "search_points",
    "search_loop",
    "budget_dependence",
    "flop_count",
    "mean_energy_by_index",
    "fit_index_energy",
    "bootstrap_fit",
]

#: Activations the search accepts: the smooth ones of :data:`landscape.nets.engine.ACTIVATIONS`
#: (a ReLU network's Hessian misses the kinks, so J = |∇L|² is not smooth there).
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


def _check_activation(activation):
    return _validate.choice("activation", activation, ACTIVATIONS)


def _check_batch(thetas, X, Y, activation):
    _check_activation(activation)
    engine.shapes(thetas, X, Y)


#: A batch is compacted (finished runs dropped) once fewer than this share of its rows are live,
#: so that later iterations cost only the live runs while a compaction (a copy of every
#: per-run tensor) happens only O(log B) times.
_COMPACT_BELOW = 7 / 8

#: Runs whose Hessians and factors are formed together (bounds the temporary (chunk, P, P) tensors).
_FACTOR_CHUNK = 256


# ----------------------------------------------------------------------------------------------
# the two phases of the search (batched: every tensor has a leading run axis)
# ----------------------------------------------------------------------------------------------
def descend_to_level(thetas, X, Y, levels, activation="tanh", *, lr=0.1, max_steps=2000):
    """Phase 1: gradient descent on L, each run leaving the batch once its loss is ≤ its level.

    Parameters
    ----------
    thetas : (B, P); X : (B, m, n0); Y : (B, m, n2); levels : (B,) target losses
    activation : one of ``ACTIVATIONS``
    lr : step size > 0; max_steps : int ≥ 0, cap (runs whose level lies below what they reach
        keep descending until the cap)

    Returns
    -------
    thetas (B, P), reached (B,) bool, steps (B,) int
    """
    import torch

    _check_batch(thetas, X, Y, activation)
    lr = _validate.positive_float("lr", lr)
    max_steps = _validate.integer("max_steps", max_steps, minimum=0)
    B = thetas.shape[0]
    if levels.shape != (B,):
        raise ValueError(f"`levels` must have shape ({B},); got {tuple(levels.shape)}")
    out = thetas.clone()
    steps = torch.zeros(B, dtype=torch.long, device=thetas.device)
    reached = torch.zeros(B, dtype=torch.bool, device=thetas.device)
    idx = torch.arange(B, device=thetas.device)
    th, Xw, Yw, lev = thetas.clone(), X, Y, levels
    st = torch.zeros_like(steps)
    live = torch.ones_like(reached)
    for step in range(max_steps + 1):
        L, g = engine.loss_grad(th, Xw, Yw, activation)
        done = live & (L <= lev)
        reached[idx[done]] = True
        live = live & ~done
        n_live = int(live.sum())
        if step == max_steps or n_live == 0:
            break
        th = th - lr * g * live[:, None].to(th.dtype)
        st += live.long()
        if n_live < _COMPACT_BELOW * live.numel():
            out[idx], steps[idx] = th, st
            th, Xw, Yw, lev, st, idx = th[live], Xw[live], Yw[live], lev[live], st[live], idx[live]
            live = live[live]
    out[idx], steps[idx] = th, st
    return out, reached, steps


#: Why a run left phase 2 (:func:`minimise_gradient_norm`), indexed by its ``status`` code.
STATUS = ("converged", "stalled", "budget", "diverged")


@dataclass
class GradientNormResult:
    """Phase 2 per run: end point ``theta`` (B, P), ``j`` = |∇L|², loss ``loss``, ``iterations``,
    ``hessians`` (exact Hessians formed), ``factorizations`` (Cholesky factors), ``status``
    (index into :data:`STATUS`), and ``j_at``, ``loss_at``: J and L after ``record_at``
    iterations (the final values for runs that left earlier) — what a budget of ``record_at``
    would have returned."""

    theta: object
    j: object
    loss: object
    iterations: object
    hessians: object
    factorizations: object
    status: object
    j_at: object = None
    loss_at: object = None


def minimise_gradient_norm(thetas, X, Y, activation="tanh", *, max_iters=1500, stop_j=1e-20,
                           damping=1e-3, max_age=8, max_damping=1e10, record_at=None,
                           factor_dtype=None):
    """Phase 2: minimise J = |∇L|² by Levenberg–Marquardt steps on the gradient, exact Hessians.

    Parameters
    ----------
    thetas : (B, P); X : (B, m, n0); Y : (B, m, n2); activation : one of ``ACTIVATIONS``
    max_iters : int ≥ 0, iteration budget per run (every iteration counts: accepted, rejected
        and failed factorizations)
    stop_j : float ≥ 0; a run with J ≤ stop_j has converged and leaves the batch
    damping : float > 0, initial μ; the damping is λ = μ · tr(H²)/P
    max_age : int ≥ 1, steps one Cholesky factor is reused (1 = classical LM: a new exact
        Hessian and factor after every accepted step)
    max_damping : float > 0; a run whose μ exceeds it has *stalled* (no step lowers J: a
        positive local minimum of J, or rounding) and leaves the batch
    record_at : int ≥ 0 or None (default ``max_iters // 2``); J and L are also recorded after
        this many iterations. Every run's arithmetic is its own, so these are the values a
        budget of ``record_at`` gives: one search shows whether the budget matters.
    factor_dtype : dtype of H² and its Cholesky factor (default: that of ``thetas``). float32
        halves the cost of the factor on a CPU; the gradient, H∇L and the acceptance test stay
        in the dtype of ``thetas``, so a less accurate factor only makes a step less good, and
        a factor that is not positive definite in float32 raises the damping.

    Returns
    -------
    :class:`GradientNormResult`

    Notes
    -----
    The residual is the gradient, r(θ) = ∇L(θ) with Jacobian H(θ), so the Gauss–Newton /
    Levenberg–Marquardt step for J = |r|² minimises |∇L + Hδ|² + λ|δ|²:

    .. math:: (H^2 + \\lambda I)\\,\\delta = -H\\nabla L ,

    solved with a batched Cholesky factor of H² + λI from the exact closed-form Hessian
    (:func:`landscape.nets.engine.hessian`). A step is accepted iff J decreases. After an accepted
    step the same factor is reused (a chord step: only H∇L, one Hessian-vector product, is new)
    for up to ``max_age`` steps, since H changes little between neighbouring steps and a fresh
    Hessian costs O(P³); a rejected reused step triggers a fresh Hessian, a rejected fresh step
    multiplies μ by 4, and an accepted fresh step divides it by 3. Runs leave the batch when
    they converge, stall, run out of budget or turn non-finite, so later iterations cost only
    the live runs. Near a non-degenerate critical point the step is Newton's (μ → 0) and
    converges quadratically; far from one, convergence of J is slow (roughly a power law in
    the iteration count), which is why the budget is large.
    """
    import torch

    _check_batch(thetas, X, Y, activation)
    max_iters = _validate.integer("max_iters", max_iters, minimum=0)
    stop_j = _validate.positive_float("stop_j", stop_j, allow_zero=True)
    damping = _validate.positive_float("damping", damping)
    max_age = _validate.integer("max_age", max_age, minimum=1)
    max_damping = _validate.positive_float("max_damping", max_damping)
    record_at = max_iters // 2 if record_at is None else _validate.integer("record_at", record_at, minimum=0)
    B, P = thetas.shape
    dev, dt = thetas.device, thetas.dtype
    fdt = dt if factor_dtype is None else _torch_dtype(factor_dtype)
    eye = torch.eye(P, dtype=fdt, device=dev)
    tiny = torch.finfo(dt).tiny
    i64 = dict(dtype=torch.long, device=dev)
    # outputs, written back when the batch is compacted and at the end
    out = GradientNormResult(theta=thetas.clone(), j=thetas.new_zeros(B), loss=thetas.new_zeros(B),
                             iterations=torch.zeros(B, **i64), hessians=torch.zeros(B, **i64),
                             factorizations=torch.zeros(B, **i64), status=torch.full((B,), 2, **i64))
    idx = torch.arange(B, device=dev)
    th, Xw, Yw = thetas.clone(), X, Y
    L, g = engine.loss_grad(th, Xw, Yw, activation)
    J = (g * g).sum(1)
    Hg = torch.zeros_like(g)                        # H∇L, set with every new Hessian
    mu = torch.full((B,), damping, dtype=dt, device=dev)
    scale = torch.ones(B, dtype=dt, device=dev)
    it, nh, nf = (torch.zeros(B, **i64) for _ in range(3))
    age = torch.zeros(B, **i64)
    status = torch.full((B,), 2, **i64)
    need_factor = torch.ones(B, dtype=torch.bool, device=dev)
    hh_current = torch.zeros_like(need_factor)      # HH is H(θ)² at the current θ
    fresh = torch.zeros_like(need_factor)           # the factor was made at the current θ
    live = torch.ones_like(need_factor)
    HH = torch.zeros(B, P, P, dtype=fdt, device=dev)
    F = eye.expand(B, P, P).clone()

    def write_back():
        out.theta[idx], out.j[idx], out.loss[idx] = th, J, L
        out.iterations[idx], out.hessians[idx], out.factorizations[idx], out.status[idx] = it, nh, nf, status

    for k in itertools.count():
        if k == record_at:          # every live run has done exactly k iterations
            write_back()
            out.j_at, out.loss_at = out.j.clone(), out.loss.clone()
        for code, leaving in ((0, J <= stop_j), (3, ~torch.isfinite(J)), (2, it >= max_iters),
                              (1, mu > max_damping)):
            leaving = live & leaving
            status[leaving] = code
            live = live & ~leaving
        n_live = int(live.sum())
        if n_live == 0:
            break
        if n_live < _COMPACT_BELOW * live.numel():
            write_back()
            keep = live
            (th, Xw, Yw, g, Hg, J, L, mu, scale, it, nh, nf, age, status, need_factor, hh_current, fresh,
             HH, F, idx) = (t[keep] for t in (th, Xw, Yw, g, Hg, J, L, mu, scale, it, nh, nf, age, status,
                                               need_factor, hh_current, fresh, HH, F, idx))
            live = live[keep]
        # new factors where needed (a new exact Hessian only where θ moved since the last one)
        todo = live & need_factor
        if bool(todo.any()):
            new_h = (todo & ~hh_current).nonzero().squeeze(1)
            for rows in (new_h.split(_FACTOR_CHUNK) if new_h.numel() else ()):
                H = engine.hessian(th[rows], Xw[rows], Yw[rows], activation)
                Hg[rows] = (H @ g[rows, :, None])[:, :, 0]
                H = H.to(fdt)
                H2 = H @ H
                HH[rows] = H2
                scale[rows] = H2.diagonal(dim1=1, dim2=2).mean(1).to(dt).clamp_min(tiny)
            hh_current[new_h] = True
            nh[new_h] += 1
            todo_rows = todo.nonzero().squeeze(1)
            for rows in todo_rows.split(_FACTOR_CHUNK):
                damped = HH[rows]               # a copy (index), damped in place on its diagonal
                damped.diagonal(dim1=1, dim2=2).add_((mu[rows] * scale[rows]).to(fdt)[:, None])
                factor, info = torch.linalg.cholesky_ex(damped)
                F[rows] = factor
                ok = info == 0
                need_factor[rows] = ~ok
                fresh[rows] = ok
                mu[rows[~ok]] *= 4      # not positive definite in floating point: more damping
            nf[todo_rows] += 1
            age[todo_rows] = 0
        stepping = live & ~need_factor
        # the step (every row of the batch computes it; rows that do not step discard it)
        delta = -torch.cholesky_solve(Hg.to(fdt)[:, :, None], F)[:, :, 0].to(dt)
        trial = th + torch.where(stepping[:, None], delta, torch.zeros_like(delta))
        Lt, gt = engine.loss_grad(trial, Xw, Yw, activation)
        Jt = (gt * gt).sum(1)
        acc = stepping & torch.isfinite(Jt) & (Jt < J)
        rej = stepping & ~acc
        th = torch.where(acc[:, None], trial, th)
        g = torch.where(acc[:, None], gt, g)
        J, L = torch.where(acc, Jt, J), torch.where(acc, Lt, L)
        mu = torch.where(acc & fresh, mu / 3, torch.where(rej & fresh, mu * 4, mu)).clamp_min(1e-15)
        hh_current = hh_current & ~acc
        age = age + acc.long()
        need_factor = need_factor | rej | (acc & (age >= max_age))
        fresh = fresh & ~stepping
        it = it + live.long()
        # a reused factor needs H∇L at the new point (a Hessian-vector product); a new factor
        # brings its own (H @ ∇L from the new Hessian)
        reuse = (acc & ~need_factor).nonzero().squeeze(1)
        if reuse.numel():
            Hg[reuse] = engine.hvp(th[reuse], Xw[reuse], Yw[reuse], g[reuse], activation)
    write_back()
    if out.j_at is None:            # every run left before record_at: its final values
        out.j_at, out.loss_at = out.j.clone(), out.loss.clone()
    return out


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

    ``energy`` ε = L/n, ``j`` final |∇L|², ``kept`` = j < keep_j, ``negative``/``zero`` eigenvalue
    counts and ``alpha`` (NaN for discarded runs), ``level`` phase-1 target energy, ``reached``
    whether phase 1 reached it, ``min_abs_eig`` smallest |λ| (NaN if discarded), ``ls_energy``
    the energy of the least-squares linear fit Y ≈ XB of the run's task (the global minimum of
    the linear network); ``eigenvalues`` (runs, P) the Hessian spectra of kept runs (NaN rows for
    discarded runs); ``gd_steps``, ``iterations``, ``hessians``, ``factorizations`` the work of
    each run's two phases and ``status`` why phase 2 ended (index into :data:`STATUS`);
    ``j_half_budget``, ``energy_half_budget`` J and ε after half the phase-2 budget (what a
    search with half the budget returns for the same runs); ``weight_norm`` |θ| at the end.
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
    gd_steps: np.ndarray
    iterations: np.ndarray
    hessians: np.ndarray
    factorizations: np.ndarray
    status: np.ndarray
    j_half_budget: np.ndarray
    energy_half_budget: np.ndarray
    weight_norm: np.ndarray
    settings: dict = field(default_factory=dict)
    eigenvalues: np.ndarray | None = None

    PER_RUN = ("energy", "j", "kept", "alpha", "negative", "zero", "level", "reached", "min_abs_eig",
               "max_eig", "ls_energy", "gd_steps", "iterations", "hessians", "factorizations", "status",
               "j_half_budget", "energy_half_budget", "weight_norm")

    @property
    def phi(self) -> float:
        return capacity_ratio(self.n, self.m)

    @property
    def status_names(self) -> np.ndarray:
        """``status`` as names from :data:`STATUS`."""
        return np.asarray(STATUS)[self.status]

    @property
    def kept_half_budget(self) -> np.ndarray:
        """The runs a search with half the phase-2 budget would keep."""
        return np.isfinite(self.j_half_budget) & (self.j_half_budget < self.settings["keep_j"])

    def frame(self):
        import pandas as pd

        df = pd.DataFrame({k: getattr(self, k) for k in self.PER_RUN})
        df["status"] = self.status_names
        return df

    def flops(self) -> float:
        """Floating-point operations this search spent (:func:`flop_count` of its counters; every
        phase-2 iteration is counted with a Hessian-vector product, an upper bound)."""
        return flop_count(self.n, self.m, gd_steps=int(self.gd_steps.sum()), iterations=int(self.iterations.sum()),
                          hessians=int(self.hessians.sum()), factorizations=int(self.factorizations.sum()))


def flop_count(n, m, *, gd_steps=0, iterations=0, hessians=0, factorizations=0, hvps=None) -> float:
    """Floating-point operations of a search of n-n-n tanh networks on m points, from its counters.

    Parameters
    ----------
    n, m : widths and number of points; gd_steps, iterations, hessians, factorizations : the totals
        of :class:`SearchResult` / :class:`GradientNormResult`; hvps : Hessian-vector products
        (default: one per iteration, an upper bound: an iteration that refactors gets H∇L from its
        new Hessian instead)

    Notes
    -----
    Per GD step one loss and gradient; per phase-2 iteration two triangular solves (2P² each) and
    one trial gradient; per Hessian-vector product :func:`landscape.nets.engine.flops` ``"hvp"``
    less its gradient; per exact Hessian its closed form plus H² (2P³); per factorization a
    Cholesky (P³/3). Eigenvalues of kept points and elementwise work are left out.

    Examples
    --------
    >>> flop_count(4, 16, factorizations=3) == 3 * 32 ** 3 / 3
    True
    """
    n = _validate.integer("n", n, minimum=1)
    m = _validate.integer("m", m, minimum=1)
    counts = {k: _validate.integer(k, v, minimum=0) for k, v in
              (("gd_steps", gd_steps), ("iterations", iterations), ("hessians", hessians),
               ("factorizations", factorizations))}
    hvps = counts["iterations"] if hvps is None else _validate.integer("hvps", hvps, minimum=0)
    P = 2 * n * n
    grad = engine.flops(n, n, n, m, "grad")
    hvp = engine.flops(n, n, n, m, "hvp") - grad
    return float(counts["gd_steps"] * grad + counts["iterations"] * (grad + 4 * P * P) + hvps * hvp
                 + counts["hessians"] * (engine.flops(n, n, n, m, "hessian") + 2 * P ** 3)
                 + counts["factorizations"] * P ** 3 / 3)


def _check_search_args(n, m, runs, activation):
    n = _validate.integer("n", n, minimum=1)
    m = _validate.integer("m", m, minimum=1)
    runs = _validate.integer("runs", runs, minimum=1)
    _check_activation(activation)
    return n, m, runs


def kept_spectra(thetas, X, Y, activation="tanh", chunk: int = 64):
    """Eigenvalues (ascending) of the exact Hessians of a batch of points, ``chunk`` at a time; (B, P)."""
    import torch

    _check_batch(thetas, X, Y, activation)
    chunk = _validate.integer("chunk", chunk, minimum=1)
    out = [torch.linalg.eigvalsh(engine.hessian(thetas[i:i + chunk], X[i:i + chunk], Y[i:i + chunk], activation))
           for i in range(0, thetas.shape[0], chunk)]
    return torch.cat(out) if out else thetas.new_zeros((0, thetas.shape[1]))


def _torch_dtype(dtype):
    import torch

    if dtype is None:
        return torch.float64
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(f"`dtype` must be torch.float32 or torch.float64; got {dtype!r}")
    return dtype


def search(n, m, runs, activation="tanh", generator=None, *, batch=256, gd_lr=0.1, gd_steps=2000,
           max_iters=1500, stop_j=1e-20, damping=1e-3, max_age=8, factor_dtype=None, zero_tol=1e-7,
           keep_j=KEEP_J, device=None, dtype=None, threads=1, progress=False):
    """Critical points of ``runs`` independent n→n→n networks (no biases), batched over runs.

    Parameters
    ----------
    n : int ≥ 1, input = hidden = output width; m : int ≥ 1, examples per run
    runs : int ≥ 1; activation : one of ``ACTIVATIONS``
    generator : torch.Generator (data, initial weights N(0, 1/n), levels); its device is used
        unless ``device`` is given
    batch : runs processed together (memory: two (batch, P, P) tensors)
    gd_lr, gd_steps : phase 1 (gradient descent on L to a level U·L(θ0), U ~ Uniform(0, 1))
    max_iters, stop_j, damping, max_age, factor_dtype : phase 2, see :func:`minimise_gradient_norm`
    zero_tol : eigenvalues with |λ| ≤ zero_tol count as zero (not negative)
    keep_j : discard rule, keep runs with final J < keep_j (paper: 1e-6)
    device : torch device (CPU or CUDA, the same code); dtype : torch.float64 (default) or float32
    threads : CPU threads torch uses during the search (restored afterwards; None = leave
        unchanged). The default 1 suits the small tensors of the quick profile on a shared
        2-core machine (two threads made a batched Hessian-vector product 40× slower there).

    Returns
    -------
    SearchResult

    Notes
    -----
    {cite:t}`pennington2017`, §6.4 and Fig. 6. Exact Hessians (closed form,
    :func:`landscape.nets.engine.hessian`) and their eigenvalues are computed for kept runs only.
    The result depends only on the generator's state and the arguments: runs leave the batch
    in an order that depends on their own data only.
    """
    n, m, runs = _check_search_args(n, m, runs, activation)
    batch = _validate.integer("batch", batch, minimum=1)
    limit = (contextlib.nullcontext() if threads is None
             else torch_threads(_validate.integer("threads", threads, minimum=1)))
    with limit:
        return _search(n, m, runs, activation, generator, batch, gd_lr, gd_steps, max_iters, stop_j,
                       damping, max_age, factor_dtype, zero_tol, keep_j, device, _torch_dtype(dtype), progress)


def _search(n, m, runs, activation, generator, batch, gd_lr, gd_steps, max_iters, stop_j, damping,
            max_age, factor_dtype, zero_tol, keep_j, device, dtype, progress):
    import torch
    from landscape.progress import progress_bar

    zero_tol = _validate.positive_float("zero_tol", zero_tol, allow_zero=True)
    keep_j = _validate.positive_float("keep_j", keep_j)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    P = 2 * n * n
    parts, spectra = [], []
    for start in progress_bar(range(0, runs, batch), enabled=bool(progress), desc=f"m={m}"):
        b = min(batch, runs - start)
        X, Y, levels, reached, steps, res = _run_batch(n, m, b, activation, generator, gd_lr, gd_steps, max_iters,
                                                       stop_j, damping, max_age, factor_dtype, device, dtype)
        kept = torch.isfinite(res.j) & (res.j < keep_j)
        ls = least_squares_energy(X, Y).cpu().numpy() if m >= n else np.zeros(b)
        if bool(kept.any()):
            spectra.append(kept_spectra(res.theta[kept], X[kept], Y[kept], activation, chunk=64).cpu().numpy())
        parts.append(dict(L=res.loss, J=res.j, level=levels, reached=reached, kept=kept, ls=ls, gd_steps=steps,
                          iterations=res.iterations, hessians=res.hessians, factorizations=res.factorizations,
                          status=res.status, j_half=res.j_at, L_half=res.loss_at,
                          weight_norm=res.theta.norm(dim=1)))
    cat = {k: np.concatenate([np.asarray(p[k].cpu().numpy() if hasattr(p[k], "cpu") else p[k]) for p in parts])
           for k in parts[0]}
    eig = np.concatenate(spectra).astype(float) if spectra else np.zeros((0, P))
    settings = dict(batch=batch, gd_lr=gd_lr, gd_steps=gd_steps, max_iters=max_iters, stop_j=stop_j,
                    damping=damping, max_age=max_age, factor_dtype=str(factor_dtype or dtype), keep_j=keep_j)
    return _assemble(n, m, activation, zero_tol, P, cat, eig, settings)


def _assemble(n, m, activation, zero_tol, P, cat, eigs_kept, settings):
    kept = cat["kept"].astype(bool)
    runs = kept.size
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
                        energy=cat["L"].astype(float) / n, j=cat["J"].astype(float), kept=kept, alpha=alpha,
                        negative=neg, zero=zero, level=cat["level"].astype(float) / n, reached=cat["reached"],
                        min_abs_eig=mabs, max_eig=mx, ls_energy=cat["ls"].astype(float), gd_steps=cat["gd_steps"],
                        iterations=cat["iterations"], hessians=cat["hessians"],
                        factorizations=cat["factorizations"], status=cat["status"],
                        j_half_budget=cat["j_half"].astype(float), energy_half_budget=cat["L_half"].astype(float) / n,
                        weight_norm=cat["weight_norm"].astype(float),
                        settings=settings,
                        eigenvalues=spectra)


def draw_runs(n, m, runs, activation="tanh", generator=None, *, device=None, dtype=None):
    """The random draws of ``runs`` runs of :func:`search`, in its order: tasks, starts and levels.

    Parameters
    ----------
    n, m, runs : positive ints; activation : one of ``ACTIVATIONS``
    generator : torch.Generator; device, dtype : as in :func:`search`

    Returns
    -------
    X, Y : (runs, m, n) tasks (:func:`sample_tasks`); theta0 : (runs, 2n²) starts with entries
    N(0, 1/n); levels : (runs,) loss levels U·L(θ0), U ~ Uniform(0, 1) (phase 1 of
    {cite:t}`pennington2017`, §6.4)

    Notes
    -----
    One batch of :func:`search` draws exactly this from its generator, batch after batch, so a
    search of ``runs`` ≤ ``batch`` runs and this function consume the same stream.
    """
    import torch

    n, m, runs = _check_search_args(n, m, runs, activation)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    dtype = _torch_dtype(dtype)
    X, Y = sample_tasks(n, m, runs, generator, device=device, dtype=dtype)
    theta0 = torch.randn(runs, 2 * n * n, generator=generator, device=device, dtype=dtype) / math.sqrt(n)
    levels = torch.rand(runs, generator=generator, device=device, dtype=dtype) * engine.loss(theta0, X, Y, activation)
    return X, Y, theta0, levels


def _run_batch(n, m, b, activation, generator, gd_lr, gd_steps, max_iters, stop_j, damping, max_age,
               factor_dtype, device, dtype):
    # one batch of the search: its draws, phase 1 and phase 2 (shared by search and search_points)
    X, Y, theta0, levels = draw_runs(n, m, b, activation, generator, device=device, dtype=dtype)
    theta, reached, steps = descend_to_level(theta0, X, Y, levels, activation, lr=gd_lr, max_steps=gd_steps)
    res = minimise_gradient_norm(theta, X, Y, activation, max_iters=max_iters, stop_j=stop_j,
                                 damping=damping, max_age=max_age, record_at=max_iters // 2,
                                 factor_dtype=factor_dtype)
    return X, Y, levels, reached, steps, res


def search_points(n, m, runs, activation="tanh", generator=None, *, batch=256, gd_lr=0.1, gd_steps=2000,
                  max_iters=1500, stop_j=1e-20, damping=1e-3, max_age=8, factor_dtype=None, device=None,
                  dtype=None, threads=1, **ignored):
    """Re-run the runs of :func:`search` with the same arguments and return their data and end points.

    Parameters
    ----------
    As :func:`search`; the keywords that only affect what :func:`search` records (``zero_tol``,
    ``keep_j``, ``progress``) are accepted and ignored, so a profile's
    ``search_settings()`` can be passed to both.

    Returns
    -------
    X, Y : (runs, m, n) tasks; theta : (runs, 2n²) the points where phase 2 ended

    Notes
    -----
    Draws and phases are those of :func:`search`, batch by batch, so with a generator in the same
    state the end points are those whose energy and index :func:`search` recorded; used to
    recompute gradients and Hessians at them independently (by automatic differentiation).
    """
    import torch

    unknown = set(ignored) - {"zero_tol", "keep_j", "progress"}
    if unknown:
        raise TypeError(f"search_points() got unexpected keyword arguments {sorted(unknown)}")
    n, m, runs = _check_search_args(n, m, runs, activation)
    batch = _validate.integer("batch", batch, minimum=1)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    limit = (contextlib.nullcontext() if threads is None
             else torch_threads(_validate.integer("threads", threads, minimum=1)))
    parts = []
    with limit:
        for start in range(0, runs, batch):
            X, Y, _, _, _, res = _run_batch(n, m, min(batch, runs - start), activation, generator, gd_lr, gd_steps,
                                            max_iters, stop_j, damping, max_age, factor_dtype, device,
                                            _torch_dtype(dtype))
            parts.append((X, Y, res.theta))
    return tuple(torch.cat(t) for t in zip(*parts))


def search_loop(n, m, runs, activation="tanh", generator=None, **kwargs):
    """The same search as :func:`search`, one run at a time in a Python loop (the benchmark's baseline).

    Each run draws its data, start and level from ``generator`` in the same order as a batch of
    one and goes through the same code with a batch of one.
    """
    n, m, runs = _check_search_args(n, m, runs, activation)
    kwargs.pop("batch", None)
    parts = [search(n, m, 1, activation, generator, batch=1, **kwargs) for _ in range(runs)]
    first = parts[0]
    return SearchResult(n=n, m=m, activation=activation, zero_tol=first.zero_tol, n_params=first.n_params,
                        settings=first.settings, eigenvalues=np.concatenate([p.eigenvalues for p in parts]),
                        **{k: np.concatenate([getattr(p, k) for p in parts]) for k in SearchResult.PER_RUN})


def budget_dependence(result, rng, *, n_boot=400, quantile=0.1):
    """How much the kept sample's energies move between half the phase-2 budget and all of it.

    Parameters
    ----------
    result : SearchResult
    rng : numpy Generator (bootstrap resampling)
    n_boot : int ≥ 2, bootstrap replicates; quantile : lower quantile compared, in (0, 1)

    Returns
    -------
    dict: ``estimate`` = [Δ mean, Δ quantile] of the kept energies (full budget minus half
    budget), ``se`` their bootstrap standard errors, ``kept_half``, ``kept_full`` counts and
    ``changed`` (runs whose kept status differs).

    Notes
    -----
    Both samples come from the same runs (:attr:`SearchResult.energy_half_budget`), so they are
    strongly dependent and an independent two-sample test would overstate the error of the
    difference. The bootstrap resamples *runs* and recomputes both kept samples from the same
    resampled runs, which keeps that dependence (paired bootstrap). The lower quantile is
    watched because the runs a short budget loses are the low-energy ones.
    """
    n_boot = _validate.integer("n_boot", n_boot, minimum=2)
    q = float(_validate.in_interval("quantile", quantile, 0.0, 1.0, closed="neither"))
    full, half = result.kept, result.kept_half_budget
    if full.sum() < 2 or half.sum() < 2:
        raise ValueError("`result` needs at least two kept runs at half and at the full budget")

    def shift(rows):
        e, eh = result.energy[rows][full[rows]], result.energy_half_budget[rows][half[rows]]
        if e.size == 0 or eh.size == 0:
            return np.array([np.nan, np.nan])
        return np.array([e.mean() - eh.mean(), np.quantile(e, q) - np.quantile(eh, q)])

    runs = full.size
    est = shift(np.arange(runs))
    boot = np.array([shift(rng.integers(0, runs, runs)) for _ in range(n_boot)])
    return {"estimate": est, "se": np.nanstd(boot, axis=0, ddof=1), "kept_half": int(half.sum()),
            "kept_full": int(full.sum()), "changed": int((full != half).sum())}


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
