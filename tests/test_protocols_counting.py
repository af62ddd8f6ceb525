"""The profiles of the counting chapters (landscape/protocols: critical_points_complex,
critical_points_real), the tables they build, and counting.depth_peak that both use."""
import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from landscape.protocols import critical_points_complex, critical_points_real
from landscape.spin_glass import counting

MODULES = (critical_points_complex, critical_points_real)
_id = lambda m: m.__name__.rsplit(".", 1)[1]  # noqa: E731


def test_todays_values_complex():
    # the chapter's numbers before the profiles moved here; a change must be deliberate
    p = critical_points_complex.PROFILES
    assert (p["quick"].tensors_per_size, p["full"].tensors_per_size) == (3, 20)
    sizes = [(L, 3) for L in range(2, 7)] + [(L, 4) for L in range(2, 6)] + [(L, 5) for L in range(2, 6)]
    assert list(p["quick"].sizes) == list(p["full"].sizes) == sizes
    assert p["quick"].total_tensors == 39


def test_todays_values_real():
    p = critical_points_real.PROFILES
    assert (p["quick"].variance_tensors, p["full"].variance_tensors) == (4000, 40000)
    quick_sg = {(2, 3): 300, (3, 3): 200, (4, 3): 130, (5, 3): 80, (2, 4): 400, (3, 4): 120, (4, 4): 80, (5, 4): 60}
    full_sg = {(2, 3): 2000, (3, 3): 2000, (4, 3): 1000, (5, 3): 1000, (2, 4): 2000, (3, 4): 1000, (4, 4): 1000,
               (5, 4): 1000}
    quick_iid = {(2, 3): 400, (3, 3): 160, (4, 3): 60, (2, 4): 400, (3, 4): 80}
    full_iid = {(2, 3): 2000, (3, 3): 1000, (4, 3): 1000, (2, 4): 2000, (3, 4): 1000}
    # the order matters: the sizes share one homotopy stream, solved in this order
    assert p["quick"].spin_glass_sizes == tuple((L, H, n) for (L, H), n in quick_sg.items())
    assert p["full"].spin_glass_sizes == tuple((L, H, n) for (L, H), n in full_sg.items())
    assert p["quick"].iid_sizes == tuple((L, H, n) for (L, H), n in quick_iid.items())
    assert p["full"].iid_sizes == tuple((L, H, n) for (L, H), n in full_iid.items())
    assert p["quick"].growth_Lambdas == (1000, 1500, 2000, 2500, 3000)
    assert p["full"].growth_Lambdas == (2000, 4000, 6000, 8000, 10000)
    # what the chapter's profile paragraph says
    assert p["quick"].tensors == (60, 400) and p["quick"].total_tensors == 2470
    assert p["full"].tensors == (1000, 2000)


@pytest.mark.parametrize("module, change, message", [
    (critical_points_complex, dict(tensors_per_size=0), "`tensors_per_size`"),
    (critical_points_complex, dict(sizes=()), "`sizes`"),
    (critical_points_complex, dict(sizes=((3, 3, 1),)), "`sizes[0]`"),
    (critical_points_complex, dict(sizes=((1, 3),)), "`sizes[0].Lambda`"),
    (critical_points_complex, dict(sizes=((3, 2),)), "`sizes[0].H`"),
    (critical_points_complex, dict(sizes=((3, 3), (3, 3))), "repeat"),
    (critical_points_real, dict(variance_tensors=1), "`variance_tensors`"),
    (critical_points_real, dict(spin_glass_sizes=()), "`spin_glass_sizes`"),
    (critical_points_real, dict(spin_glass_sizes=((2, 3),)), "`spin_glass_sizes[0]`"),
    (critical_points_real, dict(iid_sizes=((2, 3, 1),)), "`iid_sizes[0].tensors`"),
    (critical_points_real, dict(iid_sizes=((2, 2, 10),)), "`iid_sizes[0].H`"),
    (critical_points_real, dict(iid_sizes=((2, 3, 10), (2, 3, 20))), "repeat"),
    (critical_points_real, dict(growth_Lambdas=(1000,)), "`growth_Lambdas`"),
    (critical_points_real, dict(growth_Lambdas=(2000, 1000)), "strictly increasing"),
    (critical_points_real, dict(growth_Lambdas=(1000, 30000)), "`growth_Lambdas[1]`"),
])
def test_bad_settings_fail_naming_the_field(module, change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        dataclasses.replace(module.PROFILES["quick"], **change)


@pytest.mark.parametrize("module", MODULES, ids=_id)
def test_chapter_reads_its_profile_here(module):
    # the chapter takes its settings from the module, not from run.pick or a per-chapter copy
    name = _id(module)
    text = (Path(__file__).resolve().parents[1] / "book" / f"{name}.md").read_text()
    assert f"cfg = {name}.PROFILES[run.profile]" in text
    assert "run.pick(" not in text
    assert not re.search(r"run\.(torch_generator|numpy_rng)\(\s*\d", text)
    # the generators follow the run's device; what stays on the CPU (the numpy solver) is said so
    assert 'device="cpu"' not in text
    assert "**CPU-only parts.**" in text


# --- counting.depth_peak --------------------------------------------------------------------
@pytest.mark.parametrize("counts, expected", [
    ([1.0, 3.0, 2.0, 0.5], (3, 3.0, True, True)),
    ([1.0, 2.0, 3.0, 4.0], (5, 4.0, True, True)),       # peak at the last depth: nothing after it
    ([4.0, 3.0, 2.0, 1.0], (2, 4.0, True, True)),       # peak at the first depth: nothing before it
    ([1.0, 3.0, 2.0, 2.5], (3, 3.0, True, False)),      # rises again after the peak
    ([1.0, 1.0, 3.0, 2.0], (4, 3.0, False, True)),      # flat before the peak
])
def test_depth_peak(counts, expected):
    peak = counting.depth_peak([2, 3, 4, 5], counts)
    assert (peak["argmax_H"], peak["max"], peak["increasing_before"], peak["decreasing_after"]) == expected
    assert isinstance(peak["argmax_H"], int) and isinstance(peak["increasing_before"], bool)
    assert [2, 3, 4, 5][peak["index"]] == peak["argmax_H"]


def test_depth_peak_bad_input():
    with pytest.raises(ValueError, match="same length"):
        counting.depth_peak([2, 3], [1.0])
    with pytest.raises(ValueError, match="same length"):
        counting.depth_peak([2], [1.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        counting.depth_peak([3, 2], [1.0, 2.0])
    with pytest.raises(ValueError, match="counts"):
        counting.depth_peak([2, 3], [1.0, np.nan])


# --- the tables -----------------------------------------------------------------------------
def test_solve_random_tensors_counts_eq5():
    g = torch.Generator().manual_seed(0)
    table, solved = critical_points_complex.solve_random_tensors(((2, 3), (3, 4)), 2, g,
                                                                 rng=np.random.default_rng(0), progress=False)
    assert list(table["Lambda"]) == [2, 3] and list(table["eq. (5)"]) == [3, 13]
    assert (table["min found"] == table["eq. (5)"]).all() and (table["max found"] == table["eq. (5)"]).all()
    assert (table["lost"] == 0).all() and (table["max residual"] < 1e-10).all()
    assert set(solved) == {(2, 3), (3, 4)} and all(len(r) == 2 for r in solved.values())
    # the summary is that of the results it returns
    assert critical_points_complex.solve_summary(3, 4, solved[(3, 4)]) == table.iloc[1].to_dict()
    # conjugation orbits (N_C + N_R)/2 never exceed the classes
    assert (table["conjugation orbits"] <= table["eq. (5)"]).all()


def test_solve_summary_bad_input():
    with pytest.raises(ValueError, match="results"):
        critical_points_complex.solve_summary(3, 3, [])
    with pytest.raises(ValueError, match="Lambda"):
        critical_points_complex.solve_summary(0, 3, [])


def test_complex_counts_over_depth_reproduce_the_arxiv_figure():
    H_grid = np.arange(2, 41)
    table, curves = critical_points_complex.complex_counts_over_depth((100, 150, 175, 200), H_grid)
    assert table["argmax H"].tolist() == [5, 6, 6, 6]
    assert table["decreasing after max"].all() and table["increasing before max"].all()
    assert list(table.columns[4:6]) == ["N_C at H=2", "N_C at H=40"]
    nc, ncp = curves[100]
    assert nc.shape == ncp.shape == H_grid.shape and table.loc[0, "max N_C"] == nc.max()


def test_real_counts_over_depth():
    H_grid = np.arange(2, 31)
    table, curves = critical_points_real.real_counts_over_depth((726,), H_grid, n0=10)
    assert table["count"].tolist() == ["eq. (6) as printed", "corrected (Kac-Rice)"]
    printed, corrected = curves[726]
    for row, y in zip(table.to_dict("records"), (printed, corrected)):
        k = int(np.argmax(y))
        assert row["argmax H"] == H_grid[k] and row["max"] == y[k]
    # the PRL's deep network (H = 7) lies before the maximum over depth at 726 weights
    assert (table["argmax H"] >= 7).all()


def test_growth_rates_are_half_log_h_minus_one():
    table = critical_points_real.growth_rates((1000, 1500, 2000), Hs=(3, 4))
    assert table["H"].tolist() == [3, 4]
    np.testing.assert_allclose(table["slope corrected"], table["log(H-1)/2"], rtol=3e-3)
    np.testing.assert_allclose(table["slope eq. (6)"], table["log(H-1)/2"], rtol=3e-3)
    assert table.loc[0, "printed log(H)/2"] == pytest.approx(0.5 * math.log(3))
    with pytest.raises(ValueError, match="H"):
        critical_points_real.growth_rates((1000, 2000), Hs=(2,))


def test_monte_carlo_table_uses_one_named_generator_per_size():
    asked = []

    def generator_for(model, L, H):
        asked.append((model, L, H))
        return torch.Generator().manual_seed(len(asked))

    table = critical_points_real.monte_carlo_table(((2, 3, 20),), ((2, 3, 20), (2, 4, 10)), generator_for,
                                                   rng=np.random.default_rng(0), progress=False)
    assert asked == [("spin_glass", 2, 3), ("iid", 2, 3), ("iid", 2, 4)]
    assert table["tensors"].tolist() == [20, 20, 10] and (table["lost"] == 0).all()
    row = table.iloc[0]
    assert row["Kac-Rice"] == pytest.approx(math.sqrt(7)) and row["eq. (6)"] == pytest.approx(math.sqrt(3))
    assert row["z vs Kac-Rice"] == pytest.approx((row["mean"] - row["Kac-Rice"]) / row["se"])
    # the real classes are some of the N_C complex ones (eq. (5))
    assert (table["mean"] >= 0).all() and (table["mean"] <= table["N_C"]).all()


# --- the device path ------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["spin_glass", "iid"])
def test_sample_tensors_draws_the_cpu_stream_it_always_drew(model):
    # the chapters' numbers on the CPU are unchanged by drawing on the generator's device
    g = torch.Generator().manual_seed(3)
    T = counting.sample_tensors(4, 3, 3, g, model=model)
    g = torch.Generator().manual_seed(3)
    if model == "spin_glass":
        from landscape.spin_glass import hamiltonian

        old = np.stack([hamiltonian.sample_couplings(3, 3, g, dtype=torch.float64, device="cpu").tensor.numpy()
                        for _ in range(4)])
    else:
        from landscape.spin_glass.homotopy import partial_symmetrize

        old = np.stack([partial_symmetrize(t) for t in torch.randn((4, 3, 3, 3), generator=g, dtype=torch.float64).numpy()])
    np.testing.assert_array_equal(T, old)


@pytest.mark.parametrize("device", [
    "cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"))])
@pytest.mark.parametrize("model", ["spin_glass", "iid"])
def test_sample_tensors_draws_on_the_generators_device(device, model):
    # the chapters pass run.device generators; the tensors come back as CPU numpy for the solver
    g = torch.Generator(device=device).manual_seed(0)
    T = counting.sample_tensors(3, 3, 3, g, model=model)
    assert isinstance(T, np.ndarray) and T.shape == (3, 3, 3, 3) and T.dtype == np.float64
    mc = counting.monte_carlo_real_count(2, 3, 5, g, model=model, rng=np.random.default_rng(0))
    assert mc["lost"] == 0 and mc["n"] == 5
