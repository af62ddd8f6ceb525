import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from landscape.nets import losses, networks as nw

ROBUST = ("squared", "pseudo_huber", "blake_zisserman", "corrupted_gaussian", "cauchy")


def test_reference_values():
    # closed forms at simple points (by hand from the definitions in Nguyen & Hein 2017, §3.2)
    assert float(losses.pseudo_huber(1.0, 1.0)) == pytest.approx(2 * (math.sqrt(2) - 1), rel=1e-15)
    assert float(losses.blake_zisserman(0.0, 0.1)) == pytest.approx(-math.log(1.1), rel=1e-15)
    assert float(losses.corrupted_gaussian(0.0, 0.5, 6.0)) == pytest.approx(-math.log(0.5 + 0.5 / 6), rel=1e-15)
    assert float(losses.cauchy(1.0, 1.0)) == pytest.approx(math.log(2), rel=1e-15)
    assert float(losses.cauchy(2.0, 2.0)) == pytest.approx(4 * math.log(2), rel=1e-15)
    assert float(losses.squared(-3.0)) == 9.0
    # large residuals: Blake–Zisserman saturates at −log δ without underflow to log 0
    assert float(losses.blake_zisserman(1e3, 0.1)) == pytest.approx(-math.log(0.1), rel=1e-15)
    # corrupted Gaussian at large a: a²/w² − log((1−α)/w), computed without underflow
    a = 1e3
    assert float(losses.corrupted_gaussian(a, 0.5, 6.0)) == pytest.approx(a * a / 36 - math.log(0.5 / 6), rel=1e-12)


@pytest.mark.parametrize("name", ROBUST)
@given(a=st.floats(-20, 20))
def test_derivative_matches_autograd(name, a):
    L = losses.get(name)
    t = torch.tensor([a], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(L.value(t).sum(), t)
    assert float(L.derivative(torch.tensor([a], dtype=torch.float64))) == pytest.approx(float(g), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name", ROBUST)
def test_minimum_and_only_critical_point_at_zero(name):
    # Assumption 3.2.3: l'(a) = 0 only at global minima; the minimum is at a = 0
    L = losses.get(name)
    a = torch.linspace(-30, 30, 6001, dtype=torch.float64)
    a = a[a != 0]
    assert bool((L.value(a) >= L.minimum - 1e-15).all())
    assert float(L.value(torch.zeros(1, dtype=torch.float64))) == pytest.approx(L.minimum, abs=1e-15)
    d = L.derivative(a)
    assert bool((torch.sign(d[a.abs() < 5]) == torch.sign(a[a.abs() < 5])).all())
    assert bool((torch.sign(d) * torch.sign(a) >= 0).all())


@pytest.mark.parametrize("name", ["squared", "pseudo_huber", "cauchy"])
def test_quadratic_near_zero(name):
    a = torch.tensor([1e-4], dtype=torch.float64)
    assert float(losses.get(name).value(a)) / 1e-8 == pytest.approx(1.0, rel=1e-7)


def test_pseudo_huber_slope():
    for delta in (0.5, 1.0, 3.0):
        big = torch.tensor([1e4], dtype=torch.float64)
        slope = float(losses.pseudo_huber(big + 1, delta) - losses.pseudo_huber(big, delta))
        assert slope == pytest.approx(2 * delta, rel=1e-6)


@given(st.integers(0, 10_000))
def test_squared_hinge_equals_max_form(seed):
    # §5: with a ±1 encoding, Φ = Σ max(0, 1 − y f)²
    g = torch.Generator().manual_seed(seed)
    F = 3 * torch.randn(7, 3, generator=g, dtype=torch.float64)
    lab = torch.randint(0, 3, (7,), generator=g)
    Y = torch.where(torch.nn.functional.one_hot(lab, 3) > 0, 1.0, -1.0).to(torch.float64)
    L = losses.get("squared_hinge")
    expected = torch.clamp(1 - Y * F, min=0).pow(2).sum()
    assert float(L(F, Y)) == pytest.approx(float(expected), rel=1e-14, abs=1e-14)
    Ft = F.clone().requires_grad_(True)
    (gF,) = torch.autograd.grad(L(Ft, Y), Ft)
    assert torch.allclose(L.residual_grad(F, Y), gF, atol=1e-14)


def test_loss_as_networks_objective():
    net = nw.MLP((3, 4, 1), "tanh")
    g = torch.Generator().manual_seed(0)
    theta = nw.init_params(net, 2, g)
    X = torch.randn(5, 3, generator=g, dtype=torch.float64)
    Y = torch.randn(5, 1, generator=g, dtype=torch.float64)
    sq = losses.get("squared")
    # Φ = Σ r² = 2 × networks' "squared" (½ Σ r²)
    assert torch.allclose(nw.batched_loss(theta, X, Y, net, kind=sq), 2 * nw.batched_loss(theta, X, Y, net, "squared"))
    v, gr = nw.batched_grad(theta, X, Y, net, kind=losses.get("cauchy"))
    assert gr.shape == theta.shape and torch.isfinite(v).all()


def test_bad_input():
    with pytest.raises(ValueError, match="name"):
        losses.get("huber")
    with pytest.raises(ValueError, match="params"):
        losses.get("cauchy", w=2.0)
    with pytest.raises(ValueError, match="delta"):
        losses.pseudo_huber(1.0, delta=0.0)
    with pytest.raises(ValueError, match="delta"):
        losses.blake_zisserman(1.0, delta=-1.0)
    with pytest.raises(ValueError, match="delta"):
        losses.cauchy(1.0, delta=0.0)
    with pytest.raises(ValueError, match="alpha"):
        losses.corrupted_gaussian(1.0, alpha=1.5)
    with pytest.raises(ValueError, match="w"):
        losses.corrupted_gaussian(1.0, w=0.0)
    with pytest.raises(ValueError, match="a"):
        losses.squared(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="a"):
        losses.hinge_l1([np.inf])
    with pytest.raises(ValueError, match="a"):
        losses.hinge_l2([np.nan])
