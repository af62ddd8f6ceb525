"""Settings of the chapter ``book/clustering_of_minima``.

The chapter evaluates the clustering bound sup Ψ_H of Becker, Zhang & Lee (2020, eq. (7), Fig. 2)
with :func:`landscape.spin_glass.minima.clustering_bound` on a grid of energies, and compares it with
distinct minima of the spherical spin glass found by descent
(:func:`landscape.spin_glass.minima.sample_minima`).  :class:`ClusteringOfMinimaProfile` holds the
size of the energy grid and the sampled settings (H, Λ, starts, landscapes); :data:`PROFILES` the
quick and full instances.
"""
from __future__ import annotations

from dataclasses import dataclass

from landscape import _validate

__all__ = ["ClusteringOfMinimaProfile", "PROFILES"]


@dataclass(frozen=True, kw_only=True)
class ClusteringOfMinimaProfile:
    """Settings of ``book/clustering_of_minima`` at one profile.

    Attributes
    ----------
    name : the profile's name
    bound_energies : points of the energy grid E/p in [−2.6, −E_∞(3)] on which Fig. 2's bound is evaluated
    samples : the descent samples, a tuple of ``(H, Lambda, starts, landscapes)``: spin-glass order
        H >= 2, Λ >= 3, starts per landscape >= 2 and independent coupling draws >= 1, as
        :func:`~landscape.spin_glass.minima.sample_minima` takes them; no (H, Λ) twice
    """

    name: str
    bound_energies: int
    samples: tuple

    def __post_init__(self):
        _validate.integer("bound_energies", self.bound_energies, minimum=2)
        if not isinstance(self.samples, tuple) or not self.samples:
            raise ValueError(f"`samples` must be a non-empty tuple of (H, Lambda, starts, landscapes); got {self.samples!r}")
        for i, setting in enumerate(self.samples):
            if not isinstance(setting, tuple) or len(setting) != 4:
                raise ValueError(f"`samples[{i}]` must be (H, Lambda, starts, landscapes); got {setting!r}")
            for part, value, minimum in zip(("H", "Lambda", "starts", "landscapes"), setting, (2, 3, 2, 1)):
                _validate.integer(f"samples[{i}].{part}", value, minimum=minimum)
        keys = [(H, L) for H, L, _, _ in self.samples]
        if len(set(keys)) != len(keys):
            raise ValueError(f"`samples` must not repeat an (H, Lambda) pair; got {keys!r}")

    @property
    def total_starts(self) -> int:
        """Descents run over all samples (the cost of the sampled part)."""
        return sum(starts * lands for _, _, starts, lands in self.samples)


#: ``quick``: the bound on 120 energies, minima at two small sizes; ``full``: 600 energies and
#: four sizes with more starts and landscapes.
PROFILES = {
    "quick": ClusteringOfMinimaProfile(name="quick", bound_energies=120,
                                       samples=((3, 30, 120, 3), (4, 16, 100, 1))),
    "full": ClusteringOfMinimaProfile(name="full", bound_energies=600,
                                      samples=((3, 40, 400, 8), (3, 80, 400, 4), (4, 24, 400, 4), (5, 14, 300, 4))),
}
