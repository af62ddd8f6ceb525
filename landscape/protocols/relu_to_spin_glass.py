"""Settings of the chapter ``book/relu_to_spin_glass``.

The chapter checks each link of the reduction of a ReLU network to the H-spin spherical spin glass
(Choromanska et al. 2015, §3 and supplement §§7–9; Becker, Zhang & Lee 2020, eqs. (1)–(4)) with the
functions of :mod:`landscape.spin_glass.paths` and :mod:`landscape.spin_glass.hamiltonian`: the path
identity on random architectures, the Bernoulli-gate average, the mass–size chain of Theorem 3.1,
the covariance of the Hamiltonian by Monte Carlo over couplings, Lemma 8.1 on classifiers built as
in its proof, and the correlation bounds of Theorems 3.2 and 3.3.  Its Monte-Carlo sample sizes and
the numbers of random architectures and trials are the fields of :class:`ReluToSpinGlassProfile`;
the tolerances follow from the standard errors at each size, so the checks are the same at both
profiles.  :func:`random_widths`, :func:`path_identity_table` and :func:`mass_size_table` build the
chapter's tables over random architectures; :func:`covariance_table` the Monte-Carlo covariance of
the Hamiltonian and :func:`lemma81_table` the grid of Lemma 8.1.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from landscape import _validate
from landscape.spin_glass import hamiltonian, paths

__all__ = ["ReluToSpinGlassProfile", "PROFILES", "random_widths", "path_identity_table", "mass_size_table",
           "overlap_pairs", "covariance_table", "lemma81_table"]


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


def random_widths(rng: np.random.Generator, *, max_depth: int, max_input: int, max_hidden: int) -> tuple[int, ...]:
    """A random architecture ``(n_0, n_1, ..., n_{H-1}, 1)`` of Choromanska et al. (2015, §3): scalar output.

    Draws, in this order from ``rng``, the depth H uniform in 1..``max_depth``, the input width n_0
    uniform in 1..``max_input`` and each hidden width n_1, …, n_{H-1} uniform in 1..``max_hidden``.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"`rng` must be a numpy.random.Generator; got {type(rng).__name__}")
    max_depth = _validate.integer("max_depth", max_depth, minimum=1)
    max_input = _validate.integer("max_input", max_input, minimum=1)
    max_hidden = _validate.integer("max_hidden", max_hidden, minimum=1)
    depth = int(rng.integers(1, max_depth + 1))
    return ((int(rng.integers(1, max_input + 1)),)
            + tuple(int(rng.integers(1, max_hidden + 1)) for _ in range(depth - 1)) + (1,))


def path_identity_table(n_architectures: int, rng: np.random.Generator, *, n_inputs: int = 50, max_depth: int = 5,
                        max_input: int = 6, max_hidden: int = 5):
    """The path identity eq. (1) of Choromanska et al. (2015) on random architectures; one row each.

    For each of ``n_architectures`` architectures from :func:`random_widths`, Gaussian weights
    (:func:`~landscape.spin_glass.paths.random_weights`) and ``n_inputs`` standard normal inputs are
    drawn from ``rng`` (in that order), and the forward pass
    (:func:`~landscape.spin_glass.paths.relu_forward`) is compared with the explicit sum over every path
    (:func:`~landscape.spin_glass.paths.path_expansion`).

    Returns a pandas DataFrame with columns ``widths``, ``paths`` (number of enumerated paths), ``mass``
    (Ψ, Definition 3.1), ``active outputs`` (share of inputs with a positive output), ``max |difference|``
    (between the two evaluations) and ``scale`` (largest |output|, 1 when every output is 0).
    """
    import pandas as pd

    n_architectures = _validate.integer("n_architectures", n_architectures, minimum=1)
    n_inputs = _validate.integer("n_inputs", n_inputs, minimum=1)
    rows = []
    for _ in range(n_architectures):
        widths = random_widths(rng, max_depth=max_depth, max_input=max_input, max_hidden=max_hidden)
        weights = paths.random_weights(widths, rng)
        X = rng.normal(size=(n_inputs, widths[0]))
        forward = paths.relu_forward(weights, X)
        expanded = paths.path_expansion(weights, X)
        rows.append({
            "widths": widths,
            "paths": len(paths.enumerate_paths(widths)),
            "mass": paths.network_mass(widths),
            "active outputs": float(np.mean(forward > 0)),
            "max |difference|": float(np.max(np.abs(forward - expanded))),
            "scale": float(np.max(np.abs(forward))) if np.any(forward) else 1.0,
        })
    return pd.DataFrame(rows)


def mass_size_table(n_architectures: int, rng: np.random.Generator, *, max_depth: int = 10, max_input: int = 1999,
                    max_hidden: int = 499, slack: float = 1e-9):
    """Theorem 3.1 of Choromanska et al. (2015) and the step of its proof (supplement §7) on random architectures.

    For each of ``n_architectures`` architectures from :func:`random_widths` one row: the logarithms of
    the chain Ψ²H ≥ N ≥ Ψ^{2/H} H / d^{1/H} ≥ Λ (columns ``log_upper``, ``log_N``, ``log_lower``,
    ``log_Lambda`` of :func:`~landscape.spin_glass.paths.mass_size_bounds`), the depth ``H``, the number
    of weights ``N``, ``chain holds`` (:func:`~landscape.spin_glass.paths.mass_size_chain_holds` with
    ``slack``), and whether the proof's step N ≤ H n_max² holds with n_max over layers 1..H
    (``proof step (layers 1..H)``, as printed) and over all layers (``proof step (all layers)``).
    """
    import pandas as pd

    n_architectures = _validate.integer("n_architectures", n_architectures, minimum=1)
    records = []
    for _ in range(n_architectures):
        widths = random_widths(rng, max_depth=max_depth, max_input=max_input, max_hidden=max_hidden)
        b = paths.mass_size_bounds(widths)
        b["H"] = len(widths) - 1
        b["N"] = paths.network_size(widths)
        b["chain holds"] = paths.mass_size_chain_holds(widths, slack)
        b["proof step (layers 1..H)"] = b["N"] <= paths.proof_intermediate_bound(widths, include_input=False)
        b["proof step (all layers)"] = b["N"] <= paths.proof_intermediate_bound(widths, include_input=True)
        records.append(b)
    return pd.DataFrame(records)


def overlap_pairs(Lambda: int, overlaps, rng: np.random.Generator):
    """A point ``base`` on the sphere |w|² = Λ and, for each r in ``overlaps``, a point w' on it with
    w·w'/Λ = r (in the plane of ``base`` and a second random direction).

    Two standard normal vectors of length Λ are drawn from ``rng`` (in that order); the second is
    made orthogonal to the first.  Returns ``(base, pairs)`` with shapes (Λ,) and (len(overlaps), Λ).
    """
    Lambda = _validate.integer("Lambda", Lambda, minimum=2)
    r = _validate.finite_array("overlaps", overlaps)
    if r.ndim != 1 or np.any(np.abs(r) > 1):
        raise ValueError(f"`overlaps` must be a 1-D array of values in [-1, 1]; got {overlaps!r}")
    base = rng.normal(size=Lambda)
    base *= np.sqrt(Lambda) / np.linalg.norm(base)
    other = rng.normal(size=Lambda)
    other -= other @ base / Lambda * base
    other *= np.sqrt(Lambda) / np.linalg.norm(other)
    return base, np.array([x * base + np.sqrt(1 - x**2) * other for x in r])


def covariance_table(Lambda: int, overlaps, depths, n_draws: int, rng: np.random.Generator, new_generator):
    """The covariance E H(w)H(w') = Λ (w·w'/Λ)^H of the spherical H-spin Hamiltonian (Choromanska
    et al. 2015, eqs. (2)–(3)) by Monte Carlo over coupling draws.

    The points come from :func:`overlap_pairs` (``Lambda``, ``overlaps``, ``rng``); for each H in
    ``depths``, ``n_draws`` coupling tensors are drawn from ``new_generator(H)`` (a fresh torch
    Generator per depth) by :func:`~landscape.spin_glass.hamiltonian.energy_samples`, and the sample
    mean of H(base)·H(w') with its standard error is set against
    :func:`~landscape.spin_glass.hamiltonian.covariance`.

    Returns ``(table, by_depth)``: a pandas DataFrame with columns ``H``, ``overlap``, ``theory``,
    ``monte carlo`` and ``se``, and ``by_depth[H] = (mean, se, theory)`` as arrays over the overlaps.
    """
    import pandas as pd

    n_draws = _validate.integer("n_draws", n_draws, minimum=2)
    base, pairs = overlap_pairs(Lambda, overlaps, rng)
    r = np.asarray(overlaps, dtype=float)
    rows, by_depth = [], {}
    for H in depths:
        samples = hamiltonian.energy_samples(Lambda, H, np.vstack([base[None], pairs]), n_draws, new_generator(H))
        prod = samples[:, :1] * samples[:, 1:]
        mean, se = prod.mean(axis=0), prod.std(axis=0, ddof=1) / np.sqrt(n_draws)
        theory = hamiltonian.covariance(base, pairs, Lambda, H)
        by_depth[H] = (mean, se, theory)
        rows += [{"H": H, "overlap": x, "theory": t, "monte carlo": m, "se": e} for x, t, m, e in zip(r, theory, mean, se)]
    return pd.DataFrame(rows), by_depth


def lemma81_table(n_points: int, ps, *, eps_plus_steps: int = 6, eps_minus_steps: int = 4):
    """Lemma 8.1 of Choromanska et al. (2015, supplement eq. (10)) on sign vectors built as in its proof.

    For each p in ``ps``, ε₊ on ``eps_plus_steps`` points of [0, p] and ε₋ on ``eps_minus_steps``
    points of [0, p − ε₊], :func:`~landscape.spin_glass.paths.disagreement_counts` gives Z1, Z2 over
    ``n_points`` points; the realised p̂ = P(Z1 > 0) and ε̂ = P(Z1 ≠ Z2) are used (a grid point is
    skipped when ε̂ > p̂ or a vector is constant).  Each row holds ``p``, ``eps``, the correlation
    ``corr`` of Z1 and Z2, the lemma's ``bound``, ``E Z2``, and E Z2 by the expansion as printed
    (``printed E Z2``, signs of the two disagreement terms swapped) and as corrected (``corrected E Z2``).
    """
    import pandas as pd

    n_points = _validate.integer("n_points", n_points, minimum=2)
    eps_plus_steps = _validate.integer("eps_plus_steps", eps_plus_steps, minimum=1)
    eps_minus_steps = _validate.integer("eps_minus_steps", eps_minus_steps, minimum=1)
    rows = []
    for p in _validate.finite_array("ps", ps):
        for eps_plus in np.linspace(0, p, eps_plus_steps):
            for eps_minus in np.linspace(0, p - eps_plus, eps_minus_steps):
                z1, z2 = paths.disagreement_counts(n_points, p, eps_plus, eps_minus)
                p_hat = float(np.mean(z1 > 0))
                eps_hat = float(np.mean(z1 != z2))
                if eps_hat > p_hat or min(z2.std(), z1.std()) == 0:
                    continue
                plus_to_minus, minus_to_plus = np.mean((z1 > 0) & (z2 < 0)), np.mean((z1 < 0) & (z2 > 0))
                rows.append({
                    "p": p_hat, "eps": eps_hat,
                    "corr": paths.sign_correlation(z1, z2),
                    "bound": float(paths.sign_correlation_bound(p_hat, eps_hat)),
                    "E Z2": float(z2.mean()),
                    "printed E Z2": 2 * (p_hat + plus_to_minus - minus_to_plus) - 1,
                    "corrected E Z2": 2 * (p_hat - plus_to_minus + minus_to_plus) - 1,
                })
    return pd.DataFrame(rows)
