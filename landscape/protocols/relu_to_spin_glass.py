"""Settings of the chapter ``book/relu_to_spin_glass``.

The chapter checks each link of the reduction of a ReLU network to the H-spin spherical spin glass
(Choromanska et al. 2015, §3 and supplement §§7–9; Becker, Zhang & Lee 2020, eqs. (1)–(4)) with the
functions of :mod:`landscape.spin_glass.paths` and :mod:`landscape.spin_glass.hamiltonian`: the path
identity on random architectures, the Bernoulli-gate average, the mass–size chain of Theorem 3.1,
the covariance of the Hamiltonian by Monte Carlo over couplings, Lemma 8.1 on classifiers built as
in its proof, and the correlation bounds of Theorems 3.2 and 3.3.  Its Monte-Carlo sample sizes and
the numbers of random architectures and trials are the fields of :class:`ReluToSpinGlassProfile`;
the tolerances follow from the standard errors at each size, so the checks are the same at both
profiles.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from landscape import _validate

__all__ = ["ReluToSpinGlassProfile", "PROFILES"]


@dataclass(frozen=True, kw_only=True)
class ReluToSpinGlassProfile:
    """Settings of ``book/relu_to_spin_glass`` at one profile (every field an integer >= 1).

    Attributes
    ----------
    name : the profile's name
    path_architectures : random architectures (depth 1–5) whose paths are enumerated (eq. (1))
    gate_draws : Bernoulli gate draws of the eq. (4) average
    random_architectures : random architectures (depth 1–10) of the Theorem 3.1 chain
    covariance_draws : coupling draws per depth of the covariance check (eqs. (2)–(3))
    lemma_points : data points of each pair of classifiers built as in the proof of Lemma 8.1
    reduction_networks : random networks quantised to weight-shared reduction images (Theorem 3.2)
    reduction_inputs : Gaussian inputs per reduction image
    uniformity_trials : random multiplicity tables per uniformity constant c (Theorem 3.3)
    closed_form_draws : simulated input draws checking the closed form of supplement §9
    """

    name: str
    path_architectures: int
    gate_draws: int
    random_architectures: int
    covariance_draws: int
    lemma_points: int = 20000
    reduction_networks: int
    reduction_inputs: int
    uniformity_trials: int
    closed_form_draws: int

    def __post_init__(self):
        for f in fields(self):
            if f.name != "name":
                # two at least: every Monte-Carlo size also sets a sample standard deviation
                _validate.integer(f.name, getattr(self, f.name), minimum=2)


#: ``quick``: 10⁴–4·10⁴ Monte-Carlo draws per check and up to 3000 random architectures; ``full``:
#: about ten times as many (4·10⁵ coupling draws for the covariance, 30 000 architectures).
PROFILES = {
    "quick": ReluToSpinGlassProfile(name="quick", path_architectures=40, gate_draws=20000,
                                    random_architectures=3000, covariance_draws=40000, reduction_networks=12,
                                    reduction_inputs=20000, uniformity_trials=200, closed_form_draws=20000),
    "full": ReluToSpinGlassProfile(name="full", path_architectures=400, gate_draws=200000,
                                   random_architectures=30000, covariance_draws=400000, reduction_networks=60,
                                   reduction_inputs=200000, uniformity_trials=2000, closed_form_draws=50000),
}
