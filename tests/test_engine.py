import pytest
import torch
from hypothesis import given, settings, strategies as st

from landscape.nets import engine
from landscape.nets import networks as nw


def _batch(n0, n1, n2, m, B=3, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    P = n1 * (n0 + n2)
    th = torch.randn(B, P, generator=g, dtype=torch.float64) * scale
    X = torch.randn(B, m, n0, generator=g, dtype=torch.float64)
    Y = torch.randn(B, m, n2, generator=g, dtype=torch.float64)
    V = torch.randn(B, P, generator=g, dtype=torch.float64)
    return th, X, Y, V


def _autodiff(th, X, Y, act):
    # Reference: torch.func autodiff (reverse over reverse) of networks.loss("mse") for each run,
    # the book's shared network code, one run at a time.
    net = nw.MLP((X.shape[-1], th.shape[-1] // (X.shape[-1] + Y.shape[-1]), Y.shape[-1]), activation=act, bias=False)
    out = [(*nw.loss_and_grad(t, x, y, net), nw.hessian(t, x, y, net, method="autodiff")) for t, x, y in zip(th, X, Y)]
    return (torch.stack([o[0] for o in out]), torch.stack([o[1] for o in out]), torch.stack([o[2] for o in out]))


@pytest.mark.parametrize("act", list(engine.ACTIVATIONS))
@pytest.mark.parametrize("dims", [(3, 4, 2, 7), (2, 5, 3, 1), (4, 4, 4, 16)])
def test_closed_forms_match_autodiff(act, dims):
    th, X, Y, V = _batch(*dims)
    L0, G0, H0 = _autodiff(th, X, Y, act)
    L, G, H = engine.loss_grad_hessian(th, X, Y, act)
    # float64 round-off: entries are O(1)-O(10) sums of m·n products, so 1e-12 absolute is
    # ~1e3 ulp; a wrong term would be O(1)
    assert torch.allclose(L, L0, rtol=0, atol=1e-13)
    assert torch.allclose(G, G0, rtol=0, atol=1e-12)
    assert torch.allclose(H, H0, rtol=0, atol=1e-12)
    assert torch.allclose(engine.loss(th, X, Y, act), L0, rtol=0, atol=1e-13)
    L1, G1 = engine.loss_grad(th, X, Y, act)
    assert torch.equal(L1, L) and torch.allclose(G1, G, rtol=0, atol=1e-14)
    HV0 = (H0 @ V[..., None])[..., 0]
    assert torch.allclose(engine.hvp(th, X, Y, V, act), HV0, rtol=0, atol=1e-12)
    _, _, HG = engine.loss_grad_hgrad(th, X, Y, act)
    assert torch.allclose(HG, (H0 @ G0[..., None])[..., 0], rtol=0, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 9), st.integers(0, 10_000))
def test_hessian_symmetric_and_hvp_consistent(n0, n1, n2, m, seed):
    th, X, Y, V = _batch(n0, n1, n2, m, B=2, seed=seed)
    H = engine.hessian(th, X, Y, "tanh")
    assert torch.allclose(H, H.transpose(1, 2), rtol=0, atol=1e-13)
    assert torch.allclose(engine.hvp(th, X, Y, V, "tanh"), (H @ V[..., None])[..., 0], rtol=0, atol=1e-12)


def test_a_run_does_not_depend_on_its_batch():
    # each run's numbers are its own: the same run alone and inside a batch of 5 agree to round-off
    th, X, Y, V = _batch(3, 4, 2, 6, B=5, seed=3)
    L, G, H = engine.loss_grad_hessian(th, X, Y, "tanh")
    l, g, h = engine.loss_grad_hessian(th[2:3], X[2:3], Y[2:3], "tanh")
    assert torch.allclose(l[0], L[2], rtol=0, atol=1e-15)
    assert torch.allclose(g[0], G[2], rtol=0, atol=1e-15) and torch.allclose(h[0], H[2], rtol=0, atol=1e-15)


def test_activation_table_derivatives():
    # σ′ and σ″ of the table against autodiff of σ, at points away from the ReLU kink
    z = torch.linspace(-3, 3, 61, dtype=torch.float64)
    z = z[z.abs() > 1e-3]
    for name, act in engine.ACTIVATIONS.items():
        A, S, S2 = act.derivatives(z)
        d1 = torch.func.vmap(torch.func.grad(lambda x: act(x)))(z)
        d2 = torch.func.vmap(torch.func.grad(torch.func.grad(lambda x: act(x))))(z)
        assert torch.allclose(A, act(z)) and torch.allclose(S, d1, atol=1e-14), name
        assert torch.allclose(S2, d2, atol=1e-14), name


def test_activation_table_entries_agree():
    # value, slope(z, σ(z)) and the numpy evaluation are the same σ and σ′ as derivatives(): the
    # forward passes of networks/ensembles/wide and the Hessians here read one definition
    import numpy as np

    z = torch.linspace(-30, 30, 241, dtype=torch.float64)
    for name, act in engine.ACTIVATIONS.items():
        A, S, _ = act.derivatives(z)
        assert torch.equal(act.value(z), A), name
        assert torch.equal(act.slope(z, act.value(z)), S), name
        assert np.array_equal(act.numpy(z.numpy()), A.numpy()), name
        assert act.numpy([0.5]).dtype == np.float64


def test_every_network_module_reads_the_one_table():
    from landscape.nets import networks, wide

    assert set(networks.ACTIVATIONS) == set(engine.ACTIVATIONS)
    z = torch.linspace(-2, 2, 9, dtype=torch.float64)
    for name in networks.ACTIVATIONS:
        sigma, slope = wide.activation_pair(name)
        act = engine.ACTIVATIONS[name]
        assert torch.equal(sigma(z), act.value(z)) and torch.equal(slope(z), act.slope(z, act.value(z))), name


def test_cuda_matches_cpu_if_available():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    th, X, Y, _ = _batch(3, 4, 2, 7)
    H = engine.hessian(th, X, Y)
    Hc = engine.hessian(th.cuda(), X.cuda(), Y.cuda()).cpu()
    assert torch.allclose(H, Hc, rtol=0, atol=1e-12)


def test_flops_doctest_and_bad_input():
    import doctest

    assert doctest.testmod(engine).failed == 0
    th, X, Y, V = _batch(3, 4, 2, 7)
    with pytest.raises(ValueError, match="`activation`"):
        engine.loss_grad(th, X, Y, "gelu")
    with pytest.raises(ValueError, match="`thetas`"):
        engine.loss_grad(th[0], X, Y)
    with pytest.raises(ValueError, match="`thetas`"):
        engine.hessian(th[:, :-1], X, Y)
    with pytest.raises(ValueError, match="`X` and `Y`"):
        engine.loss_grad(th, X[:2], Y)
    with pytest.raises(ValueError, match="`X` and `Y`"):
        engine.loss_grad(th, X, Y[:, :3])
    with pytest.raises(ValueError, match="dtype"):
        engine.loss_grad(th, X.float(), Y)
    with pytest.raises(ValueError, match="`V`"):
        engine.hvp(th, X, Y, V[:, :3])
    with pytest.raises(ValueError, match="`what`"):
        engine.flops(2, 2, 2, 3, "jacobian")
    with pytest.raises(ValueError, match="`m`"):
        engine.flops(2, 2, 2, 0, "grad")


def test_empty_batch():
    th, X, Y, V = _batch(3, 4, 2, 7, B=1)
    L, G, H = engine.loss_grad_hessian(th[:0], X[:0], Y[:0])
    assert L.shape == (0,) and G.shape == (0, 20) and H.shape == (0, 20, 20)
    assert engine.hvp(th[:0], X[:0], Y[:0], V[:0]).shape == (0, 20)
