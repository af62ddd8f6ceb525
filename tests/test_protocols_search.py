"""Tests of landscape.protocols.critical_points_search: the chapter's settings and summaries."""
import dataclasses
import math

import numpy as np
import pytest
import torch

from landscape import compute
from landscape.nets import critical_search as cs
from landscape.protocols import critical_points_search as protocol


@pytest.fixture(scope="module")
def small():
    # two tiny tanh searches and one linear one, with the quick profile's settings shortened
    kw = dict(protocol.PROFILES["quick"].search_settings(), gd_steps=60, max_iters=200)
    tanh = {phi: cs.search(2, cs.samples_for_ratio(2, phi), 12, "tanh", compute.torch_stream(0, ("t", i)), **kw)
            for i, phi in enumerate((0.25, 0.5))}
    linear = {0.5: cs.search(2, 8, 12, "linear", compute.torch_stream(0, "l"), **kw)}
    return kw, tanh, linear


def test_profiles_are_frozen_validated_and_drive_search():
    quick = protocol.PROFILES["quick"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.n = 5
    assert [s[0] for s in quick.searches()].count("tanh") == len(quick.tanh_phis)
    assert protocol.PROFILES["full"].n == 16 and set(protocol.PROFILES) == set(compute.PROFILES)
    assert quick.linear_tasks < protocol.PROFILES["full"].linear_tasks
    with pytest.raises(ValueError, match="tanh_runs"):
        dataclasses.replace(quick, tanh_runs=0)
    with pytest.raises(ValueError, match="factor_dtype"):
        dataclasses.replace(quick, factor_dtype="float16")
    kw = dict(quick.search_settings(), max_iters=30, gd_steps=20)
    res = cs.search(2, 8, 3, "tanh", torch.Generator().manual_seed(0), **kw)
    assert res.settings["max_age"] == quick.max_age


def test_streams_are_named_by_use_activation_and_phi():
    assert protocol.stream("search", "tanh", 1 / 8) == ("search", "tanh", "phi=0.125")
    names = {protocol.stream(u, a, p) for u in ("search", "budget-bootstrap") for a in ("tanh", "linear")
             for p in (1 / 8, 1 / 4)}
    assert len({compute.stream_seed(0, s) for s in names}) == len(names) == 8
    with pytest.raises(ValueError, match="activation"):
        protocol.stream("search", "relu", 0.5)
    with pytest.raises(ValueError, match="use"):
        protocol.stream("")


def test_summaries_count_the_runs(small):
    _, tanh, linear = small
    rows = protocol.search_summary([tanh, linear])
    assert [r["activation"] for r in rows] == ["tanh", "tanh", "linear"]
    for r, res in zip(rows, [*tanh.values(), *linear.values()]):
        assert r["runs"] == 12 and r["kept"] == int(res.kept.sum())
        assert sum(r[s] for s in cs.STATUS) == 12
    ds = protocol.discard_summary(tanh)
    assert ds["discarded"] + ds["kept"] == 24 and 0 <= ds["converged"] <= ds["kept"]
    assert ds["start_norm"] == pytest.approx(math.sqrt(2 * 2))
    table = protocol.zero_count_table({"tanh": tanh})
    assert [t["kept"] for t in table] == [int(r.kept.sum()) for r in tanh.values()]


def test_budget_check_matches_budget_dependence(small):
    _, tanh, _ = small
    rows, est, se = protocol.budget_check(tanh, lambda phi: np.random.default_rng(1), n_boot=20)
    assert est.shape == se.shape == (2, 2)
    for row, (phi, r), e in zip(rows, tanh.items(), est):
        bd = cs.budget_dependence(r, np.random.default_rng(1), n_boot=20)
        assert row["phi"] == phi and np.allclose(e, bd["estimate"], equal_nan=True)


def test_linear_zero_modes_and_minima(small):
    _, _, linear = small
    zm = protocol.linear_zero_mode_check(linear, 2)
    assert zm["allowed"] == [0, 3, 4]
    assert zm["determined"].size == int(linear[0.5].kept.sum())
    assert zm["in_set"].all() and zm["passed"] == bool(zm["determined"].mean() >= 0.5)
    rows = protocol.linear_minimum_rows(linear, zm["modes"], 2000, lambda phi: torch.Generator().manual_seed(3))
    row = rows[0]
    assert row["half_1_minus_phi_over_2"] == pytest.approx(0.5 * (1 - 0.5 / 2))
    # the mean least-squares energy of n = 2, m = 8 tasks is ½(1 − n/m)
    assert abs(row["mean_lstsq"] - 0.375) < 4 * row["se"]
    if row["minima"]:
        assert row["max_gap_to_lstsq"] < 1e-5


def test_autodiff_check_agrees_and_sees_a_wrong_point(small):
    kw, tanh, _ = small
    g = lambda: compute.torch_stream(0, ("t", 0))
    res = tanh[0.25]
    X, Y, th = cs.search_points(2, res.m, 12, "tanh", g(), **kw)
    ad = protocol.autodiff_check(res, X, Y, th, kw["zero_tol"])
    assert ad["kept"] == int(res.kept.sum()) and ad["hessian_diff"] < 1e-10
    if ad["kept"]:
        assert ad["grad_max"] < 1e-3 and ad["index_same"]
        moved = protocol.autodiff_check(res, X, Y, th + 0.3, kw["zero_tol"])   # not the recorded points
        assert moved["grad_max"] > 1e-3


def test_fits_and_trend_statistics():
    rng = np.random.default_rng(0)
    # synthetic kept runs obeying ε = ε_c + (α/α0)^(2/3) with ε_c = 0.2, P = 32
    neg = rng.integers(1, 14, 600)
    energy = 0.2 + (neg / 32 / 2.0) ** (2 / 3) + 0.002 * rng.standard_normal(600)
    fake = type("R", (), dict(kept=np.ones(600, bool), energy=energy, negative=neg, n_params=32))
    rows, tabs = protocol.index_energy_fits({0.5: fake}, lambda phi, which: np.random.default_rng(2),
                                            alpha_max=0.45, n_boot=30)
    assert rows[0]["eps_c"] == pytest.approx(0.2, abs=0.01) and rows[0]["alpha0"] == pytest.approx(2.0, rel=0.1)
    assert len(tabs[0.5]) == 13
    z, rho = protocol.index_growth_z(energy, neg)
    assert z > 10 and rho > 0.9
    z0, _ = protocol.index_growth_z(rng.standard_normal(200), rng.integers(0, 5, 200))
    assert abs(z0) < 4
    assert protocol.pooled_exponent([1.0, 2.0, 5.0], [1.0, 1.0, np.nan]) == pytest.approx((1.5, 1 / math.sqrt(2)))
    with pytest.raises(ValueError, match="standard error"):
        protocol.pooled_exponent([1.0], [0.0])
    slope, se = protocol.eps_c_trend([0.1, 0.2, 0.5], [0.4, 0.3, 0.0], [0.01, 0.01, 0.01])
    assert slope == pytest.approx(-1.0) and se > 0
