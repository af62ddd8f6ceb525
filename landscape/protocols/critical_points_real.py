"""Settings and tables of the chapter ``book/critical_points_real``.

The chapter counts the real critical points of random spin-glass Hamiltonians exactly, tensor by
tensor (:func:`landscape.spin_glass.counting.monte_carlo_real_count`), and compares the averages with
eq. (6) of Becker, Zhang & Lee (2020) as printed
(:func:`~landscape.spin_glass.counting.expected_real_count_eq6`) and with the Kac–Rice count for the
spin-glass law (:func:`~landscape.spin_glass.counting.expected_real_count`); it evaluates both against
depth at a fixed number of parameters (Fig. 1) and fits their growth rate in Λ.
:class:`CriticalPointsRealProfile` holds the Monte-Carlo budgets and the Λ of the growth fit;
:data:`PROFILES` the quick and full instances; :func:`monte_carlo_table`,
:func:`real_counts_over_depth` and :func:`growth_rates` build the chapter's tables.

The tensors are drawn on the device of the generators passed in; the homotopy solver that counts their
real eigenpairs is numpy and runs on the CPU, and the closed forms are numpy and mpmath.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from landscape import _validate
from landscape.progress import progress_bar
from landscape.spin_glass import counting, hamiltonian

__all__ = ["CriticalPointsRealProfile", "PROFILES", "monte_carlo_table", "real_counts_over_depth", "growth_rates"]


def _sizes(name, value):
    if not isinstance(value, tuple) or not value:
        raise ValueError(f"`{name}` must be a non-empty tuple of (Lambda, H, tensors); got {value!r}")
    for i, setting in enumerate(value):
        if not isinstance(setting, tuple) or len(setting) != 3:
            raise ValueError(f"`{name}[{i}]` must be (Lambda, H, tensors); got {setting!r}")
        # two tensors at least: the Monte-Carlo standard error is a sample standard deviation
        for part, v, minimum in zip(("Lambda", "H", "tensors"), setting, (2, 3, 2)):
            _validate.integer(f"{name}[{i}].{part}", v, minimum=minimum)
    keys = [(L, H) for L, H, _ in value]
    if len(set(keys)) != len(keys):
        raise ValueError(f"`{name}` must not repeat a (Lambda, H) pair; got {keys!r}")


@dataclass(frozen=True, kw_only=True)
class CriticalPointsRealProfile:
    """Settings of ``book/critical_points_real`` at one profile.

    Attributes
    ----------
    name : the profile's name
    variance_tensors : spin-glass tensors (Λ = H = 3) whose entries test the Kostlan variances
        Var T_α = 1/m(α), >= 2
    spin_glass_sizes : the Monte Carlo for the spin-glass law, a tuple of ``(Lambda, H, tensors)``:
        Λ >= 2, H >= 3 and >= 2 tensors solved at that size; no (Λ, H) twice; solved in this order
    iid_sizes : the same for the control, Breiding's tensors with i.i.d. entries
    growth_Lambdas : the Λ at which log N_R is evaluated to fit its growth rate (strictly
        increasing, at least two, at most
        :data:`~landscape.spin_glass.counting.MAX_LAMBDA_KAC_RICE`)
    """

    name: str
    variance_tensors: int
    spin_glass_sizes: tuple
    iid_sizes: tuple
    growth_Lambdas: tuple

    def __post_init__(self):
        _validate.integer("variance_tensors", self.variance_tensors, minimum=2)
        _sizes("spin_glass_sizes", self.spin_glass_sizes)
        _sizes("iid_sizes", self.iid_sizes)
        _validate.increasing_integers("growth_Lambdas", self.growth_Lambdas, minimum=2,
                                      maximum=counting.MAX_LAMBDA_KAC_RICE, min_length=2)

    @property
    def tensors(self) -> tuple:
        """The smallest and largest number of tensors solved at one size (both models)."""
        n = [t for _, _, t in self.spin_glass_sizes + self.iid_sizes]
        return min(n), max(n)

    @property
    def total_tensors(self) -> int:
        """Tensors solved in the Monte Carlo over all sizes and both models (its cost)."""
        return sum(t for _, _, t in self.spin_glass_sizes + self.iid_sizes)


#: ``quick``: 60 to 400 tensors per size (2 470 in all), growth rates fitted on Λ = 1000 … 3000;
#: ``full``: 1000 to 2000 per size (18 000), Λ = 2000 … 10 000.  The sizes are the same.
PROFILES = {
    "quick": CriticalPointsRealProfile(
        name="quick", variance_tensors=4000,
        spin_glass_sizes=((2, 3, 300), (3, 3, 200), (4, 3, 130), (5, 3, 80),
                          (2, 4, 400), (3, 4, 120), (4, 4, 80), (5, 4, 60)),
        iid_sizes=((2, 3, 400), (3, 3, 160), (4, 3, 60), (2, 4, 400), (3, 4, 80)),
        growth_Lambdas=(1000, 1500, 2000, 2500, 3000)),
    "full": CriticalPointsRealProfile(
        name="full", variance_tensors=40000,
        spin_glass_sizes=((2, 3, 2000), (3, 3, 2000), (4, 3, 1000), (5, 3, 1000),
                          (2, 4, 2000), (3, 4, 1000), (4, 4, 1000), (5, 4, 1000)),
        iid_sizes=((2, 3, 2000), (3, 3, 1000), (4, 3, 1000), (2, 4, 2000), (3, 4, 1000)),
        growth_Lambdas=(2000, 4000, 6000, 8000, 10000)),
}


def monte_carlo_table(spin_glass_sizes, iid_sizes, generator_for, *, rng: np.random.Generator,
                      progress: bool = True):
    """Monte-Carlo averages of exact real counts next to eq. (6), the Kac–Rice count and eq. (5).

    For each model (``"spin_glass"``, then ``"iid"``) and each ``(Lambda, H, tensors)`` of its sizes,
    in order, :func:`~landscape.spin_glass.counting.monte_carlo_real_count` draws ``tensors`` tensors
    from ``generator_for(model, Lambda, H)`` (a torch generator, on any device) and solves them with
    the homotopy driven by ``rng`` (numpy, shared by all sizes; the solver runs on the CPU).

    Returns
    -------
    pandas.DataFrame with one row per (model, Λ, H): ``tensors``, the ``mean`` real count (pairs ±w)
    and its standard error ``se``, the classes ``lost``, eq. (6) as printed
    (:func:`~landscape.spin_glass.counting.expected_real_count_eq6`), ``Kac-Rice``
    (:func:`~landscape.spin_glass.counting.expected_real_count`), ``N_C`` (eq. (5)), and the z-scores
    of the mean against eq. (6) and against Kac–Rice.
    """
    import pandas as pd

    rows = []
    for model, sizes in (("spin_glass", spin_glass_sizes), ("iid", iid_sizes)):
        for L, H, n in progress_bar(list(sizes), desc=model, enabled=progress):
            mc = counting.monte_carlo_real_count(L, H, n, generator_for(model, L, H), model=model, rng=rng)
            rows.append({"model": model, "Lambda": L, "H": H, "tensors": mc["n"], "mean": mc["mean"], "se": mc["se"],
                         "lost": mc["lost"], "eq. (6)": counting.expected_real_count_eq6(L, H),
                         "Kac-Rice": counting.expected_real_count(L, H), "N_C": counting.complex_count(L, H)})
    table = pd.DataFrame(rows)
    table["z vs eq. (6)"] = (table["mean"] - table["eq. (6)"]) / table["se"]
    table["z vs Kac-Rice"] = (table["mean"] - table["Kac-Rice"]) / table["se"]
    return table


def real_counts_over_depth(N_e_values, H_grid, n0: int = 10):
    """Eq. (6) as printed and the corrected (Kac–Rice) count against depth at fixed N_e (Becker et al. 2020, Fig. 1).

    Λ(N_e, H, n0) is eq. (4) (:func:`~landscape.spin_glass.hamiltonian.effective_weights`): input
    width ``n0``, H − 1 hidden layers of equal width, scalar output.  Λ is not an integer; eq. (6) is
    a real function of it and the corrected count interpolates log N_R between neighbouring integers.

    Returns
    -------
    table : pandas.DataFrame, one row per (N_e, count): the depth of the maximum, Λ there, the
        maximum, and whether the count falls strictly after it and rises strictly before it
        (:func:`~landscape.spin_glass.counting.depth_peak`)
    curves : dict N_e → (eq. (6) as printed, corrected count), arrays over ``H_grid``
    """
    import pandas as pd

    H_grid = np.asarray(H_grid)
    rows, curves = [], {}
    for N_e in N_e_values:
        lam = hamiltonian.effective_weights(N_e, H_grid, n0)
        printed = counting.expected_real_count_eq6(lam, H_grid)
        corrected = counting.expected_real_count(lam, H_grid)
        curves[N_e] = (printed, corrected)
        for name, y in (("eq. (6) as printed", printed), ("corrected (Kac-Rice)", corrected)):
            peak = counting.depth_peak(H_grid, y)
            rows.append({"N_e": N_e, "count": name, "argmax H": peak["argmax_H"], "Lambda at max": lam[peak["index"]],
                         "max": peak["max"], "decreasing after max": peak["decreasing_after"],
                         "increasing before max": peak["increasing_before"]})
    return pd.DataFrame(rows), curves


def growth_rates(Lambdas, Hs=(3, 4, 5, 6)):
    """Fitted growth rates of log N_R per effective weight against ½ log(H−1) and the printed ½ log H.

    The statement after eq. (6) of Becker et al. 2020 amounts to log N_R ≈ ½ log H · Λ; both eq. (6)
    and the Kac–Rice count grow like (H−1)^{Λ/2} times a power of Λ.  For each H the least-squares slope
    of log N_R against Λ on ``Lambdas`` (:func:`~landscape.spin_glass.counting.growth_rate`) is
    reported for eq. (6) and for the corrected count.

    Returns
    -------
    pandas.DataFrame with columns ``H``, ``slope eq. (6)``, ``slope corrected``, ``log(H-1)/2`` and
    ``printed log(H)/2``
    """
    import pandas as pd

    big = np.asarray(Lambdas, dtype=float)
    rows = []
    for H in Hs:
        H = _validate.integer("H", H, minimum=3)
        rows.append({"H": H, "slope eq. (6)": counting.growth_rate(big, counting.expected_real_count_eq6(big, H, log=True)),
                     "slope corrected": counting.growth_rate(big, counting.expected_real_count(big, H, log=True)),
                     "log(H-1)/2": 0.5 * math.log(H - 1), "printed log(H)/2": 0.5 * math.log(H)})
    return pd.DataFrame(rows)
