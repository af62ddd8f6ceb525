"""Settings and small helpers of the chapter ``book/spin_glass_landscape``.

The chapter reproduces the descent experiment of Choromanska et al. (2015, §5.1, Figs. 3 and 8):
Riemannian gradient descent on the H-spin spherical spin glass (:mod:`landscape.spin_glass.sphere`,
:func:`~landscape.spin_glass.sphere.descent_experiment`) from random starts, several coupling draws per
Λ, at the values of Λ of the profile.  The analytic part of the chapter (the thresholds E_k, the
complexities Θ_{k,H}, Theorem 11.1's prefactors) is identical at both profiles and has no settings
here.  :data:`PROFILES` holds the quick and full settings; :func:`decided` picks the sentence of the
chapter's summary that matches a statistical claim's outcome.
"""
from __future__ import annotations

from dataclasses import dataclass

from landscape import _validate

__all__ = ["SpinGlassLandscapeProfile", "PROFILES", "decided"]


@dataclass(frozen=True, kw_only=True)
class SpinGlassLandscapeProfile:
    """Settings of the descent experiment of ``book/spin_glass_landscape`` at one profile.

    Attributes
    ----------
    name : the profile's name
    Lambdas : the values of Λ descended on (increasing; the paper's grid is 25, 50, 100, …, 500)
    n_draws : independent coupling draws per Λ (the standard errors include the disorder)
    n_starts : random starts per coupling draw (``n_draws · n_starts`` end points per Λ; the
        paper uses 1000)
    max_steps : step budget of each descent
    """

    name: str
    Lambdas: tuple
    n_draws: int = 8
    n_starts: int = 125
    max_steps: int = 20000

    def __post_init__(self):
        if not isinstance(self.Lambdas, tuple) or not self.Lambdas:
            raise ValueError(f"`Lambdas` must be a non-empty tuple of integers >= 3; got {self.Lambdas!r}")
        for L in self.Lambdas:
            _validate.integer("Lambdas", L, minimum=3)
        if list(self.Lambdas) != sorted(set(self.Lambdas)):
            raise ValueError(f"`Lambdas` must be strictly increasing; got {self.Lambdas!r}")
        # two draws at least: the standard errors are over draws
        _validate.integer("n_draws", self.n_draws, minimum=2)
        _validate.integer("n_starts", self.n_starts, minimum=1)
        _validate.integer("max_steps", self.max_steps, minimum=1)

    @property
    def end_points(self) -> int:
        """End points of descent per Λ."""
        return self.n_draws * self.n_starts


#: ``quick``: Λ = 25, 50, 100 (the trend claims are decided only at ``full``); ``full``: the paper's
#: grid Λ = 25 … 500 (about 26 minutes on a 2-core CPU, most of it at Λ = 400 and 500).  Both
#: spread 1000 starts per Λ over 8 coupling draws.
PROFILES = {
    "quick": SpinGlassLandscapeProfile(name="quick", Lambdas=(25, 50, 100)),
    "full": SpinGlassLandscapeProfile(name="full", Lambdas=(25, 50, 100, 200, 300, 400, 500)),
}


def decided(claim, yes: str, no: str, undecided: str) -> str:
    """The sentence that matches a statistical claim's outcome at this profile and seed.

    ``claim`` is a ledger claim (anything with ``shown_verdict`` and ``passed``): ``undecided`` when
    the verdict shown is ``"inconclusive"`` (e.g. a claim decided only at ``full``, run at
    ``quick``), else ``yes`` when it passed and ``no`` when it did not.  A chapter's prose thus never
    states a result its ledger did not establish.
    """
    if claim.shown_verdict == "inconclusive":
        return undecided
    return yes if claim.passed else no
