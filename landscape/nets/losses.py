"""Per-entry losses of Nguyen & Hein (2017): squared, robust (§3.2, Fig. 1) and squared-hinge type (§5).

The objective of a network with outputs ``F`` (N × m) and targets ``Y`` is
:math:`\\Phi = \\sum_{i,j} l(F_{ij} - Y_{ij})` (eq. (1) of :cite:t:`nguyen2017`, no ½ and no 1/N).
Every loss here is a torch function vectorised over its argument, with its derivative in
closed form (Lemma 2.1 needs :math:`l'`), and a :class:`Loss` object bundles the two with the
minimum value of ``l`` so that "global minimum of Φ" can be decided (it is ``N m min l`` when
the network can interpolate the targets).

Robust losses use ``logaddexp`` so that large residuals do not underflow to ``log 0``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from landscape import _validate

__all__ = [
    "NAMES",
    "squared",
    "pseudo_huber",
    "blake_zisserman",
    "corrupted_gaussian",
    "cauchy",
    "hinge_l1",
    "hinge_l2",
    "Loss",
    "get",
]

#: Loss names accepted by :func:`get`.
NAMES = ("squared", "pseudo_huber", "blake_zisserman", "corrupted_gaussian", "cauchy", "squared_hinge")


def _t(a):
    import torch

    if isinstance(a, torch.Tensor):
        return a if a.is_floating_point() else a.to(torch.float64)
    return torch.as_tensor(_validate.finite_array("a", a), dtype=torch.float64)


def _delta(delta, name="delta"):
    d = float(delta) if isinstance(delta, (int, float)) else math.nan
    if not math.isfinite(d) or d <= 0:
        raise ValueError(f"`{name}` must be a finite real number > 0; got {delta!r}")
    return d


def squared(a, derivative: bool = False):
    """Squared loss :math:`l(a) = a^2` (or :math:`l'(a) = 2a`).

    Examples
    --------
    >>> float(squared(3.0))
    9.0
    """
    a = _t(a)
    return 2 * a if derivative else a * a


def pseudo_huber(a, delta: float = 1.0, derivative: bool = False):
    """Pseudo-Huber loss :math:`l_\\delta(a) = 2\\delta^2(\\sqrt{1 + a^2/\\delta^2} - 1)`.

    Parameters
    ----------
    a : tensor or array, residuals
    delta : float > 0
    derivative : return :math:`l'(a) = 2a/\\sqrt{1 + a^2/\\delta^2}` instead

    Notes
    -----
    Nguyen & Hein (2017), §3.2 (after Lemma 3.3), after Hartley & Zisserman: behaves as
    :math:`a^2` near 0 and has slope :math:`\\pm 2\\delta` for large :math:`|a|`. Convex.

    Examples
    --------
    >>> round(float(pseudo_huber(1.0)), 12)   # 2(√2 − 1)
    0.828427124746
    """
    a = _t(a)
    delta = _delta(delta)
    root = (1 + (a / delta) ** 2).sqrt()
    return 2 * a / root if derivative else 2 * delta**2 * (root - 1)


def blake_zisserman(a, delta: float = 0.1, derivative: bool = False):
    """Blake–Zisserman loss :math:`l(a) = -\\log(e^{-a^2} + \\delta)`.

    Notes
    -----
    Nguyen & Hein (2017), §3.2 item 1 and Fig. 1(a) (δ = 0.1). Non-convex; tends to
    :math:`-\\log\\delta` for large :math:`|a|`; its minimum is :math:`-\\log(1 + \\delta)` at 0,
    and near 0 it is :math:`-\\log(1+\\delta) + a^2/(1+\\delta) + O(a^4)`.
    Derivative :math:`l'(a) = 2a\\,e^{-a^2}/(e^{-a^2} + \\delta)`.

    Examples
    --------
    >>> round(float(blake_zisserman(0.0, 0.1)), 12)   # −log 1.1
    -0.095310179804
    """
    import torch

    a = _t(a)
    delta = _delta(delta)
    if derivative:
        return 2 * a * torch.sigmoid(-a * a - math.log(delta))
    return -torch.logaddexp(-a * a, torch.full_like(a, math.log(delta)))


def _cg_logs(a, alpha, w):
    import torch

    la = math.log(alpha) if alpha > 0 else -math.inf
    lb = math.log1p(-alpha) - math.log(w) if alpha < 1 else -math.inf
    return la - a * a, lb - a * a / (w * w) + torch.zeros_like(a)


def corrupted_gaussian(a, alpha: float = 0.5, w: float = 6.0, derivative: bool = False):
    """Corrupted-Gaussian loss :math:`l(a) = -\\log(\\alpha e^{-a^2} + (1-\\alpha) e^{-a^2/w^2}/w)`.

    Notes
    -----
    Nguyen & Hein (2017), §3.2 item 2 and Fig. 1(b) (α = 0.5, w = 6): the negative
    log-likelihood (up to a constant) of a two-component Gaussian mixture with widths 1 and w.
    Minimum :math:`-\\log(\\alpha + (1-\\alpha)/w)` at 0. Derivative
    :math:`l'(a) = 2a\\,(q + (1-q)/w^2)` with :math:`q` the posterior weight of the narrow component.

    Examples
    --------
    >>> round(float(corrupted_gaussian(0.0, 0.5, 6.0)), 12)   # −log(7/12)
    0.538996500733
    """
    import torch

    a = _t(a)
    alpha = float(_validate.in_interval("alpha", alpha, 0.0, 1.0))
    w = _delta(w, "w")
    l1, l2 = _cg_logs(a, alpha, w)
    if derivative:
        q = torch.exp(l1 - torch.logaddexp(l1, l2))
        return 2 * a * (q + (1 - q) / (w * w))
    return -torch.logaddexp(l1, l2)


def cauchy(a, delta: float = 1.0, derivative: bool = False):
    """Cauchy loss :math:`l(a) = \\delta^2 \\log(1 + a^2/\\delta^2)`.

    Notes
    -----
    Nguyen & Hein (2017), §3.2 item 3 and Fig. 1(c) (δ = 1). Derivative :math:`2a/(1 + a^2/\\delta^2)`.

    Examples
    --------
    >>> round(float(cauchy(1.0)), 12)   # log 2
    0.69314718056
    """
    import torch

    a = _t(a)
    delta = _delta(abs(delta) if isinstance(delta, (int, float)) else delta)
    if derivative:
        return 2 * a / (1 + (a / delta) ** 2)
    return delta**2 * torch.log1p((a / delta) ** 2)


def hinge_l1(a, derivative: bool = False):
    """:math:`l_1(a) = a^2` for a ≤ 0 and 0 for a ≥ 0 (true class, §5, Fig. 2 of Nguyen & Hein 2017).

    Examples
    --------
    >>> float(hinge_l1(-2.0)), float(hinge_l1(3.0))
    (4.0, 0.0)
    """
    import torch

    a = _t(a)
    neg = torch.clamp(a, max=0.0)
    return 2 * neg if derivative else neg * neg


def hinge_l2(a, derivative: bool = False):
    """:math:`l_2(a) = 0` for a ≤ 0 and :math:`a^2` for a ≥ 0 (wrong classes, §5 of Nguyen & Hein 2017).

    Examples
    --------
    >>> float(hinge_l2(-2.0)), float(hinge_l2(3.0))
    (0.0, 9.0)
    """
    import torch

    a = _t(a)
    pos = torch.clamp(a, min=0.0)
    return 2 * pos if derivative else pos * pos


@dataclass(frozen=True)
class Loss:
    """A per-entry loss with its derivative, usable as ``networks`` objective ``kind``.

    Call it as ``loss(F, Y)`` to get :math:`\\Phi = \\sum_{ij} l(F_{ij} - Y_{ij})` (a torch scalar).
    For ``squared_hinge`` the targets are a ±1 class encoding and entry (i, j) uses
    :math:`l_1` where ``Y[i, j] > 0`` (true class) and :math:`l_2` elsewhere (eq. (4)).
    """

    name: str
    params: dict = field(default_factory=dict)

    def value(self, a):
        """Elementwise :math:`l(a)` (for ``squared_hinge``: :math:`l_1(a)`)."""
        return _FUNCS[self.name](a, **self.params)

    def derivative(self, a):
        """Elementwise :math:`l'(a)` (for ``squared_hinge``: :math:`l_1'(a)`)."""
        return _FUNCS[self.name](a, derivative=True, **self.params)

    @property
    def minimum(self) -> float:
        """:math:`\\min_a l(a)` (attained at a = 0, or on a half-line for the hinge losses)."""
        p = self.params
        if self.name == "blake_zisserman":
            return -math.log1p(p.get("delta", 0.1))
        if self.name == "corrupted_gaussian":
            alpha, w = p.get("alpha", 0.5), p.get("w", 6.0)
            return -math.log(alpha + (1 - alpha) / w)
        return 0.0

    def residual_grad(self, F, Y):
        """:math:`\\partial\\Phi/\\partial F` = :math:`l'(F - Y)` entrywise (the l' of Lemma 2.1)."""
        import torch

        R = F - Y
        if self.name == "squared_hinge":
            return torch.where(Y > 0, hinge_l1(R, derivative=True), hinge_l2(R, derivative=True))
        return self.derivative(R)

    def __call__(self, F, Y):
        import torch

        R = F - Y
        if self.name == "squared_hinge":
            return torch.where(Y > 0, hinge_l1(R), hinge_l2(R)).sum()
        return self.value(R).sum()


_FUNCS = {
    "squared": squared,
    "pseudo_huber": pseudo_huber,
    "blake_zisserman": blake_zisserman,
    "corrupted_gaussian": corrupted_gaussian,
    "cauchy": cauchy,
    "squared_hinge": hinge_l1,
}

_PARAMS = {
    "squared": {},
    "pseudo_huber": {"delta": 1.0},
    "blake_zisserman": {"delta": 0.1},
    "corrupted_gaussian": {"alpha": 0.5, "w": 6.0},
    "cauchy": {"delta": 1.0},
    "squared_hinge": {},
}


def get(name, **params) -> Loss:
    """The loss ``name`` (one of :data:`NAMES`) with parameters (defaults: those of Fig. 1).

    Examples
    --------
    >>> import torch
    >>> float(get("squared")(torch.ones(2, 1), torch.zeros(2, 1)))
    2.0
    """
    if isinstance(name, Loss):
        return name
    _validate.choice("name", name, NAMES)
    allowed = _PARAMS[name]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"`params` of loss {name!r} must be among {sorted(allowed)}; got {unknown}")
    full = {**allowed, **params}
    # validate by evaluating once
    _FUNCS[name](0.0, **full)
    return Loss(name, full)
