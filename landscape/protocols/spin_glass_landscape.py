"""Settings and small helpers of the chapter ``book/spin_glass_landscape``.

The chapter reproduces the descent experiment of Choromanska et al. (2015, §5.1, Figs. 3 and 8):
Riemannian gradient descent on the H-spin spherical spin glass (:mod:`landscape.spin_glass.sphere`,
:func:`~landscape.spin_glass.sphere.descent_experiment`) from random starts, several coupling draws per
Λ, at the values of Λ of the profile.  The analytic part of the chapter (the thresholds E_k, the
complexities Θ_{k,H}, Theorem 11.1's prefactors) is identical at both profiles and has no settings
here.  :data:`PROFILES` holds the quick and full settings; :func:`descent_runs` runs the experiment
over the profile's Λ and :func:`descent_summary` tabulates it per Λ; :func:`decided` picks the
sentence of the chapter's summary that matches a statistical claim's outcome.
"""
from __future__ import annotations

from dataclasses import dataclass

from landscape import _validate

__all__ = ["SpinGlassLandscapeProfile", "PROFILES", "descent_runs", "descent_summary", "decided"]


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
        _validate.increasing_integers("Lambdas", self.Lambdas, minimum=3)
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


def descent_runs(profile: SpinGlassLandscapeProfile, generators, *, H: int = 3, grad_tol_rms: float = 1e-4,
                 index_tol: float = 1e-3, continue_saddles: float | None = 100.0, progress: bool = True):
    """The descent experiment of Choromanska et al. (2015, §5.1, Figs. 3 and 8) at every Λ of ``profile``.

    For each Λ of ``profile.Lambdas``, in increasing order,
    :func:`~landscape.spin_glass.sphere.descent_experiment` on ``profile.n_draws`` coupling draws of
    ``profile.n_starts`` starts each (step budget ``profile.max_steps``), with the H-spin glass of order
    ``H``, the stopping rule ``grad_tol_rms``, the index cut-off ``index_tol`` and the continuation of
    saddles ``continue_saddles`` passed on.  ``generators`` maps each Λ to the ``torch.Generator`` its
    couplings and starts are drawn from (one stream per Λ, so a Λ's end points do not depend on the
    others).  ``progress`` shows a bar over Λ.

    Returns the end points of every Λ in one pandas DataFrame (the columns of
    :func:`~landscape.spin_glass.sphere.descent_experiment`), Λ by Λ.
    """
    import pandas as pd

    from landscape.progress import progress_bar
    from landscape.spin_glass import sphere

    if not isinstance(profile, SpinGlassLandscapeProfile):
        raise ValueError(f"`profile` must be a SpinGlassLandscapeProfile; got {type(profile).__name__}")
    missing = [L for L in profile.Lambdas if L not in generators]
    if missing:
        raise ValueError(f"`generators` must hold a torch.Generator for every Lambda of the profile; missing {missing}")
    if not isinstance(progress, bool):
        raise ValueError(f"`progress` must be True or False; got {progress!r}")
    frames = []
    for L in progress_bar(profile.Lambdas, desc="Λ", enabled=progress):
        frames.append(sphere.descent_experiment(L, H, n_starts=profile.n_starts, n_draws=profile.n_draws,
                                                generator=generators[L], grad_tol_rms=grad_tol_rms,
                                                max_steps=profile.max_steps, index_tol=index_tol,
                                                continue_saddles=continue_saddles))
    return pd.concat(frames, ignore_index=True)


def descent_summary(runs):
    """Per-Λ summary of descent end points (Choromanska et al. 2015, §5.2, Figs. 3 (left) and 8 (top)).

    ``runs`` is a table like :func:`descent_runs` returns: columns ``Lambda``, ``draw``, ``energy``
    (H/Λ), ``index`` and ``steps``, several draws per Λ.  The energies are first summarised per coupling
    draw (mean, standard deviation, minimum), so that the standard errors across draws include the
    disorder.

    Returns a pandas DataFrame indexed by Λ with columns ``mean`` (mean over draws of the per-draw mean
    energy), ``mean_se`` (its standard error over draws), ``spread`` (mean over draws of the within-draw
    standard deviation), ``spread_se`` (its standard error over draws), ``lowest`` (lowest energy),
    ``pooled std`` (standard deviation over all end points), ``minima %`` (share of end points of index
    0, in per cent), ``max index`` and ``median steps``.
    """
    import pandas as pd

    if not isinstance(runs, pd.DataFrame):
        raise ValueError(f"`runs` must be a pandas DataFrame; got {type(runs).__name__}")
    missing = sorted({"Lambda", "draw", "energy", "index", "steps"} - set(runs.columns))
    if missing:
        raise ValueError(f"`runs` must have the columns Lambda, draw, energy, index and steps; missing {missing}")
    per_draw = runs.groupby(["Lambda", "draw"])["energy"].agg(["mean", "std", "min"])
    summary = per_draw.groupby("Lambda").agg(mean=("mean", "mean"), mean_se=("mean", "sem"),
                                              spread=("std", "mean"), spread_se=("std", "sem"), lowest=("min", "min"))
    by_lambda = runs.groupby("Lambda")
    summary["pooled std"] = by_lambda["energy"].std()
    summary["minima %"] = 100 * by_lambda["index"].apply(lambda s: (s == 0).mean())
    summary["max index"] = by_lambda["index"].max()
    summary["median steps"] = by_lambda["steps"].median()
    return summary


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
