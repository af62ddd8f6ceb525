"""Fully connected networks as pure functions of a flat parameter vector, with exact Hessians.

Every chapter that trains or differentiates a network uses this module: a network is an
:class:`MLP` description plus a flat parameter vector ``theta`` of length ``net.n_params``,
so that ensembles are stacked parameter vectors ``(B, P)`` and everything is batched with
``torch.func.vmap`` (gradients, exact Hessians, training).

Layer k maps features :math:`F_{k-1}` (m × n_{k-1}) to :math:`F_k = \\sigma(F_{k-1} W_k + b_k)`;
the output layer is linear unless ``output_activation`` is set (Choromanska's network applies
the ReLU at the output too).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from landscape import _validate
from landscape.nets import engine as _engine

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "unflatten",
    "forward",
    "features",
    "init_params",
    "loss",
    "loss_and_grad",
    "hessian",
    "hessian_rows",
    "piecewise_linear_hessian",
    "HESSIAN_METHODS",
    "HESSIAN_MEMORY",
    "batched_loss",
    "batched_grad",
    "batched_hessian",
    "train",
    "newton_refine",
    "batched_jacobian",
    "levenberg_marquardt",
]


#: the activations of :data:`landscape.nets.engine.ACTIVATIONS` (the one table of σ, σ′, σ″)
ACTIVATIONS = tuple(_engine.ACTIVATIONS)
LOSSES = ("half_sum", "mse")


@dataclass(frozen=True)
class MLP:
    """Architecture of a fully connected network.

    Parameters
    ----------
    widths : (n_0, n_1, ..., n_L)   layer widths, input first
    activation : one of ``ACTIVATIONS``
    bias : whether every layer has a bias
    output_activation : apply the activation at the output layer too
    """

    widths: tuple
    activation: str = "relu"
    bias: bool = True
    output_activation: bool = False

    def __post_init__(self):
        widths = tuple(self.widths)
        if len(widths) < 2:
            raise ValueError(f"`widths` must have at least an input and an output width; got {widths}")
        object.__setattr__(self, "widths", tuple(
            _validate.integer(f"widths[{i}]", n, minimum=1) for i, n in enumerate(widths)))
        _validate.choice("activation", self.activation, ACTIVATIONS)

    @property
    def depth(self) -> int:
        """Number of weight layers L."""
        return len(self.widths) - 1

    def shapes(self) -> list[tuple[tuple[int, int], tuple[int, ...] | None]]:
        return [((a, b), (b,) if self.bias else None) for a, b in zip(self.widths[:-1], self.widths[1:])]

    @property
    def n_params(self) -> int:
        return sum(a * b + (b if self.bias else 0) for a, b in zip(self.widths[:-1], self.widths[1:]))


def unflatten(theta, net: MLP):
    """Split a flat parameter vector into ``[(W_1, b_1), ..., (W_L, b_L)]`` (b is None without bias)."""
    if theta.shape[-1] != net.n_params:
        raise ValueError(f"`theta` must have {net.n_params} entries for {net}; got {theta.shape[-1]}")
    out, i = [], 0
    for (a, b), bshape in net.shapes():
        W = theta[i:i + a * b].reshape(a, b)
        i += a * b
        bias = None
        if bshape is not None:
            bias = theta[i:i + b]
            i += b
        out.append((W, bias))
    return out


def features(theta, X, net: MLP):
    """All layer outputs ``[F_1, ..., F_L]`` (F_L is the network output)."""
    sigma = _engine.ACTIVATIONS[net.activation].value
    h, out = X, []
    for k, (W, b) in enumerate(unflatten(theta, net), start=1):
        z = h @ W
        if b is not None:
            z = z + b
        h = sigma(z) if (k < net.depth or net.output_activation) else z
        out.append(h)
    return out


def forward(theta, X, net: MLP):
    """Network output, shape (m, n_L)."""
    return features(theta, X, net)[-1]


def init_params(net: MLP, batch: int, generator, *, scheme: str = "gaussian", scale: float = 1.0,
                device=None, dtype=None):
    """``batch`` parameter vectors, shape (batch, P), drawn from ``generator`` (a ``torch.Generator``;
    required, so that no start depends on torch's global stream), on its device unless ``device`` is given.

    ``gaussian``: weights N(0, scale²/fan_in), biases 0.  ``uniform``: every parameter
    uniform in [−scale, scale] (Choromanska et al.'s "uniform in a cube" starts).
    """
    import torch

    if not isinstance(generator, torch.Generator):
        raise ValueError(f"`generator` must be a torch.Generator (the starts' random stream); got {type(generator).__name__}")
    batch = _validate.integer("batch", batch, minimum=1)
    _validate.choice("scheme", scheme, ("gaussian", "uniform"))
    scale = _validate.positive_float("scale", scale)
    if device is None:
        device = generator.device
    dtype = dtype or torch.float64
    if scheme == "uniform":
        return (2 * torch.rand(batch, net.n_params, generator=generator, device=device, dtype=dtype) - 1) * scale
    parts = []
    for (a, b), bshape in net.shapes():
        parts.append(torch.randn(batch, a * b, generator=generator, device=device, dtype=dtype) * (scale / math.sqrt(a)))
        if bshape is not None:
            parts.append(torch.zeros(batch, b, device=device, dtype=dtype))
    return torch.cat(parts, dim=1)


def loss(theta, X, Y, net: MLP, kind: str = "mse"):
    """Squared loss of one network: ``mse`` = (1/2m) Σ_i |f(x_i) − y_i|², ``half_sum`` = ½ Σ_i |f(x_i) − y_i|².

    (``half_sum`` is not :func:`landscape.nets.losses.squared`, which is Nguyen & Hein's Σ r² without the ½.)

    ``kind`` may also be a callable ``objective(F, Y) -> scalar`` of the network output ``F``
    (m, n_L) and the targets, e.g. a robust loss from :mod:`landscape.nets.losses`; every function
    below that takes ``kind`` (gradients, Hessians, ``train``, ``newton_refine``) passes it on.
    """
    if callable(kind):
        return kind(forward(theta, X, net), Y)
    r = forward(theta, X, net) - Y
    total = 0.5 * (r * r).sum()
    return total / X.shape[0] if kind == "mse" else total


def _check_data(X, Y, net):
    if X.ndim != 2 or X.shape[1] != net.widths[0]:
        raise ValueError(f"`X` must have shape (m, {net.widths[0]}); got {tuple(X.shape)}")
    if Y.ndim != 2 or Y.shape != (X.shape[0], net.widths[-1]):
        raise ValueError(f"`Y` must have shape ({X.shape[0]}, {net.widths[-1]}); got {tuple(Y.shape)}")


def loss_and_grad(theta, X, Y, net: MLP, kind: str = "mse"):
    """Loss and its gradient with respect to the flat parameters (one network)."""
    from torch.func import grad_and_value

    _check_data(X, Y, net)
    g, v = grad_and_value(lambda t: loss(t, X, Y, net, kind))(theta)
    return v, g


#: Memory the intermediate tensors of one Hessian pass may take, in bytes (see :func:`hessian_rows`).
HESSIAN_MEMORY = 2 ** 30


def hessian_rows(net: MLP, m: int, itemsize: int = 8, memory: int = HESSIAN_MEMORY) -> int:
    """How many Hessian rows to compute per pass so that one pass stays within ``memory`` bytes.

    Each row is one Hessian-vector product, and a pass over r rows holds r sets of backward
    activations. The peak resident memory of a pass grew by 1.0, 1.5 and 3.6 times
    m·Σ n_k·itemsize per extra row for the shallow and deep 726-weight ReLU networks of Becker
    et al. (m = 1599) and the 100-unit MNIST network of Choromanska et al. (m = 4000), measured
    from ``ru_maxrss`` at two row counts; the bound here assumes 8, which leaves headroom.
    Computing all P rows in one pass, as ``torch.func.hessian`` does, would need tens of GB for
    that MNIST network (P = 11 110).

    Examples
    --------
    >>> hessian_rows(MLP((10, 22, 22, 1)), 506) >= 100
    True
    """
    m = _validate.integer("m", m, minimum=1)
    per_row = 8 * m * sum(net.widths) * itemsize
    return max(1, min(net.n_params, int(memory // per_row)))


HESSIAN_METHODS = ("auto", "closed", "autodiff")


def _method(method, net, kind):
    _validate.choice("method", method, HESSIAN_METHODS)
    if method == "closed" and not _closed_form_applies(net, kind):
        raise ValueError("`method` 'closed' needs a bias-free ReLU or linear network with a linear output "
                         f"and a squared loss; got {net} with kind={kind!r}")
    return method == "closed" or (method == "auto" and _closed_form_applies(net, kind))


def hessian(theta, X, Y, net: MLP, kind: str = "mse", rows: int | None = None, method: str = "auto"):
    """Exact Hessian of the loss with respect to the flat parameters, shape (P, P).

    Bias-free ReLU and linear networks under a squared loss use the closed form
    :func:`piecewise_linear_hessian`; every other case reverse-over-reverse differentiation
    (``jacrev`` of the gradient), ``rows`` Hessian rows per pass (default :func:`hessian_rows`,
    which bounds the memory of a pass). Symmetric up to rounding.
    """
    from torch.func import grad, jacrev

    _check_data(X, Y, net)
    rows = _rows(net, X, theta, rows)
    if _method(method, net, kind):
        return piecewise_linear_hessian(theta, X, Y, net, kind)
    return jacrev(grad(lambda t: loss(t, X, Y, net, kind)), chunk_size=rows)(theta)


#: Largest intermediate (in numbers) of one sample chunk in :func:`piecewise_linear_hessian`.
CLOSED_FORM_CHUNK = 2 ** 22


def piecewise_linear_hessian(theta, X, Y, net: MLP, kind: str = "mse"):
    """Exact Hessian of the squared loss of a bias-free ReLU (or linear) network, in closed form.

    Parameters
    ----------
    theta : (P,) tensor; X : (m, n_0); Y : (m, n_H)
    net : MLP with activation ``relu`` or ``linear``, no biases, linear output
    kind : ``mse`` or ``half_sum`` (see :func:`loss`)

    Returns
    -------
    (P, P) tensor, equal (up to rounding) to :func:`hessian`

    Notes
    -----
    With :math:`z_k = a_{k-1}W_k`, :math:`a_k = \\sigma(z_k)`, masks :math:`D_k = \\sigma'(z_k)`
    (constant where the ReLU is differentiable, as in autodiff, which takes σ'(0) = 0), and
    :math:`P_k = \\partial z_H/\\partial z_k` (:math:`P_H = I`, :math:`P_k = D_k W_{k+1} P_{k+1}`),
    the output is linear in each :math:`W_k` separately, so per sample

    * Gauss–Newton part: :math:`\\partial z_H/\\partial W_k[a,b] = a_{k-1}[a]\\,P_k[b,\\cdot]`,
      summed as :math:`J^\\top J`;
    * residual part, only between layers k < l:
      :math:`r\\cdot\\partial^2 z_H/\\partial W_k[a,b]\\,\\partial W_l[c,d] = a_{k-1}[a]\\,Q_{k,l-1}[b,c]\\,g_l[d]`
      with :math:`Q_{k,j} = \\partial a_j/\\partial z_k` and :math:`g_l = P_l r` the back-propagated residual.

    A few dense contractions replace the P Hessian-vector products of :func:`hessian`.
    """
    import torch

    _check_data(X, Y, net)
    if not _closed_form_applies(net, "mse"):
        raise ValueError(f"`net` must be a bias-free ReLU or linear network with a linear output; got {net}")
    _validate.choice("kind", kind, LOSSES)
    Ws = [W for W, _ in unflatten(theta, net)]
    H = len(Ws)
    acts, masks = [X], []
    for k in range(H - 1):
        z = acts[-1] @ Ws[k]
        d = (z > 0).to(z.dtype) if net.activation == "relu" else torch.ones_like(z)
        masks.append(d)
        acts.append(z * d)
    r = acts[-1] @ Ws[-1] - Y                                   # (m, n_H)
    m, n_out = r.shape
    # P[k] = ∂z_H/∂z_{k+1}, per sample (m, n_{k+1}, n_H); layers indexed 0..H-1 here
    P = [None] * H
    P[H - 1] = torch.eye(n_out, dtype=r.dtype, device=r.device).expand(m, n_out, n_out)
    for k in range(H - 2, -1, -1):
        P[k] = masks[k][:, :, None] * torch.einsum("bc,mco->mbo", Ws[k + 1], P[k + 1])
    J = torch.cat([(acts[k][:, None, :, None] * P[k].transpose(1, 2)[:, :, None, :]).reshape(m, n_out, -1)
                   for k in range(H)], dim=2)                    # (m, n_H, P)
    Jf = J.reshape(m * n_out, -1)
    Hm = Jf.T @ Jf
    g = [torch.einsum("mbo,mo->mb", P[k], r) for k in range(H)]  # ∂(½|r|²)/∂z_{k+1}
    offsets = [0]
    for W in Ws:
        offsets.append(offsets[-1] + W.numel())
    for k in range(H - 1):
        Q = torch.diag_embed(masks[k])                          # ∂a_{k+1}/∂z_{k+1}
        for l in range(k + 1, H):
            # block (W_k, W_l): Σ_i a_k[a] Q[b,c] g_l[d], as matrix products over chunks of samples
            # (a chunk's left factor holds at most CLOSED_FORM_CHUNK numbers)
            step = max(1, CLOSED_FORM_CHUNK // (Ws[k].numel() * Q.shape[2]))
            block = sum(((acts[k][i:i + step, :, None, None] * Q[i:i + step, None, :, :]).reshape(-1, Ws[k].numel() * Q.shape[2]).T
                         @ g[l][i:i + step]) for i in range(0, m, step)).reshape(Ws[k].numel(), Ws[l].numel())
            Hm[offsets[k]:offsets[k + 1], offsets[l]:offsets[l + 1]] += block
            Hm[offsets[l]:offsets[l + 1], offsets[k]:offsets[k + 1]] += block.T
            if l < H - 1:
                Q = (Q @ Ws[l]) * masks[l][:, None, :]
    return Hm / m if kind == "mse" else Hm


def _closed_form_applies(net, kind):
    return (isinstance(kind, str) and kind in LOSSES and net.activation in ("relu", "linear")
            and not net.bias and not net.output_activation)


def _rows(net, X, theta, rows, networks=1):
    # the default shares the memory bound of one pass among the ``networks`` computed together
    if rows is None:
        return max(1, hessian_rows(net, X.shape[0], theta.element_size()) // networks)
    return _validate.integer("rows", rows, minimum=1)


def batched_loss(thetas, X, Y, net: MLP, kind: str = "mse"):
    """Loss of every network in an ensemble ``thetas`` (B, P); shape (B,)."""
    from torch.func import vmap

    _check_data(X, Y, net)
    return vmap(lambda t: loss(t, X, Y, net, kind))(thetas)


def batched_grad(thetas, X, Y, net: MLP, kind: str = "mse"):
    """Losses (B,) and gradients (B, P) of an ensemble, one vmapped call."""
    from torch.func import grad_and_value, vmap

    _check_data(X, Y, net)
    g, v = vmap(grad_and_value(lambda t: loss(t, X, Y, net, kind)))(thetas)
    return v, g


def batched_hessian(thetas, X, Y, net: MLP, kind: str = "mse", chunk: int = 16, rows: int | None = None,
                    method: str = "auto"):
    """Exact Hessians of an ensemble, shape (B, P, P), computed ``chunk`` networks at a time.

    ``rows``: Hessian rows per pass and network, as in :func:`hessian` (the default divides the
    memory bound of :func:`hessian_rows` among the ``chunk`` networks of a pass). ``method``:
    ``auto`` (closed form where it applies, see :func:`hessian`), ``closed`` or ``autodiff``.
    """
    import torch
    from torch.func import grad, jacrev, vmap

    _check_data(X, Y, net)
    chunk = _validate.integer("chunk", chunk, minimum=1)
    rows = _rows(net, X, thetas, rows, networks=min(chunk, thetas.shape[0]))
    if _method(method, net, kind):
        return torch.stack([piecewise_linear_hessian(t, X, Y, net, kind) for t in thetas])
    f = vmap(jacrev(grad(lambda t: loss(t, X, Y, net, kind)), chunk_size=rows))
    return torch.cat([f(thetas[i:i + chunk]) for i in range(0, thetas.shape[0], chunk)])


def train(thetas, X, Y, net: MLP, *, kind: str = "mse", steps: int = 1000, lr: float = 1e-2,
          method: str = "adam", grad_tol: float = 0.0, progress: bool = False):
    """Train an ensemble of networks at once (full batch); returns ``(thetas, losses, grad_norms)``.

    ``method`` is ``adam`` or ``gd``.  Members whose gradient norm falls below ``grad_tol`` stop
    moving (their parameters are frozen), so a converged member is not disturbed by later steps.
    """
    import torch
    from landscape.progress import progress_bar

    _validate.choice("method", method, ("adam", "gd"))
    steps = _validate.integer("steps", steps, minimum=0)
    lr = _validate.positive_float("lr", lr)
    theta = thetas.clone()
    m = torch.zeros_like(theta)
    v = torch.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-12
    active = torch.ones(theta.shape[0], dtype=torch.bool, device=theta.device)
    for t in progress_bar(range(1, steps + 1), enabled=bool(progress), desc="training"):
        losses, g = batched_grad(theta, X, Y, net, kind)
        gnorm = g.norm(dim=1)
        active = active & (gnorm > grad_tol)
        if not bool(active.any()):
            break
        mask = active[:, None].to(theta.dtype)
        if method == "gd":
            theta = theta - lr * g * mask
        else:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            step = lr * (m / (1 - b1**t)) / (torch.sqrt(v / (1 - b2**t)) + eps)
            theta = theta - step * mask
    losses, g = batched_grad(theta, X, Y, net, kind)
    return theta, losses, g.norm(dim=1)


def newton_refine(thetas, X, Y, net: MLP, *, kind: str = "mse", steps: int = 20, damping: float = 1e-8):
    """Damped Newton steps on the gradient (all members at once) to reach critical points precisely.

    Solves (H + damping·I) δ = −g with a least-squares solve, which also handles the
    degenerate directions of over-parameterised networks; returns ``(thetas, losses, grad_norms)``.
    """
    import torch

    steps = _validate.integer("steps", steps, minimum=0)
    theta = thetas.clone()
    for _ in range(steps):
        _, g = batched_grad(theta, X, Y, net, kind)
        Hs = batched_hessian(theta, X, Y, net, kind)
        eye = torch.eye(Hs.shape[-1], dtype=Hs.dtype, device=Hs.device)
        # gelsd (SVD) is the CPU driver that copes with the rank-deficient Hessians of
        # over-parameterised networks; CUDA only offers gels
        driver = "gelsd" if Hs.device.type == "cpu" else None
        delta = torch.linalg.lstsq(Hs + damping * eye, -g[..., None], driver=driver).solution[..., 0]
        # a member whose solve breaks down keeps its point rather than turning into NaN
        delta = torch.where(torch.isfinite(delta).all(dim=1, keepdim=True), delta, torch.zeros_like(delta))
        theta = theta + delta
    losses, g = batched_grad(theta, X, Y, net, kind)
    return theta, losses, g.norm(dim=1)


def batched_jacobian(thetas, X, net: MLP):
    """Jacobians of the flattened outputs of an ensemble, shape (B, m·n_L, P)."""
    from torch.func import jacrev, vmap

    return vmap(jacrev(lambda t: forward(t, X, net).reshape(-1)))(thetas)


def levenberg_marquardt(thetas, X, Y, net: MLP, *, steps: int = 20, damping: float = 1e-3,
                        grad_tol: float = 0.0):
    """Levenberg–Marquardt on the sum of squares Σ |f(x_i) − y_i|² (all members at once).

    Each member keeps its own damping λ: a step δ = −Jᵀ(JJᵀ + λI)⁻¹ r (the m·n_L-dimensional
    form, cheap when there are fewer residuals than parameters; equal to −(JᵀJ + λI)⁻¹Jᵀr) is
    accepted if it lowers the loss, and λ is divided by 3; otherwise the step is rejected and λ
    is multiplied by 4.  Converges quadratically to interpolating solutions of over-parameterised
    networks and is a descent method elsewhere.  Members whose gradient norm is ≤ ``grad_tol``
    stop.  Returns ``(thetas, losses, grad_norms)`` with the loss ``half_sum`` (½ Σ r²).
    """
    import torch

    steps = _validate.integer("steps", steps, minimum=0)
    damping = _validate.positive_float("damping", damping)
    _check_data(X, Y, net)
    theta = thetas.clone()
    lam = torch.full((theta.shape[0],), damping, dtype=theta.dtype, device=theta.device)

    def residuals(th):
        from torch.func import vmap

        return vmap(lambda t: (forward(t, X, net) - Y).reshape(-1))(th)

    r = residuals(theta)
    cost = 0.5 * (r * r).sum(1)
    for _ in range(steps):
        J = batched_jacobian(theta, X, net)
        grad = torch.einsum("bnp,bn->bp", J, r)
        active = grad.norm(dim=1) > grad_tol
        if not bool(active.any()):
            break
        K = J @ J.transpose(1, 2)
        eye = torch.eye(K.shape[-1], dtype=K.dtype, device=K.device)
        scale = K.diagonal(dim1=1, dim2=2).mean(1).clamp_min(1e-300)
        sol = torch.linalg.solve(K + (lam * scale)[:, None, None] * eye, r[..., None])[..., 0]
        delta = -torch.einsum("bnp,bn->bp", J, sol)
        trial = theta + delta
        r_new = residuals(trial)
        cost_new = 0.5 * (r_new * r_new).sum(1)
        ok = active & torch.isfinite(cost_new) & (cost_new <= cost)
        theta = torch.where(ok[:, None], trial, theta)
        r = torch.where(ok[:, None], r_new, r)
        cost = torch.where(ok, cost_new, cost)
        lam = torch.where(ok, lam / 3, torch.where(active, lam * 4, lam)).clamp(1e-15, 1e15)
    losses, g = batched_grad(theta, X, Y, net, "half_sum")
    return theta, losses, g.norm(dim=1)
