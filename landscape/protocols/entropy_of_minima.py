"""Settings of the chapter ``book/entropy_of_minima``.

The chapter checks the expected entropy :math:`S = -\\log\\det\\mathrm{Hess}` at minima of the spherical
spin glass, eq. (8) of Becker, Zhang & Lee (2020), with :mod:`landscape.spin_glass.minima`: the
semicircle integral against Monte Carlo on GOE matrices of growing size
(:func:`~landscape.spin_glass.minima.goe_log_det`), Fig. 3 on an energy grid, the O(1) finite-Λ
correction against the exact law of the Hessian (:func:`~landscape.spin_glass.minima.entropy_monte_carlo`),
and minima found by descent (:func:`~landscape.spin_glass.minima.sample_minima`) binned by energy.
:class:`EntropyOfMinimaProfile` holds the sizes and Monte-Carlo budgets of these parts;
:data:`PROFILES` the quick and full instances.
"""
from __future__ import annotations

from dataclasses import dataclass

from landscape import _validate

__all__ = ["EntropyOfMinimaProfile", "PROFILES"]


def _increasing_integers(name, value, minimum):
    if not isinstance(value, tuple) or not value:
        raise ValueError(f"`{name}` must be a non-empty tuple of integers >= {minimum}; got {value!r}")
    for v in value:
        _validate.integer(name, v, minimum=minimum)
    if list(value) != sorted(set(value)):
        raise ValueError(f"`{name}` must be strictly increasing; got {value!r}")


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
        _increasing_integers("goe_sizes", self.goe_sizes, 1)
        _increasing_integers("law_Lambdas", self.law_Lambdas, 2)
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
