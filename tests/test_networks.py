import pytest
import torch

from landscape.nets import networks as nw


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "softplus", "linear"])
def test_forward_matches_torch_modules(activation):
    net = nw.MLP((3, 4, 2), activation)
    g = torch.Generator().manual_seed(0)
    theta = nw.init_params(net, 1, g)[0]
    (W1, b1), (W2, b2) = nw.unflatten(theta, net)
    X = torch.randn(5, 3, generator=g, dtype=torch.float64)
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
           "softplus": torch.nn.functional.softplus, "linear": lambda z: z}[activation]
    expected = act(X @ W1 + b1) @ W2 + b2
    assert torch.allclose(nw.forward(theta, X, net), expected)
    assert net.n_params == 3 * 4 + 4 + 4 * 2 + 2


def test_hessian_matches_finite_differences_of_gradient():
    net = nw.MLP((2, 3, 1), "tanh", bias=False)
    g = torch.Generator().manual_seed(1)
    theta = nw.init_params(net, 1, g)[0]
    X = torch.randn(7, 2, generator=g, dtype=torch.float64)
    Y = torch.randn(7, 1, generator=g, dtype=torch.float64)
    H = nw.hessian(theta, X, Y, net)
    h = 1e-6
    for i in range(net.n_params):
        e = torch.zeros_like(theta)
        e[i] = h
        fd = (nw.loss_and_grad(theta + e, X, Y, net)[1] - nw.loss_and_grad(theta - e, X, Y, net)[1]) / (2 * h)
        assert torch.allclose(H[i], fd, atol=1e-7)
    assert torch.allclose(nw.batched_hessian(theta[None], X, Y, net)[0], H)


def test_hessian_rows_in_chunks_equal_one_pass():
    net = nw.MLP((3, 4, 4, 2), "relu", bias=False)
    g = torch.Generator().manual_seed(3)
    thetas = nw.init_params(net, 3, g)
    X = torch.randn(9, 3, generator=g, dtype=torch.float64)
    Y = torch.randn(9, 2, generator=g, dtype=torch.float64)
    whole = nw.batched_hessian(thetas, X, Y, net, rows=net.n_params, method="autodiff")
    for rows in (1, 7):
        assert torch.allclose(nw.batched_hessian(thetas, X, Y, net, chunk=2, rows=rows, method="autodiff"),
                              whole, atol=1e-12)
        assert torch.allclose(nw.hessian(thetas[1], X, Y, net, rows=rows, method="autodiff"), whole[1], atol=1e-12)
    assert torch.allclose(whole, whole.transpose(1, 2), atol=1e-12)


def test_hessian_rows_bound_memory():
    small, mnist = nw.MLP((10, 22, 22, 1)), nw.MLP((100, 100, 10))
    assert nw.hessian_rows(small, 50) == small.n_params          # everything in one pass
    rows = nw.hessian_rows(mnist, 4000)
    assert 1 <= rows < 100
    assert rows * 8 * 4000 * sum(mnist.widths) * 8 <= nw.HESSIAN_MEMORY
    assert nw.hessian_rows(mnist, 4000, memory=1) == 1             # never zero rows
    with pytest.raises(ValueError, match="`m`"):
        nw.hessian_rows(small, 0)
    with pytest.raises(ValueError, match="`rows`"):
        nw.hessian(torch.zeros(small.n_params, dtype=torch.float64), torch.zeros(4, 10),
                   torch.zeros(4, 1), small, rows=0)


@pytest.mark.parametrize("widths", [(3, 4, 2), (3, 5, 4, 2), (4, 3, 3, 3, 3, 1)])
@pytest.mark.parametrize("activation", ["relu", "linear"])
@pytest.mark.parametrize("kind", ["mse", "half_sum"])
def test_closed_form_hessian_of_piecewise_linear_networks_equals_autodiff(widths, activation, kind, monkeypatch):
    net = nw.MLP(widths, activation, bias=False)
    g = torch.Generator().manual_seed(sum(widths))
    thetas = nw.init_params(net, 2, g, scale=1.5)
    X = torch.randn(23, widths[0], generator=g, dtype=torch.float64)
    Y = torch.randn(23, widths[-1], generator=g, dtype=torch.float64)
    auto = nw.batched_hessian(thetas, X, Y, net, kind, method="autodiff")
    closed = nw.batched_hessian(thetas, X, Y, net, kind, method="closed")
    assert torch.allclose(closed, auto, atol=1e-12, rtol=1e-12)
    assert torch.equal(nw.batched_hessian(thetas, X, Y, net, kind), closed)      # auto picks it (same call)
    # one network against the batch: other tensor shapes may take other kernels, so round-off only
    assert torch.allclose(nw.hessian(thetas[0], X, Y, net, kind), closed[0], atol=1e-12, rtol=1e-12)
    # sample chunks of the residual blocks give the same sums
    monkeypatch.setattr(nw, "CLOSED_FORM_CHUNK", 1)
    assert torch.allclose(nw.piecewise_linear_hessian(thetas[1], X, Y, net, kind), auto[1], atol=1e-12, rtol=1e-12)


def test_closed_form_hessian_refuses_other_networks():
    X, Y = torch.zeros(4, 2, dtype=torch.float64), torch.zeros(4, 1, dtype=torch.float64)
    for net in (nw.MLP((2, 3, 1), "tanh", bias=False), nw.MLP((2, 3, 1), "relu"),
                nw.MLP((2, 3, 1), "relu", bias=False, output_activation=True)):
        theta = torch.zeros(net.n_params, dtype=torch.float64)
        with pytest.raises(ValueError, match="`net`"):
            nw.piecewise_linear_hessian(theta, X, Y, net)
        with pytest.raises(ValueError, match="`method`"):
            nw.hessian(theta, X, Y, net, method="closed")
    net = nw.MLP((2, 3, 1), "relu", bias=False)
    theta = torch.zeros(net.n_params, dtype=torch.float64)
    with pytest.raises(ValueError, match="`method`"):
        nw.batched_hessian(theta[None], X, Y, net, method="exact")
    with pytest.raises(ValueError, match="`method`"):
        nw.hessian(theta, X, Y, net, kind=lambda F, Y: (F * F).sum(), method="closed")


def test_training_an_ensemble_reaches_critical_points():
    net = nw.MLP((3, 6, 1), "tanh")
    g = torch.Generator().manual_seed(2)
    thetas = nw.init_params(net, 5, g)
    X = torch.randn(8, 3, generator=g, dtype=torch.float64)
    Y = torch.randn(8, 1, generator=g, dtype=torch.float64)
    start = nw.batched_loss(thetas, X, Y, net)
    trained, losses, gnorm = nw.train(thetas, X, Y, net, steps=400, lr=0.05)
    assert torch.all(losses < start)
    refined, losses, gnorm = nw.newton_refine(trained, X, Y, net, steps=6)
    assert float(gnorm.max()) < 1e-8


def test_bad_input():
    with pytest.raises(ValueError, match="activation"):
        nw.MLP((2, 1), "swish")
    with pytest.raises(ValueError, match="widths"):
        nw.MLP((2,))
    with pytest.raises(ValueError, match=r"widths\[1\]"):
        nw.MLP((2, 0, 1))
    net = nw.MLP((2, 1))
    with pytest.raises(ValueError, match="theta"):
        nw.unflatten(torch.zeros(5), net)
    with pytest.raises(ValueError, match="X"):
        nw.batched_loss(torch.zeros(1, 3, dtype=torch.float64), torch.zeros(4, 3), torch.zeros(4, 1), net)
    with pytest.raises(ValueError, match="Y"):
        nw.hessian(torch.zeros(3, dtype=torch.float64), torch.zeros(4, 2), torch.zeros(4, 2), net)
    with pytest.raises(ValueError, match="method"):
        nw.train(torch.zeros(1, 3), torch.zeros(4, 2), torch.zeros(4, 1), net, method="sgd")


def test_init_params_needs_its_generator():
    # no start may come from torch's global stream: the generator is a required argument
    net = nw.MLP((2, 3, 1))
    with pytest.raises(TypeError):
        nw.init_params(net, 2)
    with pytest.raises(ValueError, match="generator"):
        nw.init_params(net, 2, None)
    a = nw.init_params(net, 2, torch.Generator().manual_seed(5))
    assert torch.equal(a, nw.init_params(net, 2, torch.Generator().manual_seed(5)))
