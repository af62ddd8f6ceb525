"""All complex eigenpairs of a symmetric tensor by parameter homotopy continuation.

A (Z-)eigenpair of a tensor :math:`T \\in (\\mathbb C^\\Lambda)^{\\otimes H}` that is symmetric
in its last ``H − 1`` slots is a pair :math:`(x, \\lambda)`, :math:`x \\neq 0`, with

.. math::  T\\cdot x^{H-1} := \\Big(\\sum_{j_2..j_H} T_{i j_2 \\dots j_H} x_{j_2}\\cdots x_{j_H}\\Big)_i = \\lambda x ,

counted up to the scaling :math:`(x, \\lambda) \\sim (t x, t^{H-2}\\lambda)`, :math:`t \\in \\mathbb C^*`.
For a fully symmetric real ``T`` the real classes are the pairs :math:`\\pm w` of critical
points of :math:`w \\mapsto \\sum T_{i_1..i_H} w_{i_1}\\cdots w_{i_H}` on the sphere.
A generic tensor has exactly :math:`((H-1)^\\Lambda - 1)/(H-2)` classes
(Cartwright & Sturmfels 2013, Thm. 1.2; Becker et al. 2020, eq. (5)).

Method (Sommese & Wampler 2005, ch. 7 and 10):

* one representative per class is fixed by a random complex affine chart :math:`a\\cdot x = 1`;
* start system: a generic *diagonal* tensor :math:`D = \\mathrm{diag}(d_1..d_\\Lambda)`, whose
  classes are known in closed form (support :math:`S \\neq \\emptyset`,
  :math:`x_i^{H-2} = \\lambda/d_i` on ``S``, zero elsewhere; :math:`(H-2)^{|S|-1}` classes per
  support, :math:`\\sum_k \\binom{\\Lambda}{k}(H-2)^{k-1}` in all — the same number);
* parameter homotopy :math:`T(s) = (1-s)\\gamma D + sT`, :math:`s \\in [0, 1]`, with a random
  complex :math:`\\gamma` ("gamma trick"): the complex line through ``D`` and ``T`` meets the
  discriminant in finitely many points, which the real segment misses with probability one;
* every path is tracked with an RK4 predictor, a Newton corrector and adaptive steps, all
  paths of all tensors at once (numpy, vectorised over paths);
* endpoints are refined by Newton's method on the target system and *verified*: residual,
  condition number of the Jacobian (non-singularity) and pairwise distinctness. A tensor whose
  verified solutions are fewer than the generic count is retried with fresh random
  ``γ, D, a``; if solutions are still missing the result reports ``n_lost > 0`` (and
  :func:`tensor_eigenpairs` raises unless ``allow_lost=True``).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from landscape import _validate

__all__ = [
    "EigenpairResult",
    "complex_count_int",
    "check_tensor",
    "contract",
    "diagonal_start",
    "tensor_eigenpairs",
    "tensor_eigenpairs_batch",
    "partial_symmetrize",
]


def complex_count_int(Lambda: int, H: int) -> int:
    """Exact number of eigenpair classes of a generic tensor: ((H−1)^Λ − 1)/(H − 2); Λ for H = 2."""
    Lambda = _validate.integer("Lambda", Lambda, minimum=1)
    H = _validate.integer("H", H, minimum=2)
    if H == 2:
        return Lambda
    return ((H - 1) ** Lambda - 1) // (H - 2)


@dataclass
class EigenpairResult:
    """Eigenpair classes of one tensor, one representative per class.

    Attributes
    ----------
    x : complex ndarray (n, Λ)   representatives normalised to unit Euclidean norm and a
        phase such that the largest-modulus coordinate is real and positive
    lam : complex ndarray (n,)    eigenvalues of these representatives (T·x^{H−1} = λ x)
    residual : ndarray (n,)       ||T·x^{H−1} − λx|| / (||T||_F ||x||^{H−1})
    condition : ndarray (n,)      2-norm condition number of the Jacobian in the chart
    is_real : bool ndarray (n,)   the class contains a real vector (a critical pair ±w)
    n_expected : int              generic count ((H−1)^Λ − 1)/(H − 2)
    n_lost : int                  n_expected − n (0 when every path converged to a distinct,
                                  verified solution)
    attempts : int                how many homotopies were run (retries after lost paths)
    min_separation : float        smallest distance between two returned classes
    """

    x: np.ndarray
    lam: np.ndarray
    residual: np.ndarray
    condition: np.ndarray
    is_real: np.ndarray
    n_expected: int
    n_lost: int
    attempts: int
    min_separation: float

    @property
    def n_found(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_real(self) -> int:
        """Number of real classes = number of real critical-point pairs ±w."""
        return int(self.is_real.sum())

    def real_pairs(self):
        """Real unit eigenvectors w (one of ±w) and their eigenvalues, shapes (r, Λ) and (r,)."""
        w = self.x[self.is_real].real.copy()
        lam = self.lam[self.is_real].real.copy()
        return w, lam


# ---------------------------------------------------------------------------------------
# input checks and tensor algebra
# ---------------------------------------------------------------------------------------
def check_tensor(tensor, *, name: str = "tensor", symmetric: str = "full", rtol: float = 1e-10,
                 batched: bool = False) -> np.ndarray:
    """Validate a (batch of) cubical tensor(s) of order H ≥ 2 and return a float/complex array.

    ``symmetric`` is ``"full"`` (invariant under every permutation of the slots), ``"tail"``
    (invariant under permutations of slots 2..H, enough for the eigenproblem) or ``"none"``.
    """
    _validate.choice("symmetric", symmetric, ("full", "tail", "none"))
    try:
        import torch

        if isinstance(tensor, torch.Tensor):
            tensor = tensor.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    arr = np.asarray(tensor)
    if arr.dtype.kind not in "biufc":
        raise ValueError(f"`{name}` must be a numeric array; got dtype {arr.dtype}")
    low_precision = arr.dtype in (np.float32, np.float16, np.complex64)
    if low_precision:  # e.g. float32 couplings: symmetric only to single precision
        rtol = max(rtol, 1e-5)
    arr = arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must contain only finite numbers")
    shape = arr.shape[1:] if batched else arr.shape
    if batched and arr.ndim < 1:
        raise ValueError(f"`{name}` must have shape (n_tensors, Λ, ..., Λ)")
    H = len(shape)
    if H < 2:
        raise ValueError(f"`{name}` must have order H >= 2 (at least 2 axes); got shape {arr.shape}")
    if len(set(shape)) != 1:
        raise ValueError(f"`{name}` must be square (every axis of the same length Λ >= 1); got shape {arr.shape}")
    if symmetric != "none":
        scale = max(float(np.max(np.abs(arr))), 1e-300) if arr.size else 1.0
        off = 1 if batched else 0
        first = 0 if symmetric == "full" else 1
        for k in range(first, H - 1):  # adjacent transpositions generate the permutation group
            axes = list(range(arr.ndim))
            axes[off + k], axes[off + k + 1] = axes[off + k + 1], axes[off + k]
            if np.max(np.abs(arr - arr.transpose(axes))) > rtol * scale:
                what = "symmetric" if symmetric == "full" else "symmetric in its last H-1 slots"
                raise ValueError(f"`{name}` must be {what} (relative tolerance {rtol}); "
                                 f"it changes under swapping axes {k} and {k + 1}")
        if low_precision:  # make it symmetric to double precision
            from itertools import permutations

            off = 1 if batched else 0
            perms = list(permutations(range(first, H)))
            head = tuple(range(off + first))
            arr = sum(arr.transpose(head + tuple(off + p for p in perm)) for perm in perms) / len(perms)
    return arr


def partial_symmetrize(tensor) -> np.ndarray:
    """Average a tensor (..., Λ, ..., Λ) of order H over permutations of its last H−1 slots.

    The map x ↦ T·x^{H−1} only sees this average, so a non-symmetric tensor (Breiding's
    i.i.d. model) has the same eigenpairs as its tail-symmetrisation.
    """
    from itertools import permutations

    arr = np.asarray(tensor)
    H = arr.ndim
    if H < 2:
        raise ValueError(f"`tensor` must have at least 2 axes; got shape {arr.shape}")
    perms = list(permutations(range(1, H)))
    out = np.zeros_like(arr, dtype=np.result_type(arr, np.float64))
    for p in perms:
        out += arr.transpose((0,) + p)
    return out / len(perms)


def contract(T, x):
    """Batched contractions of tensors symmetric in their last H−1 slots.

    Parameters
    ----------
    T : array (B, Λ, ..., Λ) of order H after the batch axis (use np.broadcast_to to share one)
    x : array (B, Λ)

    Returns
    -------
    v : (B, Λ)      T·x^{H−1}
    M : (B, Λ, Λ)   T·x^{H−2} (so that the Jacobian of v is (H−1) M)
    """
    x = np.asarray(x)
    B, L = x.shape
    H = T.ndim - 1
    t = T.reshape(B, -1)
    for _ in range(H - 2):
        t = np.matmul(t.reshape(B, -1, L), x[:, :, None])[..., 0]
    M = t.reshape(B, L, L)
    v = np.matmul(M, x[:, :, None])[..., 0]
    return v, M


# ---------------------------------------------------------------------------------------
# start system
# ---------------------------------------------------------------------------------------
def diagonal_start(d, H: int, a, gamma=1.0):
    """All eigenpair classes of γ·diag(d) in the chart a·x = 1.

    Parameters
    ----------
    d : complex array (Λ,)   generic (non-zero, distinct) diagonal entries
    H : int >= 3
    a : complex array (Λ,)   chart; a·x = 1
    gamma : complex          the tensor is γ·diag(d)

    Returns
    -------
    x : (N, Λ), lam : (N,)  with N = ((H−1)^Λ − 1)/(H−2)
    """
    H = _validate.integer("H", H, minimum=3)
    d = np.asarray(d, dtype=complex)
    a = np.asarray(a, dtype=complex)
    L = d.size
    roots = np.exp(2j * np.pi * np.arange(H - 2) / (H - 2))
    base = (1.0 / (gamma * d)) ** (1.0 / (H - 2))  # one (H-2)-th root of λ/(γ d_i) with λ = 1
    xs = []
    for mask in range(1, 2**L):
        S = [i for i in range(L) if mask >> i & 1]
        for phases in product(range(H - 2), repeat=len(S) - 1):
            x = np.zeros(L, dtype=complex)
            x[S[0]] = base[S[0]]
            for i, k in zip(S[1:], phases):
                x[i] = roots[k] * base[i]
            xs.append(x)
    x = np.array(xs)
    t = 1.0 / (x @ a)  # rescale into the chart: (t x, t^{H-2} λ)
    return x * t[:, None], t ** (H - 2)


# ---------------------------------------------------------------------------------------
# path tracking
# ---------------------------------------------------------------------------------------
def _system(Tg, d, gamma, a, H, z, s, need_jac=True):
    """Homotopy value F(z, s), Jacobian dF/dz and dF/ds for a batch of paths."""
    B, n1 = z.shape
    L = n1 - 1
    x, lam = z[:, :L], z[:, L]
    v, M = contract(Tg, x)
    xd = x
    for _ in range(H - 3):
        xd = xd * x
    dv = gamma * d[None, :] * xd * x  # γ D x^{H-1}
    w = 1.0 - s
    F = np.empty((B, n1), dtype=complex)
    F[:, :L] = w[:, None] * dv + s[:, None] * v - lam[:, None] * x
    F[:, L] = x @ a - 1.0
    Fs = np.zeros((B, n1), dtype=complex)
    Fs[:, :L] = v - dv
    if not need_jac:
        return F, None, Fs
    J = np.zeros((B, n1, n1), dtype=complex)
    J[:, :L, :L] = (H - 1) * s[:, None, None] * M
    idx = np.arange(L)
    J[:, idx, idx] += (H - 1) * w[:, None] * gamma * d[None, :] * xd - lam[:, None]
    J[:, :L, L] = -x
    J[:, L, :L] = a[None, :]
    return F, J, Fs


def _solve(J, rhs):
    try:
        return np.linalg.solve(J, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full_like(rhs, np.nan)
        for i in range(J.shape[0]):
            try:
                out[i] = np.linalg.solve(J[i], rhs[i])
            except np.linalg.LinAlgError:
                pass
        return out


def _velocity(Tg, d, gamma, a, H, z, s):
    _, J, Fs = _system(Tg, d, gamma, a, H, z, s)
    return -_solve(J, Fs)


def _track(T_flat, owner, z0, d, gamma, a, H, *, max_steps=4000, ds0=0.05, ds_max=0.25, ds_min=1e-9,
           n_newton=2, newton_tol=1e-7, max_first_correction=0.05):
    """Track paths s: 0 → 1 (RK4 predictor, Newton corrector, adaptive step), vectorised.

    Returns (z at s = 1, ok flag per path, number of steps).
    """
    P, n1 = z0.shape
    L = n1 - 1
    z = z0.copy()
    s = np.zeros(P)
    ds = np.full(P, ds0)
    ok_streak = np.zeros(P, dtype=int)
    done = np.zeros(P, dtype=bool)
    failed = np.zeros(P, dtype=bool)
    shape = (-1,) + (L,) * H
    steps = 0
    while steps < max_steps:
        act = np.flatnonzero(~done & ~failed)
        if act.size == 0:
            break
        steps += 1
        Tg = T_flat[owner[act]].reshape(shape)
        za, sa = z[act], s[act]
        h = np.minimum(ds[act], 1.0 - sa)
        # RK4 predictor along dz/ds = -J^{-1} dF/ds
        k1 = _velocity(Tg, d, gamma, a, H, za, sa)
        k2 = _velocity(Tg, d, gamma, a, H, za + 0.5 * h[:, None] * k1, sa + 0.5 * h)
        k3 = _velocity(Tg, d, gamma, a, H, za + 0.5 * h[:, None] * k2, sa + 0.5 * h)
        k4 = _velocity(Tg, d, gamma, a, H, za + h[:, None] * k3, sa + h)
        zp = za + (h / 6.0)[:, None] * (k1 + 2 * k2 + 2 * k3 + k4)
        s_new = sa + h
        # Newton corrector at s_new: n_newton iterations, the first correction must be small
        scale = 1.0 + np.linalg.norm(zp, axis=1)
        first = None
        last = None
        for it in range(n_newton):
            F, J, _ = _system(Tg, d, gamma, a, H, zp, s_new)
            dz = _solve(J, F)
            zp = zp - dz
            nrm = np.linalg.norm(dz, axis=1) / scale
            if it == 0:
                first = nrm
            last = nrm
        good = np.isfinite(last) & (first < max_first_correction) & (last < newton_tol) \
            & ((last <= 0.5 * first) | (last < 1e-12)) & np.all(np.isfinite(zp), axis=1)
        # (Newton must contract, except at round-off level where it cannot: the prediction was exact)
        # accept
        ia = act[good]
        z[ia] = zp[good]
        s[ia] = s_new[good]
        ok_streak[ia] += 1
        grow = ia[ok_streak[ia] >= 2]
        ds[grow] = np.minimum(ds[grow] * 2.0, ds_max)
        ok_streak[grow] = 0
        done[ia[s[ia] >= 1.0 - 1e-15]] = True
        # reject
        ir = act[~good]
        ds[ir] *= 0.5
        ok_streak[ir] = 0
        failed[ir[ds[ir] < ds_min]] = True
        big = np.linalg.norm(z[act], axis=1) > 1e8
        failed[act[big]] = True
    failed |= ~done
    return z, ~failed, steps


def _refine(T, z, H, iters=6):
    """Newton's method on the target system T·x^{H−1} = λx, a·x = 1 is replaced by a fixed
    normalisation along the current point (x̄₀·x = 1), which keeps the class and is well-posed."""
    L = z.shape[1] - 1
    x, lam = z[:, :L].copy(), z[:, L].copy()
    nrm = np.linalg.norm(x, axis=1)
    x = x / nrm[:, None]
    lam = lam / nrm ** (H - 2)
    c = x.conj()
    B = x.shape[0]
    Tb = np.broadcast_to(T, (B,) + T.shape)
    for _ in range(iters):
        v, M = contract(Tb, x)
        F = np.concatenate([v - lam[:, None] * x, (np.einsum("bi,bi->b", c, x) - 1.0)[:, None]], axis=1)
        J = np.zeros((B, L + 1, L + 1), dtype=complex)
        J[:, :L, :L] = (H - 1) * M - lam[:, None, None] * np.eye(L)
        J[:, :L, L] = -x
        J[:, L, :L] = c
        dz = _solve(J, F)
        bad = ~np.all(np.isfinite(dz), axis=1)
        dz[bad] = 0.0
        x = x - dz[:, :L]
        lam = lam - dz[:, L]
    v, M = contract(Tb, x)
    J = np.zeros((B, L + 1, L + 1), dtype=complex)
    J[:, :L, :L] = (H - 1) * M - lam[:, None, None] * np.eye(L)
    J[:, :L, L] = -x
    J[:, L, :L] = c
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(J)
    tnorm = np.sqrt(np.sum(np.abs(T) ** 2))
    res = np.linalg.norm(v - lam[:, None] * x, axis=1) / (max(tnorm, 1e-300) * np.linalg.norm(x, axis=1) ** (H - 1))
    return x, lam, res, cond


def _canonical(x, lam, H):
    """Unit-norm representative with the largest-modulus coordinate real positive."""
    nrm = np.linalg.norm(x, axis=1)
    x = x / nrm[:, None]
    lam = lam / nrm ** (H - 2)
    k = np.argmax(np.abs(x), axis=1)
    ph = x[np.arange(x.shape[0]), k]
    ph = ph / np.abs(ph)
    x = x / ph[:, None]
    lam = lam / ph ** (H - 2)
    return x, lam


def _solve_group(tensors, H, rng, *, res_tol=1e-10, cond_tol=1e10, real_tol=1e-8, sep_tol=1e-6,
                 track_kwargs=None):
    """One homotopy run for a group of tensors of the same shape; returns per-tensor verified solutions."""
    nT = tensors.shape[0]
    L = tensors.shape[1]
    d = rng.normal(size=L) + 1j * rng.normal(size=L)
    a = rng.normal(size=L) + 1j * rng.normal(size=L)
    gamma = np.exp(2j * np.pi * rng.random())
    x0, lam0 = diagonal_start(d, H, a, gamma)
    z0 = np.concatenate([x0, lam0[:, None]], axis=1)
    N = z0.shape[0]
    owner = np.repeat(np.arange(nT), N)
    Z0 = np.tile(z0, (nT, 1))
    T_flat = tensors.reshape(nT, -1).astype(complex)
    z, ok, steps = _track(T_flat, owner, Z0, d, gamma, a, H, **(track_kwargs or {}))
    out = []
    for t in range(nT):
        sel = slice(t * N, (t + 1) * N)
        zt, okt = z[sel], ok[sel]
        if not okt.any():
            empty = np.zeros((0, L), dtype=complex)
            out.append((empty, np.zeros(0, dtype=complex), np.zeros(0), np.zeros(0), np.inf))
            continue
        x, lam, res, cond = _refine(tensors[t].astype(complex), zt[okt], H)
        x, lam = _canonical(x, lam, H)
        good = np.isfinite(res) & (res < res_tol) & (cond < cond_tol)
        out.append(_dedupe(x[good], lam[good], res[good], cond[good], sep_tol))
    return out, steps


def _dedupe(x, lam, res, cond, sep_tol):
    """Drop duplicates (paths that jumped onto the same class): keep the smallest residual."""
    if x.shape[0] == 0:
        return x, lam, res, cond, np.inf
    z = np.concatenate([x, lam[:, None] / (1.0 + np.abs(lam[:, None]))], axis=1)
    order = np.argsort(res, kind="stable")
    zs = z[order]
    dist = np.linalg.norm(zs[:, None, :] - zs[None, :, :], axis=2)
    keep_sorted = np.ones(len(order), dtype=bool)
    for i in range(1, len(order)):  # a class is dropped if it is within sep_tol of a kept, better one
        close = dist[i, :i] <= sep_tol
        if np.any(close & keep_sorted[:i]):
            keep_sorted[i] = False
    keep = np.sort(order[keep_sorted])
    if len(keep) > 1:
        dk = dist[np.ix_(keep_sorted, keep_sorted)].copy()
        dk[np.arange(len(keep)), np.arange(len(keep))] = np.inf
        sep = float(dk.min())
    else:
        sep = np.inf
    return x[keep], lam[keep], res[keep], cond[keep], sep


def _is_real(x, lam, tol):
    return (np.max(np.abs(x.imag), axis=1) < tol) & (np.abs(lam.imag) < tol * (1.0 + np.abs(lam)))


def _eig_matrix(T):
    """H = 2: eigenpairs of a matrix (symmetric real: eigh; otherwise eig)."""
    if np.isrealobj(T) and np.allclose(T, T.T):
        w, V = np.linalg.eigh(T)
    else:
        w, V = np.linalg.eig(T)
    x, lam = _canonical(V.T.astype(complex), w.astype(complex), 2)
    B = x.shape[0]
    v, _ = contract(np.broadcast_to(T.astype(complex), (B,) + T.shape), x)
    res = np.linalg.norm(v - lam[:, None] * x, axis=1) / max(np.linalg.norm(T), 1e-300)
    dist = np.abs(lam[:, None] - lam[None, :])
    np.fill_diagonal(dist, np.inf)
    sep = float(dist.min()) if B > 1 else np.inf
    cond = np.full(B, np.nan)
    return x, lam, res, cond, sep


def _single_thread():
    """Limit BLAS/LAPACK to one thread while tracking: the work is many tiny batched solves,
    for which threads only add contention (2-3x slower on a shared 2-core machine)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(1)


def _generator(rng) -> np.random.Generator:
    """The caller's numpy Generator; anything else (an int seed, None) is refused."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError("`rng` must be a numpy.random.Generator (e.g. a chapter's run.numpy_rng(\"homotopy\")); "
                         f"got {type(rng).__name__}")
    return rng


def tensor_eigenpairs_batch(tensors, *, rng: np.random.Generator, symmetric: str = "full", max_attempts: int = 4,
                            res_tol: float = 1e-10, cond_tol: float = 1e10, real_tol: float = 1e-8,
                            sep_tol: float = 1e-6, chunk_entries: int = 3_000_000, progress=None):
    """All eigenpair classes of each tensor in a batch of same-shape tensors.

    Parameters
    ----------
    tensors : array (n_tensors, Λ, ..., Λ), real or complex, order H ≥ 2 after the batch axis
    rng : numpy Generator (required)   randomness of γ, the start tensor and the chart; pass
        the caller's own stream (in a chapter ``run.numpy_rng("homotopy")``). There is no
        default: a silent fixed seed would tie every caller to the same γ, D and chart.
    symmetric : "full" (default) or "tail"   required symmetry (``"tail"``: the last H−1
        slots; use :func:`partial_symmetrize` for an arbitrary tensor)
    max_attempts : int ≥ 1   homotopy runs per tensor before giving up on lost paths
    res_tol, cond_tol, sep_tol : verification thresholds (relative residual, Jacobian
        condition number, minimum distance between classes)
    real_tol : a class is real when its canonical representative has |Im| below this
    chunk_entries : memory bound (number of tensor entries gathered at once)
    progress : optional callable(n_done) for progress bars

    Returns
    -------
    list of :class:`EigenpairResult`, one per tensor (``n_lost`` > 0 flags missing classes)

    Notes
    -----
    Implements the count of Becker et al. 2020, eq. (5) / Cartwright & Sturmfels 2013, Thm 1.2
    by solving; see the module docstring for the method.
    """
    arr = check_tensor(tensors, name="tensors", symmetric=symmetric, batched=True)
    rng = _generator(rng)
    max_attempts = _validate.integer("max_attempts", max_attempts, minimum=1)
    nT = arr.shape[0]
    H = arr.ndim - 1
    L = arr.shape[1]
    N = complex_count_int(L, H)
    results: list = [None] * nT
    if H == 2:
        for t in range(nT):
            x, lam, res, cond, sep = _eig_matrix(arr[t])
            results[t] = EigenpairResult(x, lam, res, cond, _is_real(x, lam, real_tol), N, N - x.shape[0], 1, sep)
        return results
    per = max(1, chunk_entries // max(1, N * L**H))
    pending = list(range(nT))
    best = {}
    attempts = {t: 0 for t in range(nT)}
    for attempt in range(max_attempts):
        if not pending:
            break
        still = []
        for c0 in range(0, len(pending), per):
            ids = pending[c0:c0 + per]
            with _single_thread():
                out, _ = _solve_group(arr[ids], H, rng, res_tol=res_tol, cond_tol=cond_tol,
                                      real_tol=real_tol, sep_tol=sep_tol)
            for t, sol in zip(ids, out):
                attempts[t] += 1
                if t in best:  # merge with earlier attempts: union of verified classes
                    x0, l0, r0, c0_, _ = best[t]
                    sol = _dedupe(np.concatenate([x0, sol[0]]), np.concatenate([l0, sol[1]]),
                                  np.concatenate([r0, sol[2]]), np.concatenate([c0_, sol[3]]), sep_tol)
                best[t] = sol
                if sol[0].shape[0] < N:
                    still.append(t)
                elif progress is not None:
                    progress(1)
        pending = still
    for t in range(nT):
        x, lam, res, cond, sep = best[t]
        results[t] = EigenpairResult(x, lam, res, cond, _is_real(x, lam, real_tol), N,
                                     N - x.shape[0], attempts[t], sep)
    return results


def tensor_eigenpairs(tensor, *, rng: np.random.Generator, allow_lost: bool = False,
                      **kwargs) -> EigenpairResult:
    """All eigenpair classes (x, λ) of one symmetric tensor, verified.

    Parameters
    ----------
    tensor : array or torch tensor (Λ, ..., Λ) of order H ≥ 2, symmetric
    rng : numpy Generator (required)   randomness of the homotopy (γ, start tensor, chart)
    allow_lost : bool   if False (default) raise RuntimeError when, after all retries, fewer
        than ((H−1)^Λ − 1)/(H−2) verified distinct classes were found
    **kwargs : passed to :func:`tensor_eigenpairs_batch`

    Returns
    -------
    EigenpairResult

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 2, 2)); T[0, 0, 0] = 1.0; T[1, 1, 1] = 2.0
    >>> r = tensor_eigenpairs(T, rng=np.random.default_rng(0))
    >>> r.n_found, r.n_lost, r.n_real     # ((3-1)^2 - 1)/(3-2) = 3 classes, all real
    (3, 0, 3)
    """
    arr = check_tensor(tensor, symmetric=kwargs.pop("symmetric", "full"))
    r = tensor_eigenpairs_batch(arr[None], rng=rng, symmetric="none", **kwargs)[0]
    if r.n_lost > 0 and not allow_lost:
        raise RuntimeError(f"homotopy lost {r.n_lost} of {r.n_expected} eigenpair classes after "
                           f"{r.attempts} attempts; pass allow_lost=True to get the partial result")
    return r
