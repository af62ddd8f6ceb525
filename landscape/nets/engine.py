"""Batched closed-form derivatives of one-hidden-layer networks, each run with its own data.

A *run* is a network :math:`f(X) = \\sigma(X W_1) W_2` (no biases; :math:`W_1` is
:math:`n_0\\times n_1`, :math:`W_2` is :math:`n_1\\times n_2`) with its own inputs
:math:`X` (m × n_0) and targets :math:`Y` (m × n_2), and the loss

.. math:: L(\\theta) = \\frac1{2m}\\,\\lVert \\sigma(XW_1)W_2 - Y\\rVert_F^2 ,

``networks.loss(kind="mse")`` of ``networks.MLP((n0, n1, n2), bias=False)``, whose flat
parameter layout ``θ = [vec W_1, vec W_2]`` (row-major) is used here too. Every function takes
a batch of runs — ``thetas`` (B, P), ``X`` (B, m, n0), ``Y`` (B, m, n2) — and is written as
batched matrix products (``bmm``/``einsum``), so that a batch of thousands of runs is a handful
of large kernels instead of thousands of small ones (no Python loop over runs, no ``vmap``
dispatch). A single run is a batch of one.

:data:`ACTIVATIONS` is the package's one table of activations with their first and second
derivatives (σ, σ′, σ″).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from landscape import _validate

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "activation",
    "shapes",
    "split",
    "loss",
    "loss_grad",
    "hvp",
    "loss_grad_hvp",
    "loss_grad_hgrad",
    "hessian",
    "loss_grad_hessian",
    "flops",
]


@dataclass(frozen=True)
class Activation:
    """An activation σ with closed-form σ′ and σ″: the package's one definition of each.

    * ``value(Z)`` is σ(Z), one kernel (what forward passes call);
    * ``slope(Z, A)`` is σ′(Z) given ``A = σ(Z)`` from the forward pass, which tanh and sigmoid
      reuse (σ′ = 1 − A², A(1 − A)) so that backpropagation costs no second transcendental;
    * ``derivatives(Z)`` returns ``(σ(Z), σ′(Z), σ″(Z))`` from one evaluation (Hessians).

    ReLU uses the derivatives autodiff uses: σ′(0) = 0 and σ″ = 0 (its second derivative is a
    point mass at 0, invisible to a loss evaluated off the kinks, which is where every sampled
    point lies with probability one). :mod:`landscape.nets.networks`,
    :mod:`landscape.nets.ensembles` and :mod:`landscape.nets.wide` all evaluate σ through this
    table; tests hold every entry against autodiff.
    """

    name: str
    value: Callable
    slope: Callable
    derivatives: Callable

    def __call__(self, Z):
        return self.value(Z)

    def numpy(self, z):
        """σ(z) for a float64 numpy array (evaluated by the same torch kernel as :attr:`value`)."""
        import numpy as np
        import torch

        return self.value(torch.from_numpy(np.asarray(z, dtype=np.float64))).numpy()


def _tanh(Z):
    import torch

    A = torch.tanh(Z)
    S = 1 - A * A
    return A, S, -2 * A * S


def _sigmoid(Z):
    import torch

    A = torch.sigmoid(Z)
    S = A * (1 - A)
    return A, S, S * (1 - 2 * A)


def _softplus(Z):
    import torch

    A = torch.nn.functional.softplus(Z)
    S = torch.sigmoid(Z)
    return A, S, S * (1 - S)


def _relu(Z):
    import torch

    S = (Z > 0).to(Z.dtype)
    return Z * S, S, torch.zeros_like(Z)


def _linear(Z):
    import torch

    return Z, torch.ones_like(Z), torch.zeros_like(Z)


# σ alone and σ′ given (Z, A = σ(Z)); torch is imported inside so that importing this module stays light
def _tanh_value(Z):
    import torch

    return torch.tanh(Z)


def _tanh_slope(Z, A):
    return 1 - A * A


def _sigmoid_value(Z):
    import torch

    return torch.sigmoid(Z)


def _sigmoid_slope(Z, A):
    return A * (1 - A)


def _softplus_value(Z):
    import torch

    return torch.nn.functional.softplus(Z)


def _softplus_slope(Z, A):
    import torch

    return torch.sigmoid(Z)


def _relu_value(Z):
    import torch

    return torch.relu(Z)


def _relu_slope(Z, A):
    return (Z > 0).to(Z.dtype)


def _linear_value(Z):
    return Z


def _linear_slope(Z, A):
    import torch

    return torch.ones_like(Z)


#: name → :class:`Activation` (σ, σ′ from σ, and (σ, σ′, σ″)).
ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("tanh", _tanh_value, _tanh_slope, _tanh),
    Activation("relu", _relu_value, _relu_slope, _relu),
    Activation("linear", _linear_value, _linear_slope, _linear),
    Activation("sigmoid", _sigmoid_value, _sigmoid_slope, _sigmoid),
    Activation("softplus", _softplus_value, _softplus_slope, _softplus),
)}


def activation(name: str) -> Activation:
    """The :class:`Activation` called ``name`` (one of :data:`ACTIVATIONS`)."""
    return ACTIVATIONS[_validate.choice("activation", name, tuple(ACTIVATIONS))]


def shapes(thetas, X, Y):
    """Validate a batch and return ``(n0, n1, n2)``.

    Parameters
    ----------
    thetas : (B, P) tensor; X : (B, m, n0); Y : (B, m, n2), P = n1 (n0 + n2)
    """
    if thetas.ndim != 2:
        raise ValueError(f"`thetas` must be (runs, P); got shape {tuple(thetas.shape)}")
    if X.ndim != 3 or Y.ndim != 3 or X.shape[:2] != Y.shape[:2] or X.shape[0] != thetas.shape[0]:
        raise ValueError(f"`X` and `Y` must be (runs, m, n) with the runs of `thetas` ({thetas.shape[0]}) "
                         f"and equal m; got {tuple(X.shape)}, {tuple(Y.shape)}")
    n0, n2 = X.shape[2], Y.shape[2]
    P = thetas.shape[1]
    if P % (n0 + n2) or P == 0:
        raise ValueError(f"`thetas` must have n1 (n0 + n2) = n1·{n0 + n2} entries per run; got {P}")
    if not (thetas.dtype == X.dtype == Y.dtype):
        raise ValueError(f"`thetas`, `X`, `Y` must share a dtype; got {thetas.dtype}, {X.dtype}, {Y.dtype}")
    return n0, P // (n0 + n2), n2


def split(thetas, n0, n1, n2):
    """``W1`` (B, n0, n1) and ``W2`` (B, n1, n2): views of ``thetas`` (B, P) in the MLP layout."""
    B = thetas.shape[0]
    return thetas[:, : n0 * n1].reshape(B, n0, n1), thetas[:, n0 * n1:].reshape(B, n1, n2)


def _forward(thetas, X, Y, name, order=2):
    # order: how many derivatives of σ the caller uses (the loss needs none, the gradient σ′)
    n0, n1, n2 = shapes(thetas, X, Y)
    W1, W2 = split(thetas, n0, n1, n2)
    act, Z = activation(name), X @ W1
    if order == 2:
        A, S, S2 = act.derivatives(Z)
    else:
        A = act.value(Z)
        S, S2 = (act.slope(Z, A) if order == 1 else None), None
    R = A @ W2 - Y
    return (n0, n1, n2), W1, W2, A, S, S2, R


def _grad(X, W2, A, S, R, m):
    """∇L: ∂L/∂W2 = AᵀR/m, ∂L/∂W1 = Xᵀ((R W2ᵀ) ⊙ σ′)/m, flattened as [vec W1, vec W2]."""
    import torch

    B = X.shape[0]
    gW2 = A.transpose(1, 2) @ R / m
    gW1 = X.transpose(1, 2) @ ((R @ W2.transpose(1, 2)) * S) / m
    return torch.cat([gW1.reshape(B, gW1.shape[1] * gW1.shape[2]), gW2.reshape(B, gW2.shape[1] * gW2.shape[2])], dim=1)


def loss(thetas, X, Y, activation="tanh"):
    """L(θ) = (1/2m)|σ(XW1)W2 − Y|² of every run, shape (B,)."""
    _, _, _, _, _, _, R = _forward(thetas, X, Y, activation, order=0)
    return 0.5 * (R * R).sum((1, 2)) / X.shape[1]


def loss_grad(thetas, X, Y, activation="tanh"):
    """Losses (B,) and gradients (B, P) of every run.

    Notes
    -----
    With Z = XW1, A = σ(Z), S = σ′(Z), R = AW2 − Y (back-propagation written out):
    ∂L/∂W2 = AᵀR/m and ∂L/∂W1 = Xᵀ((RW2ᵀ) ⊙ S)/m.
    """
    _, _, W2, A, S, _, R = _forward(thetas, X, Y, activation, order=1)
    m = X.shape[1]
    return 0.5 * (R * R).sum((1, 2)) / m, _grad(X, W2, A, S, R, m)


def _hvp(X, W2, A, S, S2, R, V, dims, m):
    """H V from the forward quantities of one pass (Pearlmutter's R-operator written out)."""
    import torch

    n0, n1, n2 = dims
    B = X.shape[0]
    V1, V2 = split(V, n0, n1, n2)
    W2t = W2.transpose(1, 2)
    G = R @ W2t
    dZ = X @ V1
    dA = S * dZ
    dR = dA @ W2 + A @ V2
    hW2 = (dA.transpose(1, 2) @ R + A.transpose(1, 2) @ dR) / m
    dG = dR @ W2t + R @ V2.transpose(1, 2)
    hW1 = X.transpose(1, 2) @ (dG * S + G * S2 * dZ) / m
    return torch.cat([hW1.reshape(B, n0 * n1), hW2.reshape(B, n1 * n2)], 1)


def loss_grad_hvp(thetas, X, Y, V, activation="tanh"):
    """``(L, ∇L, H V)`` of every run from one forward pass; V (B, P).

    Notes
    -----
    The Hessian-vector product is the directional derivative of the closed-form gradient along
    V (Pearlmutter's R-operator): with dZ = X V1, dA = S ⊙ dZ, dR = dA W2 + A V2 and
    G = RW2ᵀ, dG = dR W2ᵀ + R V2ᵀ,

    * (HV)_{W2} = (dAᵀR + AᵀdR)/m,
    * (HV)_{W1} = Xᵀ(dG ⊙ S + G ⊙ σ″ ⊙ dZ)/m.
    """
    dims, _, W2, A, S, S2, R = _forward(thetas, X, Y, activation)
    if V.shape != thetas.shape:
        raise ValueError(f"`V` must have the shape of `thetas` {tuple(thetas.shape)}; got {tuple(V.shape)}")
    m = X.shape[1]
    return (0.5 * (R * R).sum((1, 2)) / m, _grad(X, W2, A, S, R, m), _hvp(X, W2, A, S, S2, R, V, dims, m))


def loss_grad_hgrad(thetas, X, Y, activation="tanh"):
    """``(L, ∇L, H∇L)`` of every run from one forward pass.

    H∇L = ½∇|∇L|² is the gradient of J = |∇L|² (up to a factor 2) and the right-hand side of a
    Gauss–Newton step on the gradient; computing it with the gradient saves a second forward
    pass (see :func:`loss_grad_hvp` for the formulas).
    """
    dims, _, W2, A, S, S2, R = _forward(thetas, X, Y, activation)
    m = X.shape[1]
    g = _grad(X, W2, A, S, R, m)
    return 0.5 * (R * R).sum((1, 2)) / m, g, _hvp(X, W2, A, S, S2, R, g, dims, m)


def hvp(thetas, X, Y, V, activation="tanh"):
    """Hessian-vector products H(θ_b) V_b of every run, shape (B, P) (no Hessian is formed)."""
    return loss_grad_hvp(thetas, X, Y, V, activation)[2]


def loss_grad_hessian(thetas, X, Y, activation="tanh"):
    """``(L, ∇L, H)`` of every run from one forward pass; H is (B, P, P), exact, in closed form.

    Notes
    -----
    With Z = XW1, A = σ(Z), S = σ′(Z), S2 = σ″(Z), R = AW2 − Y, G = RW2ᵀ, K = W2W2ᵀ and the
    per-example Jacobian rows U_μ,(a,j) = X_μa S_μj of Z-space:

    * ∂²L/∂W2_kl ∂W2_k′l′ = (AᵀA)_kk′ δ_ll′ / m,
    * ∂²L/∂W1_aj ∂W2_kl = (1/m) Σ_μ X_μa S_μj (A_μk W2_jl + δ_jk R_μl),
    * ∂²L/∂W1_aj ∂W1_bk = (1/m) [(UᵀU)_(aj),(bk) K_jk + δ_jk Σ_μ X_μa X_μb S2_μj G_μj].

    Each block is one batched matrix product (UᵀU, UᵀA, UᵀR, (X ⊙ S2G)ᵀX). The terms with R
    and S2 are H1 of {cite:t}`pennington2017` eq. (4); the rest is the Gauss–Newton part H0,
    eq. (3).
    """
    import torch

    (n0, n1, n2), W1, W2, A, S, S2, R = _forward(thetas, X, Y, activation)
    B, m = X.shape[0], X.shape[1]
    n01, n12 = n0 * n1, n1 * n2
    P = n01 + n12
    G = R @ W2.transpose(1, 2)
    U = (X[:, :, :, None] * S[:, :, None, :]).reshape(B, m, n01)
    Ut = U.transpose(1, 2) / m                  # the 1/m of L on the small factor, not on H
    H = thetas.new_empty(B, P, P)
    # W1–W1 block: Gauss–Newton part (UᵀU) ⊙ K, and the diagonal-in-j residual part
    K = W2 @ W2.transpose(1, 2)
    H11 = H[:, :n01, :n01].view(B, n0, n1, n0, n1)
    torch.mul((Ut @ U).view(B, n0, n1, n0, n1), K[:, None, :, None, :], out=H11)
    D = (X[:, :, :, None] * (S2 * G)[:, :, None, :]).reshape(B, m, n01)
    E = (D.transpose(1, 2) @ X).view(B, n0, n1, n0) / m         # Σ_μ X_μa S2G_μj X_μb / m
    H11.diagonal(dim1=2, dim2=4).add_(E.permute(0, 1, 3, 2))    # (B, n0, n0, n1) at j = k
    # W1–W2 block
    T = (Ut @ A).view(B, n0, n1, n1)                             # Σ_μ X_μa S_μj A_μk / m
    H12 = H[:, :n01, n01:].view(B, n0, n1, n1, n2)
    torch.mul(T[..., None], W2[:, None, :, None, :], out=H12)
    H12.diagonal(dim1=2, dim2=3).add_((Ut @ R).view(B, n0, n1, n2).transpose(2, 3))
    H[:, n01:, :n01] = H[:, :n01, n01:].transpose(1, 2)
    # W2–W2 block: (AᵀA) ⊗ I / m
    H22 = H[:, n01:, n01:]
    H22.zero_()
    H22.view(B, n1, n2, n1, n2).diagonal(dim1=2, dim2=4).copy_(
        (A.transpose(1, 2) @ A / m)[..., None].expand(B, n1, n1, n2))
    L = 0.5 * (R * R).sum((1, 2)) / m
    return L, _grad(X, W2, A, S, R, m), H


def hessian(thetas, X, Y, activation="tanh"):
    """Exact Hessians of every run, shape (B, P, P); see :func:`loss_grad_hessian`."""
    return loss_grad_hessian(thetas, X, Y, activation)[2]


def flops(n0, n1, n2, m, what):
    """Floating-point operations (multiply and add counted separately) of one run's evaluation.

    Parameters
    ----------
    n0, n1, n2, m : positive ints (widths and examples)
    what : ``"grad"`` (loss and gradient), ``"hvp"`` (loss, gradient and one Hessian-vector
        product) or ``"hessian"`` (loss, gradient and exact Hessian)

    Returns
    -------
    int, the matrix-product operations (2·rows·inner·columns each); elementwise work is O(m·n)
    and left out.

    Examples
    --------
    >>> flops(16, 16, 16, 64, "grad")
    163840
    """
    n0, n1, n2, m = (_validate.integer(k, v, minimum=1) for k, v in
                     (("n0", n0), ("n1", n1), ("n2", n2), ("m", m)))
    _validate.choice("what", what, ("grad", "hvp", "hessian"))
    forward = 2 * m * n0 * n1 + 2 * m * n1 * n2
    grad = 2 * m * n1 * n2 + 2 * m * n2 * n1 + 2 * m * n0 * n1    # AᵀR, RW2ᵀ, Xᵀ(·)
    if what == "grad":
        return forward + grad
    if what == "hvp":
        # dZ, dA W2, A V2, dAᵀR, AᵀdR, dR W2ᵀ, R V2ᵀ, Xᵀ(·)
        return forward + grad + 2 * m * n0 * n1 + 4 * m * n1 * n2 + 4 * m * n1 * n2 + 4 * m * n2 * n1 + 2 * m * n0 * n1
    n01 = n0 * n1
    # UᵀU, (S2G ⊙ X)ᵀX, UᵀA, UᵀR, AᵀA
    return forward + grad + 2 * m * n01 * n01 + 2 * m * n01 * n0 + 2 * m * n01 * n1 + 2 * m * n01 * n2 + 2 * m * n1 * n1
