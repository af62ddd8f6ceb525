"""Ensembles of small fully connected networks trained together as stacked weights.

An ensemble of B networks of one architecture (:class:`landscape.nets.networks.MLP`) is a tensor of
flat parameter vectors ``(B, P)``, as everywhere in the package.  Here every layer is held as a
stack ``W (B, n_{k-1}, n_k)``, ``b (B, n_k)``, and the forward and backward passes are written
directly as batched matrix products (``torch.baddbmm`` / ``torch.bmm``): one call per layer for
the whole ensemble, with no per-network Python loop and none of the per-call overhead of
``torch.func.vmap`` (measured 1.6–3.6× slower on these sizes, issue 17).

Minibatch SGD gives every network its own minibatch order, drawn from its own random stream
``stream_seed(seed, (*purpose, i))`` (:func:`landscape.compute.stream_seed`) for network index
``i``; its starting point likewise (:func:`init`).  A network's trajectory therefore depends on
``(seed, purpose, i)`` only, not on which other networks are trained in the same batch, so an
ensemble can be split into any number of batches or tasks with the same result (up to the
round-off of the matrix kernels, which the tests bound).
"""
from __future__ import annotations

from landscape import _validate
from landscape.nets import engine as _engine
from landscape.nets import networks as _nw
from landscape.compute import stream_seed

__all__ = ["KINDS", "network_streams", "init", "layers", "flatten", "forward", "grad", "sgd", "adam", "losses",
           "accuracy"]

#: Losses of the batched passes: ``mse`` ½·mean_i |f(x_i) − y_i|², ``half_sum`` ½·Σ_i |f(x_i) − y_i|² (as :mod:`landscape.nets.networks`),
#: ``cross_entropy`` mean_i of −Σ_c y_ic log softmax(f(x_i))_c (as :func:`landscape.protocols.trained_networks.cross_entropy`).
KINDS = ("mse", "half_sum", "cross_entropy")


def _purpose(purpose) -> tuple:
    return purpose if isinstance(purpose, tuple) else (purpose,)


def _indices(indices, batch=None):
    idx = [int(_validate.integer(f"indices[{k}]", i, minimum=0)) for k, i in enumerate(indices)]
    if not idx:
        raise ValueError("`indices` must name at least one network")
    if len(set(idx)) != len(idx):
        raise ValueError("`indices` must be distinct (each network has its own random stream)")
    if batch is not None and len(idx) != batch:
        raise ValueError(f"`indices` must have one entry per network ({batch}); got {len(idx)}")
    return idx


def network_streams(seed: int, purpose, indices):
    """One CPU :class:`torch.Generator` per network, seeded by ``stream_seed(seed, (*purpose, i))``.

    Parameters
    ----------
    seed : int in [0, 2**32 − 1]
    purpose : int, str or tuple of them (see :func:`landscape.compute.stream_seed`)
    indices : sequence of distinct int >= 0   the networks' indices in their whole ensemble

    The generators live on the CPU whatever the device of the networks, so the random numbers
    (and with them the minibatch orders) are the same on every device.
    """
    import torch

    return [torch.Generator().manual_seed(stream_seed(seed, (*_purpose(purpose), i))) for i in _indices(indices)]


def init(net: _nw.MLP, indices, *, seed: int, purpose, scheme: str = "gaussian", scale: float = 1.0,
         device=None, dtype=None):
    """Starting points ``(len(indices), P)``, network ``i`` drawn from its own stream.

    Row k is :func:`landscape.nets.networks.init_params` ``(net, 1, g_i, scheme, scale)`` with ``g_i`` the
    stream of network ``indices[k]`` (:func:`network_streams`), so a network's start does not depend
    on the other members of the batch.
    """
    import torch

    rows = [_nw.init_params(net, 1, g, scheme=scheme, scale=scale, dtype=dtype)
            for g in network_streams(seed, purpose, indices)]
    return torch.cat(rows).to(device if device is not None else "cpu")


def layers(thetas, net: _nw.MLP):
    """Stacked layers ``[(W (B, a, b), b (B, b) or None), ...]`` of an ensemble ``thetas`` (B, P), as copies."""
    if thetas.ndim != 2 or thetas.shape[1] != net.n_params:
        raise ValueError(f"`thetas` must have shape (B, {net.n_params}) for {net}; got {tuple(thetas.shape)}")
    B, out, i = thetas.shape[0], [], 0
    for (a, b), bshape in net.shapes():
        W = thetas[:, i:i + a * b].reshape(B, a, b).contiguous()
        i += a * b
        bias = None
        if bshape is not None:
            bias = thetas[:, i:i + b].contiguous()
            i += b
        out.append((W, bias))
    return out


def flatten(stack):
    """Inverse of :func:`layers`: the flat parameters ``(B, P)`` in the order of :func:`landscape.nets.networks.unflatten`."""
    import torch

    parts = []
    for W, b in stack:
        parts.append(W.reshape(W.shape[0], -1))
        if b is not None:
            parts.append(b)
    return torch.cat(parts, dim=1)


def forward(stack, X, net: _nw.MLP, keep: bool = False):
    """Outputs of every network of a stack (:func:`layers`) on its inputs.

    ``X`` is (B, m, n_0), one data set per network, or (m, n_0), shared by all: then the first layer
    is one product ``X @ [W_1 of every network]`` (m × B·n_1) instead of B copies of ``X``.  Returns
    the outputs (B, m, n_L) and, with ``keep``, the lists of layer inputs and pre-activations for
    :func:`grad`.  Layer k: :math:`z_k = a_{k-1} W_k + b_k`, :math:`a_k = \\sigma(z_k)` (the output
    layer linear unless ``net.output_activation``).
    """
    import torch

    h, ins, pre = X, [], []
    for k, (W, b) in enumerate(stack, start=1):
        ins.append(h)
        if h.ndim == 2:
            B, a, n = W.shape
            z = (h @ W.permute(1, 0, 2).reshape(a, B * n)).reshape(h.shape[0], B, n).transpose(0, 1)
            z = z if b is None else z + b[:, None, :]
        else:
            z = torch.bmm(h, W) if b is None else torch.baddbmm(b[:, None, :], h, W)
        pre.append(z)
        h = _engine.ACTIVATIONS[net.activation].value(z) if (k < net.depth or net.output_activation) else z
    return (h, ins, pre) if keep else h


def _loss_and_output_grad(F, Y, kind):
    """Per-network losses (B,) and ∂loss/∂F (B, m, n_L) of the outputs ``F`` against targets ``Y``."""
    import torch

    m = F.shape[1]
    if kind == "cross_entropy":
        logp = torch.log_softmax(F, dim=-1)
        loss = -(Y * logp).sum((1, 2)) / m
        # ∂/∂F of −Σ_c y_c log softmax(F)_c = softmax(F)·Σ_c y_c − y
        dF = (torch.exp(logp) * Y.sum(-1, keepdim=True) - Y) / m
        return loss, dF
    r = F - Y
    loss = 0.5 * (r * r).sum((1, 2))
    return (loss / m, r / m) if kind == "mse" else (loss, r)


def _check(thetas, X, Y, net, kind):
    _validate.choice("kind", kind, KINDS)
    if thetas.ndim != 2 or thetas.shape[1] != net.n_params:
        raise ValueError(f"`thetas` must have shape (B, {net.n_params}) for {net}; got {tuple(thetas.shape)}")
    _nw._check_data(X, Y, net)


def _weight_grad(a, delta):
    """:math:`a^\\top \\delta` per network (B, n_{k−1}, n_k); ``a`` (B, m, n_{k−1}) or shared (m, n_{k−1})."""
    import torch

    if a.ndim == 3:
        return torch.bmm(a.transpose(1, 2), delta)
    B, m, n = delta.shape
    return (a.T @ delta.transpose(0, 1).reshape(m, B * n)).reshape(a.shape[1], B, n).transpose(0, 1)


def _backward(stack, ins, pre, dF, net):
    """Gradients ``[(gW, gb), ...]`` by back-propagation through the stack (chain rule per layer)."""
    import torch

    act = _engine.ACTIVATIONS[net.activation]
    delta = dF
    if net.output_activation:
        delta = delta * act.slope(pre[-1], act.value(pre[-1]))
    out = [None] * len(stack)
    for k in range(len(stack) - 1, -1, -1):
        W, b = stack[k]
        out[k] = (_weight_grad(ins[k], delta), None if b is None else delta.sum(1))
        if k > 0:
            a = ins[k]
            delta = torch.bmm(delta, W.transpose(1, 2)) * act.slope(pre[k - 1], a)
    return out


def grad(thetas, Xb, Yb, net: _nw.MLP, kind: str = "mse"):
    """Losses (B,) and gradients (B, P) of an ensemble, each network on its own data.

    Parameters
    ----------
    thetas : (B, P) parameters
    Xb : (B, m, n_0) inputs per network, or (m, n_0) shared by all
    Yb : (B, m, n_L) targets (an expanded view for shared targets)
    kind : one of :data:`KINDS`

    Notes
    -----
    Equal (up to round-off) to :func:`landscape.nets.networks.batched_grad` applied network by network;
    computed by back-propagation, :math:`\\partial L/\\partial W_k = a_{k-1}^\\top \\delta_k`,
    :math:`\\delta_{k-1} = (\\delta_k W_k^\\top)\\odot\\sigma'(z_{k-1})`, as batched products.
    """
    _validate.choice("kind", kind, KINDS)
    if Xb.ndim == 2:
        Xs = Xb
        Xb = Xb.expand(thetas.shape[0], *Xb.shape)    # a view, for the shape checks only
    else:
        Xs = Xb
    if Xb.ndim != 3 or Yb.ndim != 3 or Xb.shape[0] != thetas.shape[0] or Yb.shape[:2] != Xb.shape[:2]:
        raise ValueError(f"`Xb` and `Yb` must have shapes (B, m, n_0) and (B, m, n_L) with B = {thetas.shape[0]}; "
                         f"got {tuple(Xb.shape)} and {tuple(Yb.shape)}")
    _check(thetas, Xb[0], Yb[0], net, kind)
    stack = layers(thetas, net)
    F, ins, pre = forward(stack, Xs, net, keep=True)
    loss, dF = _loss_and_output_grad(F, Yb, kind)
    return loss, flatten(_backward(stack, ins, pre, dF, net))


#: Bytes of weights trained together in one batched pass on the CPU (:func:`sgd`).  A stack that
#: stays in the core's cache trains faster than one streamed from memory at every step.  Measured
#: per network and float32 step (shared 2-core EPYC, 2 MiB L2 per core): width 25, batches of
#: 1/16/64/250 networks 78/18/19/25 µs; width 100, 1/16/64/250: 149/52/39/81 µs; width 500,
#: 1/4/16/64: 421/277/325/389 µs.  1 MiB gives about 90, 20 and 4 networks at these widths.
CPU_BATCH_BYTES = 2 ** 20


def _step(stack, Xb, Yb, net, kind, step):
    """One SGD step of every network of ``stack`` in place: back-propagation with the weight update
    fused into the product (``W ← W − step · a_{k−1}ᵀ δ_k`` as one ``baddbmm_``), so no gradient is stored."""
    import torch

    act = _engine.ACTIVATIONS[net.activation]
    F, ins, pre = forward(stack, Xb, net, keep=True)
    _, delta = _loss_and_output_grad(F, Yb, kind)
    if net.output_activation:
        delta = delta * act.slope(pre[-1], act.value(pre[-1]))
    for k in range(len(stack) - 1, -1, -1):
        W, b = stack[k]
        below = None
        if k > 0:   # δ_{k−1} needs W_k before its update
            below = torch.bmm(delta, W.transpose(1, 2))
            if net.activation == "relu":
                below.masked_fill_(pre[k - 1] <= 0, 0.0)
            else:
                below.mul_(act.slope(pre[k - 1], ins[k]))
        W.baddbmm_(ins[k].transpose(1, 2), delta, alpha=-step)
        if b is not None:
            b.add_(delta.sum(1), alpha=-step)
        delta = below


def sgd(thetas, X, Y, net: _nw.MLP, *, kind: str = "mse", epochs: int = 10, batch_size: int = 100,
        lr: float = 0.1, decay: float = 0.0, seed: int, purpose, indices=None, chunk: int | None = None):
    """Minibatch SGD of an ensemble as batched matrix products; every network shuffles on its own stream.

    Parameters
    ----------
    thetas : (B, P) starting points (float32 or float64; ``X`` and ``Y`` are cast to their dtype)
    X, Y : (m, n_0) and (m, n_L) training data shared by the ensemble
    kind : one of :data:`KINDS`
    epochs : int >= 0;  batch_size : int in [1, m] (the last incomplete minibatch is dropped)
    lr : float > 0;  decay : float >= 0   step ``lr / (1 + decay · epoch)`` in epoch ``epoch``
    seed, purpose : the random streams (:func:`network_streams`)
    indices : the networks' indices in their whole ensemble (default ``0 .. B−1``)
    chunk : networks trained together in one batched pass (default: all on a GPU; on the CPU as
        many as fit in :data:`CPU_BATCH_BYTES`); the chunks are trained one after the other, which
        changes nothing but the speed

    Returns
    -------
    (B, P) end points

    Notes
    -----
    Each epoch, network ``i`` draws a permutation of the m samples from its own generator and
    takes ``m // batch_size`` steps :math:`w \\leftarrow w - \\eta_t \\nabla L_{\\text{batch}}(w)`.
    Its trajectory depends only on ``(seed, purpose, i)``: training the networks together or one
    at a time gives the same end points up to round-off.
    """
    import torch

    _check(thetas, X, Y, net, kind)
    B = thetas.shape[0]
    idx = list(range(B)) if indices is None else _indices(indices, B)
    epochs = _validate.integer("epochs", epochs, minimum=0)
    m = X.shape[0]
    batch_size = _validate.integer("batch_size", batch_size, minimum=1, maximum=m)
    lr = _validate.positive_float("lr", lr)
    decay = _validate.positive_float("decay", decay, allow_zero=True)
    dev, dt = thetas.device, thetas.dtype
    if chunk is None:
        chunk = B if dev.type != "cpu" else max(1, CPU_BATCH_BYTES // (net.n_params * thetas.element_size()))
    chunk = _validate.integer("chunk", chunk, minimum=1)
    X, Y = X.to(device=dev, dtype=dt), Y.to(device=dev, dtype=dt)
    steps = m // batch_size
    out = []
    for i, j in _chunks(B, chunk):
        streams = network_streams(seed, purpose, idx[i:j])
        stack = layers(thetas[i:j], net)
        for epoch in range(epochs):
            step = lr / (1.0 + decay * epoch)
            order = torch.stack([torch.randperm(m, generator=g) for g in streams]).to(dev)
            for s in range(steps):
                rows = order[:, s * batch_size:(s + 1) * batch_size]          # (chunk, batch)
                _step(stack, X[rows], Y[rows], net, kind, step)
        out.append(flatten(stack))
    return torch.cat(out)


def adam(thetas, X, Y, net: _nw.MLP, *, kind: str = "mse", steps: int = 1000, lr: float = 1e-2,
         chunk: int | None = None):
    """Full-batch Adam of an ensemble on shared data, as batched products; returns ``(thetas, losses, grad_norms)``.

    The same iteration as :func:`landscape.nets.networks.train` (``method="adam"``, β = (0.9, 0.999),
    ε = 1e-12, bias-corrected moments; Kingma & Ba 2015, Algorithm 1) with the gradients of
    :func:`grad`; ``chunk`` networks at a time (default 4 on the CPU, all on a GPU).  On the CPU a
    full batch of activations per network already overflows the cache (Becker's networks on 1599
    points: about 1 MB per layer), so larger chunks gain nothing: per network and step, 1/4/16/32
    networks at once took 1.0/1.7/2.6/2.1 ms (H = 3) and 1.9/1.7/1.7/2.5 ms (H = 7) on a shared
    2-core EPYC, against 2.5–4.9 ms with :func:`landscape.nets.networks.train` (vmap, 16 or 200 networks).
    Deterministic: no random numbers.  ``losses`` and ``grad_norms`` are those at the end points.
    """
    import torch

    _check(thetas, X, Y, net, kind)
    steps = _validate.integer("steps", steps, minimum=0)
    lr = _validate.positive_float("lr", lr)
    B = thetas.shape[0]
    chunk = _validate.integer("chunk", chunk if chunk is not None else (4 if thetas.device.type == "cpu" else B),
                              minimum=1)
    X, Y = X.to(thetas.dtype), Y.to(thetas.dtype)
    b1, b2, eps = 0.9, 0.999, 1e-12
    out, losses, norms = [], [], []
    for i, j in _chunks(B, chunk):
        Yb = Y.expand(j - i, *Y.shape)
        theta = thetas[i:j].clone()
        m1, m2 = torch.zeros_like(theta), torch.zeros_like(theta)
        for t in range(1, steps + 1):
            _, g = grad(theta, X, Yb, net, kind)
            m1.mul_(b1).add_(g, alpha=1 - b1)
            m2.mul_(b2).addcmul_(g, g, value=1 - b2)
            theta -= lr * (m1 / (1 - b1 ** t)) / (torch.sqrt(m2 / (1 - b2 ** t)) + eps)
        L, g = grad(theta, X, Yb, net, kind)
        out.append(theta)
        losses.append(L)
        norms.append(g.norm(dim=1))
    return torch.cat(out), torch.cat(losses), torch.cat(norms)


def _chunks(B, chunk):
    return [(i, min(i + chunk, B)) for i in range(0, B, chunk)]


def losses(thetas, X, Y, net: _nw.MLP, kind: str = "mse", chunk: int = 64):
    """Loss of every network (B,) on shared data ``X`` (m, n_0), ``Y`` (m, n_L), ``chunk`` networks at a time.

    ``chunk`` bounds the memory of the outputs (chunk · m · max n_k numbers).
    """
    import torch

    _check(thetas, X, Y, net, kind)
    chunk = _validate.integer("chunk", chunk, minimum=1)
    X, Y = X.to(thetas.dtype), Y.to(thetas.dtype)
    out = []
    for i, j in _chunks(thetas.shape[0], chunk):
        F = forward(layers(thetas[i:j], net), X, net)
        out.append(_loss_and_output_grad(F, Y.expand(j - i, *Y.shape), kind)[0])
    return torch.cat(out)


def accuracy(thetas, X, labels, net: _nw.MLP, chunk: int = 64):
    """Classification accuracy (B,) of every network on inputs ``X`` (m, n_0) with integer ``labels`` (m,)."""
    import numpy as np
    import torch

    chunk = _validate.integer("chunk", chunk, minimum=1)
    labels = torch.as_tensor(np.asarray(labels), device=X.device)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"`labels` must have shape ({X.shape[0]},); got {tuple(labels.shape)}")
    X = X.to(thetas.dtype)
    out = []
    for i, j in _chunks(thetas.shape[0], chunk):
        F = forward(layers(thetas[i:j], net), X, net)
        out.append((F.argmax(-1) == labels).to(thetas.dtype).mean(-1))
    return torch.cat(out)
