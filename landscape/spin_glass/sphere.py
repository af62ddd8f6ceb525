"""Batched minimisation of the spherical H-spin glass and the curvature at the end points.

This is the one minimiser of the book: every chapter that descends the Hamiltonian of
Choromanska et al. (2015), eq. (2), on the sphere :math:`\\|w\\|^2 = \\Lambda` calls
:func:`minimise`, and every chapter that asks "is this a minimum, and of which index?"
calls :func:`hessian_spectrum` and :func:`index`.  The contractions themselves live in
:mod:`landscape.spin_glass.hamiltonian` (:func:`~landscape.spin_glass.hamiltonian.derivatives`,
:func:`~landscape.spin_glass.hamiltonian.hessian`); this module only organises the iteration.

Step size
---------
With the normalisation of eq. (2) the Riemannian Hessian at a point of energy
:math:`\\Lambda u` is (Auffinger, Ben Arous & Černý 2013, Lemma 3.1 in our units) a GOE
matrix whose semicircle has radius :math:`2\\sqrt{H(H-1)}`, shifted by :math:`-Hu`.
Its spectrum is therefore :math:`O(1)` *independently of* Λ, and since
:math:`|u| \\le E_0(H) \\approx E_\\infty(H) = 2\\sqrt{(H-1)/H}` the largest curvature
anywhere on the sphere is about

.. math:: L(H) \\approx 2\\sqrt{H(H-1)} + H E_\\infty(H) = 4\\sqrt{H(H-1)} .

The default step is ``lr = 1/L(H)`` (:func:`default_lr`): it does not depend on Λ, and
gradient descent with it decreases the energy monotonically (tested in
``tests/test_sphere.py`` for H = 2, 3, 4 and several Λ).  The Riemannian gradient itself
has norm of order :math:`\\sqrt\\Lambda` at a random point, so a step moves each
coordinate by O(lr) — the renormalisation (retraction) is a small correction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscape import _validate
from landscape.spin_glass.hamiltonian import Couplings, derivatives, hessian

__all__ = ["SphereMinima", "default_lr", "minimise", "hessian_spectrum", "index", "descent_experiment"]

#: Memory (bytes) allowed for the (rows, Λ^{H-1}) intermediate of one energy/gradient call;
#: larger batches are evaluated in row chunks.
CHUNK_BYTES = 2**28


@dataclass
class SphereMinima:
    """End points of :func:`minimise`, one row per start.

    Attributes
    ----------
    w : torch.Tensor (B, Λ)          end points, on the sphere |w|² = Λ
    energy : torch.Tensor (B,)       :math:`\\mathcal H_\\Lambda(w)` (not divided by Λ)
    grad_norm : torch.Tensor (B,)    Riemannian gradient norm at the end point
    steps : torch.Tensor (B,)        number of descent steps taken by each start
    converged : torch.Tensor (B,)    ``grad_norm <= grad_tol``
    """

    w: object
    energy: object
    grad_norm: object
    steps: object
    converged: object

    def __len__(self) -> int:
        return int(self.w.shape[0])


def default_lr(H) -> float:
    """Default step size :math:`1/(4\\sqrt{H(H-1)})` of :func:`minimise` (independent of Λ).

    Parameters
    ----------
    H : int >= 2   order of the interaction

    Returns
    -------
    float

    Notes
    -----
    The inverse of the largest Riemannian curvature on the sphere in the normalisation of
    Choromanska et al. (2015), eq. (2); see the module docstring.

    Examples
    --------
    >>> round(default_lr(3), 6)
    0.102062
    """
    H = _validate.integer("H", H, minimum=2)
    return 1.0 / (4.0 * math.sqrt(H * (H - 1)))


def _check_couplings(couplings):
    if not isinstance(couplings, Couplings):
        raise ValueError(f"`couplings` must be a landscape.spin_glass.hamiltonian.Couplings; got {type(couplings).__name__}")


def _as_points(name, couplings, w):
    import torch

    if not isinstance(w, torch.Tensor):
        raise ValueError(f"`{name}` must be a torch tensor of shape (B, {couplings.Lambda})")
    if w.ndim != 2 or w.shape[1] != couplings.Lambda or w.shape[0] < 1:
        raise ValueError(f"`{name}` must have shape (B, {couplings.Lambda}) with B >= 1; got {tuple(w.shape)}")
    if not w.is_floating_point():
        raise ValueError(f"`{name}` must be a floating-point tensor; got dtype {w.dtype}")
    if not bool(torch.isfinite(w).all()):
        raise ValueError(f"`{name}` must contain only finite numbers")
    return w


def _matching(couplings: Couplings, like) -> Couplings:
    """The couplings on the device and in the dtype of ``like`` (converted once, not per step)."""
    T = couplings.tensor
    if T.dtype == like.dtype and T.device == like.device:
        return couplings
    return Couplings(tensor=T.to(device=like.device, dtype=like.dtype), Lambda=couplings.Lambda, H=couplings.H)


def _chunk_rows(couplings: Couplings, itemsize: int) -> int:
    per_row = couplings.Lambda ** (couplings.H - 1) * itemsize
    return max(1, CHUNK_BYTES // per_row)


def _energy_and_riemannian_gradient(couplings: Couplings, w, chunk: int):
    """E (B,) and the Riemannian gradient (B, Λ) at points on the sphere, in row chunks."""
    import torch

    Es, Gs = [], []
    for start in range(0, w.shape[0], chunk):
        x = w[start:start + chunk]
        E, g, _ = derivatives(couplings, x, order=1)
        radial = (g * x).sum(dim=1, keepdim=True) / couplings.Lambda
        Es.append(E)
        Gs.append(g - radial * x)
    return torch.cat(Es), torch.cat(Gs)


def _retract(w):
    return w * (math.sqrt(w.shape[1]) / w.norm(dim=1, keepdim=True))


def minimise(couplings, w0, *, lr=None, max_steps=5000, grad_tol=1e-4, momentum=0.9,
             progress=False) -> SphereMinima:
    """Minimise :math:`\\mathcal H_\\Lambda` on the sphere from a batch of starts.

    Riemannian heavy-ball gradient descent: with :math:`r_t` the Riemannian gradient at
    :math:`w_t` and :math:`P_w = I - ww^T/\\Lambda`,

    .. math:: v_{t+1} = \\mu P_{w_t} v_t + r_t,\\qquad
              w_{t+1} = \\sqrt\\Lambda\\,\\frac{w_t - \\eta v_{t+1}}{\\|w_t - \\eta v_{t+1}\\|}

    (retraction by renormalisation; the momentum is transported by projection).  A start
    whose Riemannian gradient norm is at most ``grad_tol`` is frozen: it is no longer
    updated nor evaluated.  ``momentum=0`` is plain projected gradient descent.

    Parameters
    ----------
    couplings : landscape.spin_glass.hamiltonian.Couplings   the Hamiltonian, any H >= 2
    w0 : torch.Tensor (B, Λ)   starting points (rows are rescaled onto the sphere; the
        dtype and device of ``w0`` are those of the computation)
    lr : float > 0, optional   step size η; default :func:`default_lr` (H), independent of Λ
    max_steps : int >= 0       largest number of steps per start
    grad_tol : float > 0       stop a start when its Riemannian gradient norm is <= this.
        The gradient norm at a random point is O(√Λ); float32 evaluation reaches about
        1e-5·√Λ at best, so use float64 points for tolerances below that.
    momentum : float in [0, 1)  heavy-ball coefficient μ
    progress : bool            show a tqdm bar over the steps

    Returns
    -------
    SphereMinima

    Notes
    -----
    Implements the descent used for Choromanska et al. (2015), §5 / Fig. 3 (they ran SGD on
    the spin-glass energy; the landscape is deterministic, so full-batch descent is the
    exact counterpart).  Costs per step one call of
    :func:`landscape.spin_glass.hamiltonian.derivatives` with ``order=1`` on the unconverged rows.

    Examples
    --------
    >>> import torch
    >>> from landscape.spin_glass import hamiltonian as spin_glass
    >>> g = torch.Generator().manual_seed(0)
    >>> c = spin_glass.sample_couplings(20, 3, g, dtype=torch.float64)
    >>> w0 = spin_glass.random_sphere_points(4, 20, g, dtype=torch.float64)
    >>> res = minimise(c, w0, grad_tol=1e-8)
    >>> bool(res.converged.all()), bool((res.energy < spin_glass.energy(c, w0)).all())
    (True, True)
    """
    import torch

    _check_couplings(couplings)
    w0 = _as_points("w0", couplings, w0)
    H = couplings.H
    lr = default_lr(H) if lr is None else _validate.positive_float("lr", lr)
    max_steps = _validate.integer("max_steps", max_steps, minimum=0)
    grad_tol = _validate.positive_float("grad_tol", grad_tol)
    momentum = float(_validate.in_interval("momentum", momentum, 0.0, 1.0, closed="left"))
    if not isinstance(progress, (bool, np.bool_)):
        raise ValueError(f"`progress` must be True or False; got {progress!r}")
    norms = w0.norm(dim=1)
    if bool((norms == 0).any()):
        raise ValueError("`w0` has a zero row, which has no direction on the sphere")

    c = _matching(couplings, w0)
    chunk = _chunk_rows(c, w0.element_size())
    B = w0.shape[0]
    dev = w0.device
    w = _retract(w0.detach().clone())
    v = torch.zeros_like(w)
    energy = torch.empty(B, dtype=w.dtype, device=dev)
    grad_norm = torch.empty(B, dtype=w.dtype, device=dev)
    steps = torch.zeros(B, dtype=torch.long, device=dev)
    active = torch.arange(B, device=dev)

    bar = None
    if progress:
        from landscape.progress import progress_bar

        bar = progress_bar(total=max_steps, desc=f"descent Λ={c.Lambda}")
    with torch.no_grad():
        for step in range(max_steps + 1):
            x = w[active]
            E, r = _energy_and_riemannian_gradient(c, x, chunk)
            gn = r.norm(dim=1)
            energy[active] = E
            grad_norm[active] = gn
            keep = gn > grad_tol
            if step == max_steps or not bool(keep.any()):
                break
            active, x, r = active[keep], x[keep], r[keep]
            vel = v[active]
            vel = vel - ((vel * x).sum(dim=1, keepdim=True) / c.Lambda) * x  # transport to T_x
            vel = momentum * vel + r
            v[active] = vel
            w[active] = _retract(x - lr * vel)
            steps[active] += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(active=int(active.numel()))
    if bar is not None:
        bar.close()
    return SphereMinima(w=w, energy=energy, grad_norm=grad_norm, steps=steps,
                        converged=grad_norm <= grad_tol)


def hessian_spectrum(couplings, w, batch_size=64):
    """Eigenvalues of the Riemannian Hessian at each row of ``w``: shape (B, Λ−1), ascending.

    Parameters
    ----------
    couplings : landscape.spin_glass.hamiltonian.Couplings
    w : torch.Tensor (B, Λ)   points on the sphere |w|² = Λ (relative tolerance 1e-3)
    batch_size : int >= 1     rows per call of :func:`landscape.spin_glass.hamiltonian.hessian`
        (memory is a few times batch_size·Λ² numbers)

    Returns
    -------
    torch.Tensor (B, Λ−1), dtype and device of ``w``

    Notes
    -----
    The Hessian in an orthonormal basis of the tangent space
    (:func:`landscape.spin_glass.hamiltonian.hessian`), diagonalised with ``torch.linalg.eigvalsh``.
    Its negative eigenvalues count the index of a critical point (Choromanska et al. 2015, §4).

    Examples
    --------
    >>> import torch
    >>> from landscape.spin_glass import hamiltonian as spin_glass
    >>> g = torch.Generator().manual_seed(0)
    >>> c = spin_glass.sample_couplings(10, 3, g, dtype=torch.float64)
    >>> hessian_spectrum(c, spin_glass.random_sphere_points(2, 10, g, dtype=torch.float64)).shape
    torch.Size([2, 9])
    """
    import torch

    _check_couplings(couplings)
    w = _as_points("w", couplings, w)
    batch_size = _validate.integer("batch_size", batch_size, minimum=1)
    radius2 = (w * w).sum(dim=1) / couplings.Lambda
    if bool(((radius2 - 1.0).abs() > 1e-3).any()):
        raise ValueError("`w` must lie on the sphere |w|^2 = Λ (relative tolerance 1e-3); use project_to_sphere")
    if couplings.Lambda < 2:
        raise ValueError("`couplings` must have Lambda >= 2 for a non-trivial tangent space")
    c = _matching(couplings, w)
    out = []
    with torch.no_grad():
        for start in range(0, w.shape[0], batch_size):
            Hm = hessian(c, w[start:start + batch_size], check_sphere=False)
            out.append(torch.linalg.eigvalsh(Hm))
    return torch.cat(out)


def index(eigenvalues, tol):
    """Number of eigenvalues below ``-tol`` in each row: the index of a critical point.

    Parameters
    ----------
    eigenvalues : torch.Tensor or array (B, n)   e.g. from :func:`hessian_spectrum`
    tol : float >= 0    eigenvalues in [−tol, 0) count as zero (numerical noise)

    Returns
    -------
    torch.Tensor (B,) of int64

    Examples
    --------
    >>> import torch
    >>> index(torch.tensor([[-1.0, -1e-9, 2.0], [0.5, 1.0, 3.0]]), 1e-6).tolist()
    [1, 0]
    """
    import torch

    tol = _validate.positive_float("tol", tol, allow_zero=True)
    if not isinstance(eigenvalues, torch.Tensor):
        eigenvalues = torch.as_tensor(_validate.finite_array("eigenvalues", eigenvalues))
    if eigenvalues.ndim != 2:
        raise ValueError(f"`eigenvalues` must have shape (B, n); got {tuple(eigenvalues.shape)}")
    if not bool(torch.isfinite(eigenvalues).all()):
        raise ValueError("`eigenvalues` must contain only finite numbers")
    return (eigenvalues < -tol).sum(dim=1)


def descent_experiment(Lambda, H, n_starts, n_draws=1, generator=None, *, dtype=None,
                       grad_tol_rms=1e-4, max_steps=5000, index_tol=1e-3, hessian=True,
                       continue_saddles=None, max_bytes=None, progress=False):
    """Descend from random starts on ``n_draws`` independent spin glasses; one row per end point.

    For each draw of couplings, ``n_starts`` uniform points on the sphere are minimised in one
    batch with :func:`minimise` (stopping when the Riemannian gradient norm is at most
    ``grad_tol_rms·√Λ``, i.e. an RMS of ``grad_tol_rms`` per coordinate), and — with
    ``hessian=True`` — the Riemannian Hessian spectrum at every end point is computed in
    float64 to give the index (eigenvalues below ``-index_tol`` count as negative; the
    paper set |λ| < 0.001 to zero) and the smallest curvature.

    Parameters
    ----------
    Lambda : int >= 2;  H : int >= 2;  n_starts : int >= 1;  n_draws : int >= 1
    generator : torch.Generator, optional   source of couplings and starts (its device is used)
    dtype : torch dtype of the descent (default float32)
    grad_tol_rms, index_tol : float;  max_steps : int
    hessian : bool    compute the index at every end point
    continue_saddles : float > 1, optional   (needs ``hessian``) continue every end point of
        index > 0 in float64 with the tolerance ``grad_tol_rms/continue_saddles`` (same
        ``max_steps``) and classify it again: columns index_continued, energy_continued
        (H/Λ), steps_continued, converged_continued (for end points of index 0 they repeat the
        first result).  This tells an end point that the stopping rule caught on a slow, nearly
        flat stretch (it continues to a minimum) from a genuine saddle (it stays, or leaves
        downhill to a point of another index).
    max_bytes : int, optional   passed to :func:`landscape.spin_glass.hamiltonian.sample_couplings`
    progress : bool   tqdm bar over the draws

    Returns
    -------
    pandas.DataFrame with columns Lambda, draw, energy (H/Λ), grad_norm, steps, converged,
    and (with ``hessian``) index, lambda_min, lambda_max (and with ``continue_saddles`` the
    ``*_continued`` columns).

    Notes
    -----
    The experiment of Choromanska et al. (2015), §5.1 and Figs. 3 (left) and 8 (top): they
    report 1000 starts per Λ; the number of coupling draws is not stated.
    """
    import pandas as pd
    import torch

    from landscape.spin_glass import hamiltonian as spin_glass

    Lambda = _validate.integer("Lambda", Lambda, minimum=2)
    H = _validate.integer("H", H, minimum=2)
    n_starts = _validate.integer("n_starts", n_starts, minimum=1)
    n_draws = _validate.integer("n_draws", n_draws, minimum=1)
    grad_tol_rms = _validate.positive_float("grad_tol_rms", grad_tol_rms)
    index_tol = _validate.positive_float("index_tol", index_tol, allow_zero=True)
    if continue_saddles is not None:
        continue_saddles = _validate.positive_float("continue_saddles", continue_saddles)
        if continue_saddles <= 1:
            raise ValueError(f"`continue_saddles` must be > 1 (a tolerance factor); got {continue_saddles}")
        if not hessian:
            raise ValueError("`continue_saddles` needs `hessian=True` (the index decides which end points continue)")
    dtype = dtype or torch.float32
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    frames = []
    draws = range(n_draws)
    if progress:
        from landscape.progress import progress_bar

        draws = progress_bar(draws, desc=f"Λ={Lambda}")
    for d in draws:
        c = spin_glass.sample_couplings(Lambda, H, generator, dtype=dtype, **kwargs)
        w0 = spin_glass.random_sphere_points(n_starts, Lambda, generator, dtype=dtype)
        res = minimise(c, w0, grad_tol=grad_tol_rms * math.sqrt(Lambda), max_steps=max_steps)
        row = {
            "Lambda": Lambda, "draw": d,
            "energy": (res.energy.double() / Lambda).cpu().numpy(),
            "grad_norm": res.grad_norm.double().cpu().numpy(),
            "steps": res.steps.cpu().numpy(),
            "converged": res.converged.cpu().numpy(),
        }
        if hessian:
            c64 = Couplings(tensor=c.tensor.double(), Lambda=Lambda, H=H)
            del c
            ev = hessian_spectrum(c64, res.w.double(), batch_size=max(1, 2**24 // Lambda**2))
            row["index"] = index(ev, index_tol).cpu().numpy()
            row["lambda_min"] = ev[:, 0].cpu().numpy()
            row["lambda_max"] = ev[:, -1].cpu().numpy()
            if continue_saddles is not None:
                row.update(_continue_saddles(c64, res, row, grad_tol_rms / continue_saddles,
                                             max_steps, index_tol))
            del c64, ev
        frames.append(pd.DataFrame(row))
    return pd.concat(frames, ignore_index=True)


def _continue_saddles(c64, res, row, grad_tol_rms, max_steps, index_tol) -> dict:
    """Columns ``*_continued`` of :func:`descent_experiment`: end points of index > 0 descended
    further in float64 with the smaller tolerance, then classified again."""
    Lambda = c64.Lambda
    out = {"index_continued": row["index"].copy(), "energy_continued": row["energy"].copy(),
           "steps_continued": np.zeros(len(row["index"]), dtype=np.int64),
           "converged_continued": row["converged"].copy()}
    saddles = np.flatnonzero(row["index"] > 0)
    if saddles.size:
        more = minimise(c64, res.w[saddles].double(), grad_tol=grad_tol_rms * math.sqrt(Lambda),
                        max_steps=max_steps)
        ev2 = hessian_spectrum(c64, more.w, batch_size=max(1, 2**24 // Lambda**2))
        out["index_continued"][saddles] = index(ev2, index_tol).cpu().numpy()
        out["energy_continued"][saddles] = (more.energy / Lambda).cpu().numpy()
        out["steps_continued"][saddles] = more.steps.cpu().numpy()
        out["converged_continued"][saddles] = more.converged.cpu().numpy()
    return out
