"""Tests of landscape.nets.ensembles: batched ensemble passes and SGD against per-network references."""
import numpy as np
import pytest
import torch

from landscape.nets import ensembles as en
from landscape.protocols import trained_networks as ex
from landscape.nets import networks as nw


def _data(m=40, n0=5, n_out=3, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(m, n0, generator=g, dtype=dtype)
    labels = torch.randint(0, n_out, (m,), generator=g)
    return X, ex.one_hot(labels.numpy(), n_out, dtype=dtype), labels


@pytest.mark.parametrize("net,kind", [
    (nw.MLP((5, 7, 3)), "cross_entropy"),
    (nw.MLP((5, 4, 6, 3), activation="tanh"), "mse"),
    (nw.MLP((5, 4, 3), activation="sigmoid", bias=False, output_activation=True), "half_sum"),
    (nw.MLP((5, 4, 3), activation="softplus"), "mse"),
])
def test_grad_equals_autodiff_per_network(net, kind):
    # each network on its own minibatch: the batched back-propagation equals torch.func's gradient
    # of networks.loss to float64 round-off
    X, Y, _ = _data()
    th = nw.init_params(net, 4, torch.Generator().manual_seed(1))
    rows = torch.stack([torch.randperm(40, generator=torch.Generator().manual_seed(k))[:10] for k in range(4)])
    loss, g = en.grad(th, X[rows], Y[rows], net, kind)
    ref_kind = ex.cross_entropy if kind == "cross_entropy" else kind
    for k in range(4):
        ref_loss, ref_g = nw.loss_and_grad(th[k], X[rows[k]], Y[rows[k]], net, ref_kind)
        torch.testing.assert_close(loss[k], ref_loss, rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(g[k], ref_g, rtol=1e-10, atol=1e-13)


def test_layers_flatten_roundtrip_and_forward():
    net = nw.MLP((5, 7, 3))
    th = nw.init_params(net, 3, torch.Generator().manual_seed(2))
    torch.testing.assert_close(en.flatten(en.layers(th, net)), th, rtol=0, atol=0)
    X, Y, labels = _data()
    F = en.forward(en.layers(th, net), X.expand(3, *X.shape), net)
    for k in range(3):
        torch.testing.assert_close(F[k], nw.forward(th[k], X, net), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(en.losses(th, X, Y, net, "cross_entropy", chunk=2),
                               nw.batched_loss(th, X, Y, net, ex.cross_entropy), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(en.accuracy(th, X, labels, net, chunk=2), ex.accuracy(th, X, labels, net),
                               rtol=0, atol=0)
    # shared inputs (one folded product for the first layer) give the vmapped gradient too
    loss, g = en.grad(th, X, Y.expand(3, *Y.shape), net, "cross_entropy")
    ref_loss, ref_g = nw.batched_grad(th, X, Y, net, ex.cross_entropy)
    torch.testing.assert_close(loss, ref_loss, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(g, ref_g, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dtype,rtol", [(torch.float64, 1e-11), (torch.float32, 2e-5)])
def test_sgd_together_equals_one_at_a_time(dtype, rtol):
    # the batched trainer and each network trained alone (batch of one, same index) follow the
    # same minibatch order; they differ only by the round-off of the matrix kernels, which a few
    # hundred steps amplify by at most ~10^3 (tolerances: float64 1e-11, float32 2e-5 relative)
    X, Y, _ = _data(dtype=dtype)
    net = nw.MLP((5, 8, 3))
    idx = [3, 7, 11, 12, 20]
    th0 = en.init(net, idx, seed=4, purpose=("test", 1), scheme="uniform", dtype=dtype)
    together = en.sgd(th0, X, Y, net, kind="cross_entropy", epochs=8, batch_size=8, lr=0.2, decay=0.1,
                      seed=4, purpose=("test", 2), indices=idx)
    for k, i in enumerate(idx):
        alone0 = en.init(net, [i], seed=4, purpose=("test", 1), scheme="uniform", dtype=dtype)
        torch.testing.assert_close(alone0[0], th0[k], rtol=0, atol=0)
        alone = en.sgd(alone0, X, Y, net, kind="cross_entropy", epochs=8, batch_size=8, lr=0.2, decay=0.1,
                       seed=4, purpose=("test", 2), indices=[i])
        scale = float(together[k].abs().max())
        torch.testing.assert_close(alone[0], together[k], rtol=rtol, atol=rtol * scale)
    # split into two batches: same end points
    split = torch.cat([en.sgd(th0[:2], X, Y, net, kind="cross_entropy", epochs=8, batch_size=8, lr=0.2, decay=0.1,
                              seed=4, purpose=("test", 2), indices=idx[:2]),
                       en.sgd(th0[2:], X, Y, net, kind="cross_entropy", epochs=8, batch_size=8, lr=0.2, decay=0.1,
                              seed=4, purpose=("test", 2), indices=idx[2:])])
    torch.testing.assert_close(split, together, rtol=rtol, atol=rtol * float(together.abs().max()))
    chunked = en.sgd(th0, X, Y, net, kind="cross_entropy", epochs=8, batch_size=8, lr=0.2, decay=0.1,
                     seed=4, purpose=("test", 2), indices=idx, chunk=2)
    torch.testing.assert_close(chunked, together, rtol=rtol, atol=rtol * float(together.abs().max()))
    # other seeds and other purposes give other streams
    other = en.sgd(th0, X, Y, net, kind="cross_entropy", epochs=8, batch_size=8, lr=0.2, decay=0.1,
                   seed=5, purpose=("test", 2), indices=idx)
    assert float((other - together).abs().max()) > 1e-3


def test_sgd_fits_linear_model():
    # a consistent linear least-squares problem: SGD with a decaying step converges to the exact weights
    g = torch.Generator().manual_seed(0)
    X = torch.randn(60, 3, generator=g, dtype=torch.float64)
    w = torch.tensor([[1.0], [-2.0], [0.5]], dtype=torch.float64)
    net = nw.MLP((3, 1), activation="linear", bias=False)
    th = en.sgd(torch.zeros(4, 3, dtype=torch.float64), X, X @ w, net, epochs=60, batch_size=10, lr=0.1,
                decay=0.01, seed=0, purpose="lin")
    torch.testing.assert_close(th, w.T.expand(4, 3), atol=1e-6, rtol=0)


def test_bad_input():
    X, Y, _ = _data()
    net = nw.MLP((5, 7, 3))
    th = nw.init_params(net, 2, torch.Generator().manual_seed(0))
    kw = dict(seed=0, purpose="p")
    with pytest.raises(ValueError, match="kind"):
        en.sgd(th, X, Y, net, kind="hinge", **kw)
    with pytest.raises(ValueError, match="batch_size"):
        en.sgd(th, X, Y, net, batch_size=41, **kw)
    with pytest.raises(ValueError, match="lr"):
        en.sgd(th, X, Y, net, batch_size=10, lr=0.0, **kw)
    with pytest.raises(ValueError, match="decay"):
        en.sgd(th, X, Y, net, batch_size=10, decay=-1.0, **kw)
    with pytest.raises(ValueError, match="epochs"):
        en.sgd(th, X, Y, net, batch_size=10, epochs=-1, **kw)
    with pytest.raises(ValueError, match="indices"):
        en.sgd(th, X, Y, net, batch_size=10, indices=[0, 0], **kw)
    with pytest.raises(ValueError, match="indices"):
        en.sgd(th, X, Y, net, batch_size=10, indices=[0, 1, 2], **kw)
    with pytest.raises(ValueError, match="indices"):
        en.init(net, [], **kw)
    with pytest.raises(ValueError, match="chunk"):
        en.sgd(th, X, Y, net, batch_size=10, chunk=0, **kw)
    with pytest.raises(ValueError, match="thetas"):
        en.sgd(th[:, :-1], X, Y, net, batch_size=10, **kw)
    with pytest.raises(ValueError, match="X"):
        en.sgd(th, X[:, :4], Y, net, batch_size=10, **kw)
    with pytest.raises(ValueError, match="Xb"):
        en.grad(th, X, Y, net)
    with pytest.raises(ValueError, match="labels"):
        en.accuracy(th, X, np.zeros(3, dtype=int), net)
    with pytest.raises(ValueError, match="purpose"):
        en.network_streams(0, -1, [0])


def test_adam_equals_networks_train():
    # the batched full-batch Adam and landscape.nets.networks.train (vmap) run the same iteration:
    # equal end points up to float64 round-off amplified over 60 steps
    g = torch.Generator().manual_seed(3)
    X = torch.randn(30, 4, generator=g, dtype=torch.float64)
    Y = torch.randn(30, 1, generator=g, dtype=torch.float64)
    net = nw.MLP((4, 6, 6, 1), bias=False)
    th0 = nw.init_params(net, 5, g, scale=2 ** 0.5)
    ref, ref_L, ref_g = nw.train(th0, X, Y, net, steps=60, lr=1e-2)
    th, L, gn = en.adam(th0, X, Y, net, steps=60, lr=1e-2, chunk=2)
    torch.testing.assert_close(th, ref, rtol=1e-9, atol=1e-11)
    torch.testing.assert_close(L, ref_L, rtol=1e-9, atol=1e-13)
    torch.testing.assert_close(gn, ref_g, rtol=1e-7, atol=1e-11)
    with pytest.raises(ValueError, match="steps"):
        en.adam(th0, X, Y, net, steps=-1)
    with pytest.raises(ValueError, match="chunk"):
        en.adam(th0, X, Y, net, chunk=0)
