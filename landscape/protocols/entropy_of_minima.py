"""Settings of the chapter ``book/entropy_of_minima``.

The chapter checks the expected entropy :math:`S = -\\log\\det\\mathrm{Hess}` at minima of the spherical
spin glass, eq. (8) of Becker, Zhang & Lee (2020), with :mod:`landscape.spin_glass.minima`: the
semicircle integral against Monte Carlo on GOE matrices of growing size
(:func:`~landscape.spin_glass.minima.goe_log_det`), Fig. 3 on an energy grid, the O(1) finite-Λ
correction against the exact law of the Hessian (:func:`~landscape.spin_glass.minima.entropy_monte_carlo`),
and minima found by descent (:func:`~landscape.spin_glass.minima.sample_minima`) binned by energy.
:class:`EntropyOfMinimaProfile` holds the sizes and Monte-Carlo budgets of these parts;
:data:`PROFILES` the quick and full instances.  :func:`finite_lambda_law_table` and
:func:`energy_bin_table` build the chapter's tables of the finite-Λ check and of the sampled minima.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape import _validate

__all__ = ["EntropyOfMinimaProfile", "PROFILES", "finite_lambda_law_table", "energy_bin_table"]


@dataclass(frozen=True, kw_only=True)
class EntropyOfMinimaProfile:
    """Settings of ``book/entropy_of_minima`` at one profile.

    Attributes
    ----------
    name : the profile's name
    goe_sizes : GOE matrix sizes n of the semicircle-integral check (increasing; the largest sets
        the limit check)
    goe_samples : GOE matrices per size
    fig3_energies : points of the energy grid E/p in [−2.6, −1.5] of Fig. 3
    law_Lambdas : values of Λ of the finite-Λ correction check (exact law of the Hessian)
    law_samples : GOE(Λ − 1) matrices per Λ and weighting of that check
    sampled_Lambda : Λ of the minima found by descent (H = 3)
    sampled_starts : descent starts per landscape
    sampled_landscapes : independent coupling draws
    energy_bins : quantile bins of the sampled minima's energies (the paper's Fig. 4 uses 10)
    census_samples : exact-law samples of the census at each sampled minimum's energy
    curve_samples : exact-law samples per point of the census curve drawn in the figure
    """

    name: str
    goe_sizes: tuple
    goe_samples: int
    fig3_energies: int
    law_Lambdas: tuple
    law_samples: int
    sampled_Lambda: int
    sampled_starts: int
    sampled_landscapes: int
    energy_bins: int
    census_samples: int
    curve_samples: int

    def __post_init__(self):
        _validate.increasing_integers("goe_sizes", self.goe_sizes, minimum=1)
        _validate.increasing_integers("law_Lambdas", self.law_Lambdas, minimum=2)
        for name in ("goe_samples", "fig3_energies", "law_samples", "sampled_starts", "census_samples", "curve_samples"):
            _validate.integer(name, getattr(self, name), minimum=2)
        _validate.integer("sampled_Lambda", self.sampled_Lambda, minimum=3)
        _validate.integer("sampled_landscapes", self.sampled_landscapes, minimum=1)
        _validate.integer("energy_bins", self.energy_bins, minimum=1)


#: ``quick``: log-determinants at n ≤ 48, minima at Λ = 30 in 5 energy bins; ``full``: n ≤ 192,
#: Λ = 60 and the paper's 10 bins, with four to five times the Monte-Carlo samples.
PROFILES = {
    "quick": EntropyOfMinimaProfile(name="quick", goe_sizes=(6, 12, 24, 48), goe_samples=4000, fig3_energies=200,
                                    law_Lambdas=(13, 30), law_samples=10000, sampled_Lambda=30, sampled_starts=150,
                                    sampled_landscapes=5, energy_bins=5, census_samples=1000, curve_samples=1500),
    "full": EntropyOfMinimaProfile(name="full", goe_sizes=(6, 12, 24, 48, 96, 192), goe_samples=20000,
                                   fig3_energies=1000, law_Lambdas=(8, 13, 30, 80), law_samples=40000,
                                   sampled_Lambda=60, sampled_starts=400, sampled_landscapes=24, energy_bins=10,
                                   census_samples=4000, curve_samples=6000),
}


def finite_lambda_law_table(Lambdas, energies, n_samples: int, generator, *, H: int = 3, p: float = 1.0):
    """Eq. (8) of Becker, Zhang & Lee (2020), its O(1) correction and the exact finite-Λ law, side by side.

    For each Λ of ``Lambdas`` (in order) and each weighting (first eq. (9)'s conditioning on positivity,
    ``weighted=False``, then the Kac–Rice census, ``weighted=True``), the Monte-Carlo mean of the entropy
    at minima of energy ΛE/p = Λ·``energies`` under the exact law of the Hessian
    (:func:`~landscape.spin_glass.minima.entropy_monte_carlo`, ``n_samples`` GOE(Λ − 1) matrices drawn
    from ``generator``, one stream for the whole table), against eq. (8)
    (:func:`~landscape.spin_glass.minima.expected_entropy`) and eq. (8) with the O(1) terms, − c(s)
    [− V(s) with the weight] (:func:`~landscape.spin_glass.minima.expected_entropy_finite`).

    Returns a pandas DataFrame with one row per (Λ, weighting, energy) and the columns ``Λ``,
    ``weighted``, ``E/p``, ``Monte Carlo``, ``se``, ``eq. (8)``, ``corrected``, ``MC − eq. (8)`` and
    ``MC − corrected``.
    """
    import pandas as pd

    from landscape.spin_glass import minima

    if not isinstance(Lambdas, (tuple, list)) or not Lambdas:
        raise ValueError(f"`Lambdas` must be a non-empty tuple of integers >= 2; got {Lambdas!r}")
    Lambdas = [_validate.integer("Lambdas", L, minimum=2) for L in Lambdas]
    u = np.atleast_1d(_validate.finite_array("energies", energies))
    if u.ndim != 1 or u.size == 0:
        raise ValueError(f"`energies` must be a non-empty 1-D array; got shape {u.shape}")
    rows = []
    for L in Lambdas:
        for weighted in (False, True):
            mean, se, _ = minima.entropy_monte_carlo(u, L, H, p, n_samples, generator, weighted=weighted)
            rows.append(pd.DataFrame({"Λ": L, "weighted": weighted, "E/p": u, "Monte Carlo": mean, "se": se,
                                      "eq. (8)": minima.expected_entropy(u, L, H, p),
                                      "corrected": minima.expected_entropy_finite(u, L, H, p, weighted=weighted)}))
    finite = pd.concat(rows, ignore_index=True)
    finite["MC − eq. (8)"] = finite["Monte Carlo"] - finite["eq. (8)"]
    finite["MC − corrected"] = finite["Monte Carlo"] - finite["corrected"]
    return finite


def energy_bin_table(energy, entropy, census, census_se, n_bins: int):
    """Sampled minima binned by energy against the census law, as in Fig. 4 (right) of Becker, Zhang & Lee (2020).

    ``energy`` (E/Λ) and ``entropy`` (S = −log det Hess) of each sampled minimum, and the census mean
    ``census`` of S at its energy with its Monte-Carlo standard error ``census_se`` (NaN where the
    census has no value, e.g. from :func:`~landscape.spin_glass.minima.entropy_monte_carlo`; such
    minima drop out of their bin's census mean and of its standard error ``census_se2``, which is the
    standard error of a mean over the minima that have a census value).  The minima are cut into
    ``n_bins`` quantile bins of energy (bin k holds the energies in [q_k, q_{k+1}), the top one also
    the largest).

    Returns a pandas DataFrame indexed by bin with columns ``n`` (minima), ``u`` (mean E/Λ), ``S`` and
    ``S_sd`` (mean and standard deviation of the sampled S), ``census`` (mean census value),
    ``census_se2`` (standard error of that mean, √Σse²/k over the k minima with a census value), ``se`` (standard error of S − census,
    √(S_sd²/n + census_se2²)) and ``z`` ((S − census)/se).
    """
    import pandas as pd

    u = _validate.finite_array("energy", energy)
    S = _validate.finite_array("entropy", entropy)
    if u.ndim != 1 or u.size < 2:
        raise ValueError(f"`energy` must be a 1-D array of at least two minima; got shape {u.shape}")
    n_bins = _validate.integer("n_bins", n_bins, minimum=1)
    census = np.asarray(census, dtype=float)
    census_se = np.asarray(census_se, dtype=float)
    for name, arr in (("entropy", S), ("census", census), ("census_se", census_se)):
        if arr.shape != u.shape:
            raise ValueError(f"`{name}` must have the shape of `energy` {u.shape}; got {arr.shape}")
    edges = np.quantile(u, np.linspace(0, 1, n_bins + 1))
    which = np.clip(np.searchsorted(edges, u, side="right") - 1, 0, n_bins - 1)
    bins = pd.DataFrame({"bin": which, "E/Λ": u, "S sampled": S, "S census": census, "census se": census_se})
    bt = bins.groupby("bin").agg(n=("E/Λ", "size"), u=("E/Λ", "mean"), S=("S sampled", "mean"), S_sd=("S sampled", "std"),
                                 census=("S census", "mean"),
                                 census_se2=("census se", lambda x: np.sqrt(np.nansum(x**2)) / x.notna().sum()))
    bt["se"] = np.sqrt(bt.S_sd**2 / bt.n + bt.census_se2**2)
    bt["z"] = (bt.S - bt.census) / bt.se
    return bt
