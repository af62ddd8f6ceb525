"""The H-spin spherical spin glass and the effective number of weights Λ.

The Hamiltonian (Choromanska et al. 2015, eq. (2); Becker et al. 2020, eq. (3) with
the index range corrected to i_1..i_H) is

.. math::  \\mathcal H_\\Lambda(w) = \\Lambda^{-(H-1)/2} \\sum_{i_1..i_H=1}^{\\Lambda} X_{i_1..i_H} w_{i_1}\\cdots w_{i_H},
           \\qquad \\|w\\|^2 = \\Lambda,

with i.i.d. standard normal couplings, so that
:math:`\\mathbb E\\,\\mathcal H(w)\\mathcal H(w') = \\Lambda (w\\cdot w'/\\Lambda)^H`.

All tensor code is torch and batched over points ``w`` of shape ``(B, Λ)``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations

import numpy as np

from landscape import _validate

__all__ = [
    "hidden_width",
    "parameter_count",
    "effective_weights",
    "effective_weights_arxiv",
    "effective_weights_arxiv_as_printed",
    "parameter_count_arxiv",
    "Couplings",
    "coupling_memory_bytes",
    "sample_couplings",
    "random_sphere_points",
    "project_to_sphere",
    "derivatives",
    "energy",
    "gradient",
    "hessian",
    "tangent_basis",
    "covariance",
    "energy_samples",
]

#: Refuse coupling tensors larger than this many bytes unless told otherwise.
MAX_COUPLING_BYTES = 8 * 2**30


# ---------------------------------------------------------------------------------------
# Λ as a function of the architecture (Becker et al. eq. (4), both versions)
# ---------------------------------------------------------------------------------------
def _depth_and_sizes(N_e, H, n0):
    N_e = np.asarray(N_e, dtype=float)
    H = np.asarray(H, dtype=float)
    n0 = np.asarray(n0, dtype=float)
    if not np.all(np.isfinite(N_e)) or np.any(N_e <= 0):
        raise ValueError(f"`N_e` must be a positive number of parameters; got {N_e!r}")
    if not np.all(np.isfinite(H)) or np.any(H < 2) or np.any(H != np.round(H)):
        raise ValueError(f"`H` must be an integer >= 2 (number of weight layers); got {H!r}")
    if not np.all(np.isfinite(n0)) or np.any(n0 <= 0):
        raise ValueError(f"`n0` must be a positive input size; got {n0!r}")
    return N_e, H, n0


def _scalar_or_array(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def hidden_width(N_e, H, n0):
    """Hidden width n1 (real-valued) of a net with H−1 equal hidden layers and N_e weights.

    Solves :math:`N_e = (H-2) n_1^2 + (n_0+1) n_1` (Becker et al. 2020, text above eq. (4))
    for the positive root; for ``H = 2`` the equation is linear, :math:`n_1 = N_e/(n_0+1)`.
    """
    N_e, H, n0 = _depth_and_sizes(N_e, H, n0)
    a = H - 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        # root written as 2c / (b + sqrt(b^2 + 4ac)) so that a -> 0 (H = 2) is exact, no cancellation
        n1 = 2.0 * N_e / ((n0 + 1.0) + np.sqrt((n0 + 1.0) ** 2 + 4.0 * a * N_e))
    return _scalar_or_array(n1)


def parameter_count(n1, H, n0):
    """Number of weights :math:`N_e = (H-2) n_1^2 + (n_0+1) n_1` (no biases, scalar output)."""
    n1 = np.asarray(n1, dtype=float)
    if np.any(n1 <= 0):
        raise ValueError(f"`n1` must be positive; got {n1!r}")
    _, H, n0 = _depth_and_sizes(1.0, H, n0)
    return _scalar_or_array((H - 2.0) * n1**2 + (n0 + 1.0) * n1)


def effective_weights(N_e, H, n0):
    """Λ(N_e, H, n0) of Becker et al. 2020 (PRL), eq. (4).

    .. math:: \\Lambda = n_1^{(H-1)/H} n_0^{1/H},\\quad
              n_1 = \\frac{\\sqrt{n_0(n_0+2) + 4(H-2)N_e + 1} - (n_0+1)}{2(H-2)}

    i.e. the H-th root of the number of input–output paths :math:`\\Psi = n_0 n_1^{H-1}`.

    Parameters
    ----------
    N_e : float or array, > 0   number of weights
    H : int or array, >= 2      number of weight layers (H − 1 hidden layers)
    n0 : float or array, > 0    input size

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(effective_weights(726, 3, 10), 10)   # two hidden layers of 22: (22^2 * 10)^(1/3)
    16.9153811162
    """
    n1 = np.asarray(hidden_width(N_e, H, n0))
    H = np.asarray(H, dtype=float)
    n0 = np.asarray(n0, dtype=float)
    return _scalar_or_array(np.exp(((H - 1.0) * np.log(n1) + np.log(n0)) / H))


def parameter_count_arxiv(n0, H):
    """:math:`N_e = (H-1) n_0^2 + n_0` (arXiv:1808.00408v1: every layer but the output has n0 units)."""
    n0 = np.asarray(n0, dtype=float)
    H = np.asarray(H, dtype=float)
    return _scalar_or_array((H - 1.0) * n0**2 + n0)


def effective_weights_arxiv(N_e, H):
    """Λ of the arXiv version (eq. (4) there), with the sign of the square-root term corrected.

    With all layers of width n0 and a scalar output, :math:`\\Psi = n_0^H`, so Λ = n0, the
    positive root of :math:`(H-1)n_0^2 + n_0 = N_e`:
    :math:`\\Lambda = (\\sqrt{4N_e(H-1)+1} - 1)/(2(H-1))`.  The arXiv text prints ``+ 1``.
    """
    N_e, H, _ = _depth_and_sizes(N_e, H, 1.0)
    return _scalar_or_array((np.sqrt(4.0 * N_e * (H - 1.0) + 1.0) - 1.0) / (2.0 * (H - 1.0)))


def effective_weights_arxiv_as_printed(N_e, H):
    """The arXiv eq. (4) exactly as printed: :math:`(\\sqrt{4N_e(H-1)+1} + 1)/(2(H-1))`."""
    N_e, H, _ = _depth_and_sizes(N_e, H, 1.0)
    return _scalar_or_array((np.sqrt(4.0 * N_e * (H - 1.0) + 1.0) + 1.0) / (2.0 * (H - 1.0)))


# ---------------------------------------------------------------------------------------
# Couplings and the Hamiltonian on the sphere
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Couplings:
    """Symmetrised coupling tensor of an H-spin spherical spin glass.

    ``tensor`` is the symmetrisation of i.i.d. N(0, 1) couplings; symmetrising leaves the
    Hamiltonian unchanged and makes the derivatives single contractions.
    """

    tensor: object  # torch.Tensor of shape (Λ,)*H
    Lambda: int
    H: int

    @property
    def scale(self) -> float:
        """The normalisation :math:`\\Lambda^{-(H-1)/2}` of eq. (2)."""
        return self.Lambda ** (-(self.H - 1) / 2.0)


def coupling_memory_bytes(Lambda: int, H: int, dtype_bytes: int = 4) -> int:
    """Bytes needed for the Λ^H coupling tensor (twice that while it is being symmetrised)."""
    return int(Lambda) ** int(H) * dtype_bytes


def sample_couplings(Lambda, H, generator=None, *, device=None, dtype=None,
                     max_bytes: int = MAX_COUPLING_BYTES) -> Couplings:
    """Draw i.i.d. N(0,1) couplings X_{i1..iH} and symmetrise them.

    Parameters
    ----------
    Lambda : int >= 1   dimension Λ
    H : int >= 2        order of the interaction
    generator : torch.Generator, optional   the source of randomness (its device is used)
    max_bytes : int     refuse tensors that need more memory than this (with a clear message)
    """
    import torch

    Lambda = _validate.integer("Lambda", Lambda, minimum=1)
    H = _validate.integer("H", H, minimum=2)
    dtype = dtype or torch.float32
    itemsize = torch.empty((), dtype=dtype).element_size()
    need = 2 * coupling_memory_bytes(Lambda, H, itemsize)
    if need > max_bytes:
        raise ValueError(
            f"`Lambda`={Lambda} with `H`={H} needs {need / 2**30:.1f} GiB for the couplings "
            f"(Λ^H entries, twice while symmetrising), more than max_bytes={max_bytes / 2**30:.1f} GiB; "
            "use a smaller Lambda or pass a larger max_bytes")
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    raw = torch.randn((Lambda,) * H, generator=generator, device=device, dtype=dtype)
    sym = torch.zeros_like(raw)
    perms = list(permutations(range(H)))
    for p in perms:
        sym += raw.permute(p)
    sym /= len(perms)
    return Couplings(tensor=sym, Lambda=Lambda, H=H)


def random_sphere_points(batch, Lambda, generator=None, *, device=None, dtype=None):
    """``batch`` points uniform on the sphere of radius √Λ, shape (batch, Λ)."""
    import torch

    batch = _validate.integer("batch", batch, minimum=1)
    Lambda = _validate.integer("Lambda", Lambda, minimum=1)
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    w = torch.randn(batch, Lambda, generator=generator, device=device, dtype=dtype or torch.float32)
    return project_to_sphere(w)


def project_to_sphere(w):
    """Rescale each row of ``w`` to norm √Λ."""
    Lambda = w.shape[-1]
    return w * (math.sqrt(Lambda) / w.norm(dim=-1, keepdim=True))


def _check_points(couplings: Couplings, w, on_sphere: bool, rtol: float = 1e-3):
    import torch

    if not isinstance(w, torch.Tensor):
        raise ValueError("`w` must be a torch tensor of shape (B, Λ)")
    if w.ndim != 2 or w.shape[1] != couplings.Lambda:
        raise ValueError(f"`w` must have shape (B, {couplings.Lambda}); got {tuple(w.shape)}")
    if on_sphere:
        radius2 = (w * w).sum(dim=1) / couplings.Lambda
        bad = (radius2 - 1.0).abs() > rtol
        if bool(bad.any()):
            raise ValueError(
                f"`w` must lie on the sphere |w|^2 = Λ (relative tolerance {rtol}); "
                f"{int(bad.sum())} of {w.shape[0]} rows do not (use project_to_sphere)")


def derivatives(couplings: Couplings, w, order: int = 2):
    """Energy, Euclidean gradient and Euclidean Hessian of eq. (2) at a batch of points.

    Returns ``(E, g, Hess)`` with shapes (B,), (B, Λ), (B, Λ, Λ); entries beyond ``order``
    are ``None``.  Uses the symmetric tensor: ∇E = H s T·w^{H−1}, ∇²E = H(H−1) s T·w^{H−2}.
    """
    import torch

    order = _validate.integer("order", order, minimum=0, maximum=2)
    _check_points(couplings, w, on_sphere=False)
    T = couplings.tensor.to(dtype=w.dtype)
    L, H, s = couplings.Lambda, couplings.H, couplings.scale
    B = w.shape[0]
    # contract slots one at a time; the first contraction is one (B, Λ) x (Λ, Λ^{H-1}) matmul
    if H == 2:
        mat = T.expand(B, L, L)
    else:
        t = (w @ T.reshape(L, -1)).reshape(B, L, -1)  # (B, Λ, Λ^{H-2})
        for _ in range(H - 3):
            t = torch.einsum("bk,bikr->bir", w, t.reshape(B, L, L, -1)).reshape(B, L, -1)
        mat = t.reshape(B, L, L)  # T·w^{H-2}
    vec = torch.einsum("bij,bj->bi", mat, w)  # T·w^{H-1}
    E = s * (vec * w).sum(dim=1)
    g = H * s * vec if order >= 1 else None
    hess = H * (H - 1) * s * mat if order >= 2 else None
    return E, g, hess


def energy(couplings: Couplings, w):
    """The Hamiltonian eq. (2) at each row of ``w`` (B, Λ); returns shape (B,)."""
    return derivatives(couplings, w, order=0)[0]


def gradient(couplings: Couplings, w, *, check_sphere: bool = True):
    """Riemannian gradient on the sphere |w|² = Λ: the Euclidean gradient minus its radial part."""
    if check_sphere:
        _check_points(couplings, w, on_sphere=True)
    _, g, _ = derivatives(couplings, w, order=1)
    radial = (g * w).sum(dim=1, keepdim=True) / couplings.Lambda
    return g - radial * w


def tangent_basis(w):
    """Orthonormal bases of the tangent spaces at the rows of ``w``: shape (B, Λ, Λ−1).

    Uses the Householder reflection that maps w/|w| to ±e_1; its other columns span w^⊥.
    """
    import torch

    B, L = w.shape
    u = w / w.norm(dim=1, keepdim=True)
    sign = torch.where(u[:, :1] >= 0, 1.0, -1.0).to(w.dtype)
    v = u.clone()
    v[:, 0] += sign[:, 0]  # v = u + sign(u_1) e_1 avoids cancellation
    v = v / v.norm(dim=1, keepdim=True)
    eye = torch.eye(L, dtype=w.dtype, device=w.device).expand(B, L, L)
    Q = eye - 2.0 * v[:, :, None] * v[:, None, :]
    return Q[:, :, 1:]


def hessian(couplings: Couplings, w, *, tangent: bool = True, check_sphere: bool = True):
    """Riemannian Hessian of eq. (2) on the sphere of radius √Λ.

    .. math:: \\mathrm{Hess}\\,\\mathcal H(w) = P\\,\\big(\\nabla^2\\mathcal H - \\tfrac{w\\cdot\\nabla\\mathcal H}{\\Lambda} I\\big)\\,P,
              \\quad P = I - ww^T/\\Lambda.

    With ``tangent=True`` (default) it is returned in an orthonormal basis of the tangent
    space, shape (B, Λ−1, Λ−1), so its eigenvalues are exactly the Λ−1 curvatures and the
    index is the number of negative ones.  With ``tangent=False`` the ambient (B, Λ, Λ)
    matrix is returned (with a zero eigenvalue along w).
    """
    if check_sphere:
        _check_points(couplings, w, on_sphere=True)
    _, g, hess = derivatives(couplings, w, order=2)
    radial = (g * w).sum(dim=1) / couplings.Lambda  # = H * E / Λ for a homogeneous form
    basis = tangent_basis(w)
    inner = basis.transpose(1, 2) @ hess @ basis
    inner = inner - radial[:, None, None] * _eye_like(inner)
    if tangent:
        return 0.5 * (inner + inner.transpose(1, 2))
    full = basis @ inner @ basis.transpose(1, 2)
    return 0.5 * (full + full.transpose(1, 2))


def _eye_like(batch_mats):
    import torch

    n = batch_mats.shape[-1]
    return torch.eye(n, dtype=batch_mats.dtype, device=batch_mats.device).expand_as(batch_mats)


def covariance(w, w_prime, Lambda, H):
    """:math:`\\mathbb E\\,\\mathcal H(w)\\mathcal H(w') = \\Lambda\\,(w\\cdot w'/\\Lambda)^H` (numpy, vectorised)."""
    Lambda = _validate.integer("Lambda", Lambda, minimum=1)
    H = _validate.integer("H", H, minimum=2)
    w = np.asarray(w, dtype=float)
    w_prime = np.asarray(w_prime, dtype=float)
    overlap = (w * w_prime).sum(axis=-1) / Lambda
    return Lambda * overlap**H


def energy_samples(Lambda, H, points, n_samples, generator=None, chunk: int = 4096):
    """Energies of ``points`` (P, Λ) under ``n_samples`` independent coupling draws: shape (n_samples, P).

    The Hamiltonian is linear in the raw i.i.d. couplings, so each draw costs one
    (Λ^H,)·(Λ^H, P) product against the precomputed tensor powers of the points.
    """
    import torch

    Lambda = _validate.integer("Lambda", Lambda, minimum=1)
    H = _validate.integer("H", H, minimum=2)
    n_samples = _validate.integer("n_samples", n_samples, minimum=1)
    pts = torch.as_tensor(points, dtype=torch.float64)
    if pts.ndim != 2 or pts.shape[1] != Lambda:
        raise ValueError(f"`points` must have shape (P, {Lambda}); got {tuple(pts.shape)}")
    if Lambda**H > 2_000_000:
        raise ValueError(f"`Lambda`^`H` = {Lambda**H} is too large for explicit coupling samples (max 2e6)")
    powers = pts
    for _ in range(H - 1):  # rows: w^{⊗k} flattened
        powers = (powers[:, :, None] * pts[:, None, :]).reshape(pts.shape[0], -1)
    device = generator.device if generator is not None else torch.device("cpu")
    powers = powers.to(device)
    scale = Lambda ** (-(H - 1) / 2.0)
    out = []
    done = 0
    while done < n_samples:
        m = min(chunk, n_samples - done)
        X = torch.randn(m, Lambda**H, generator=generator, device=device, dtype=torch.float64)
        out.append(scale * X @ powers.T)
        done += m
    return torch.cat(out).cpu().numpy()
