"""Independent units of a chapter's work, run serially or on a Dask cluster, cached on disk.

A chapter's heavy part is often many independent units (one ensemble per width, a batch of
networks, ...).  Each is a :class:`Task`: a module-level function, the task's index and its
parameters (small JSON values).  :func:`run` calls ``function(seed=seed, index=index, **params)``
for every task and returns the results in task order.  The function draws every random number
from streams derived from ``(seed, index or its parameters)`` (:mod:`landscape.compute`), never
from global state, so the results do not depend on where or in which order the tasks run.

Executors (``cluster``):

* ``"serial"`` — in this process, one task after the other (the default of ``quick`` and on a GPU,
  with no start-up cost);
* ``"local"`` — an embedded :class:`distributed.LocalCluster` with one single-threaded worker
  process per core (the default of ``full`` on the CPU; nothing to install or start by hand);
* ``"slurm"`` — a :class:`dask_jobqueue.SLURMCluster` (optional package ``dask-jobqueue``,
  configured as usual through Dask's ``jobqueue.slurm`` settings);
* any other string — the address of a running Dask scheduler (``tcp://host:8786``).

The default comes from the environment variable ``LANDSCAPE_CLUSTER``, which
``python -m landscape run --cluster ...`` sets for the chapters it executes.

Finished tasks are cached: each result is written, as soon as it arrives, to
``<cache>/<profile>/<function>-<key>.pt`` with a key hashed from the function's name, the
parameters, the task index, the seed and the source of the package, so an interrupted run
resumes with the tasks still missing, and any change of the package's code starts afresh.
The cache folder is ``LANDSCAPE_TASK_CACHE`` or ``_build/tasks`` of the checkout.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from landscape import _validate
from landscape.compute import PROFILES

__all__ = ["ENV_CLUSTER", "ENV_CACHE", "Task", "check_cluster", "default_cluster", "cache_folder", "task_key", "run"]

ENV_CLUSTER = "LANDSCAPE_CLUSTER"
ENV_CACHE = "LANDSCAPE_TASK_CACHE"
NAMED_CLUSTERS = ("serial", "local", "slurm")


@dataclass(frozen=True)
class Task:
    """One independent unit: ``function(seed=seed, index=index, **params)``.

    ``function`` must be importable by name (a module-level function) so that worker processes
    can run it; ``params`` must be JSON-serialisable (they enter the cache key).
    """

    function: Callable
    index: int
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if not callable(self.function) or "<" in getattr(self.function, "__qualname__", "<"):
            raise ValueError(f"`function` must be a module-level function; got {self.function!r}")
        object.__setattr__(self, "index", _validate.integer("index", self.index, minimum=0))
        try:
            json.dumps(self.params, sort_keys=True)
        except TypeError as err:
            raise ValueError(f"`params` must be JSON-serialisable (they enter the cache key): {err}") from None

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"


def check_cluster(cluster) -> str:
    """``cluster`` if it is ``serial``, ``local``, ``slurm`` or a scheduler address (``tcp://host:port``,
    ``host:port``); otherwise a ValueError naming the allowed values."""
    import re

    if isinstance(cluster, str) and (cluster in NAMED_CLUSTERS or re.fullmatch(r"[a-z]+://\S+", cluster)
                                     or re.fullmatch(r"[\w.-]+:\d+", cluster)):
        return cluster
    raise ValueError(f"`cluster` must be one of {list(NAMED_CLUSTERS)} or a Dask scheduler address "
                     f"(tcp://host:port); got {cluster!r}")


def default_cluster(profile: str, device: str = "cpu") -> str:
    """``LANDSCAPE_CLUSTER`` if set, else ``local`` for ``full`` on the CPU and ``serial`` otherwise.

    ``quick`` is serial (a cluster's start-up would cost more than it saves); on a GPU the tasks
    run one after the other on the device (``serial``), each filling it with its batch.
    """
    _validate.choice("profile", profile, PROFILES)
    _validate.choice("device", device, ("cpu", "cuda"))
    return os.environ.get(ENV_CLUSTER) or ("local" if profile == "full" and device == "cpu" else "serial")


def cache_folder(profile: str) -> Path:
    """``$LANDSCAPE_TASK_CACHE/<profile>``, or ``_build/tasks/<profile>`` in the checkout the package
    was installed from (in the current folder when it is not installed from a checkout)."""
    base = os.environ.get(ENV_CACHE)
    if not base:
        root = Path(__file__).resolve().parent.parent
        base = (root if (root / "_toc.yml").exists() else Path.cwd()) / "_build" / "tasks"
    return Path(base) / profile


_CODE_DIGEST: list[str] = []


def _code_digest() -> str:
    """Digest of the package's source: a cached result is reused only by the code that made it."""
    if not _CODE_DIGEST:
        h = hashlib.sha256()
        for path in sorted(Path(__file__).parent.glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        _CODE_DIGEST.append(h.hexdigest()[:16])
    return _CODE_DIGEST[0]


def task_key(task: Task, seed: int) -> str:
    """Cache key of ``task`` at ``seed``: a hash of function name, index, parameters, seed and package source."""
    seed = _validate.integer("seed", seed, minimum=0)
    text = json.dumps({"function": task.name, "index": task.index, "params": task.params, "seed": seed,
                       "code": _code_digest()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _call(task: Task, seed: int):
    # one intra-op thread per task: the numbers of a matrix kernel may depend on its thread count,
    # and the workers already use every core
    from landscape.compute import torch_threads

    with torch_threads(1):
        return task.function(seed=seed, index=task.index, **task.params)


def _save(path: Path, result) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    torch.save(result, tmp)
    os.replace(tmp, path)       # atomic: an interrupted write leaves no half file behind


def _load(path: Path):
    import torch

    return torch.load(path, weights_only=False)


def _client(cluster: str, workers: int | None, processes: bool):
    """A Dask client for ``cluster`` and whatever must be closed with it."""
    from distributed import Client, LocalCluster

    if cluster == "local":
        lc = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=processes,
                          dashboard_address=":0")
        return Client(lc), lc
    if cluster == "slurm":
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError:
            raise ValueError("`cluster` 'slurm' needs the optional package dask-jobqueue "
                             "(pip install 'dask-jobqueue>=0.8,<1')") from None
        sc = SLURMCluster()
        sc.scale(jobs=workers or 1)
        return Client(sc), sc
    return Client(cluster), None


def run(tasks, *, seed: int, profile: str, cluster: str | None = None, cache: bool | str | Path = True,
        workers: int | None = None, processes: bool = True, device: str = "cpu", echo=None) -> list:
    """Results of ``tasks`` (in their order), from the cache or computed on ``cluster``.

    Parameters
    ----------
    tasks : sequence of :class:`Task`
    seed : int >= 0   passed to every task
    profile : ``quick`` or ``full``   names the cache folder (and the default cluster)
    cluster : ``serial``, ``local``, ``slurm`` or a scheduler address; default :func:`default_cluster`
        ``(profile, device)``
    cache : True (the folder :func:`cache_folder`), a folder, or False (no cache)
    workers : workers of a ``local`` cluster (default: one per core) or Slurm jobs
    processes : ``local`` workers as processes (default) or threads of this process
    echo : optional callable printing one line per computed task

    Every result is saved as soon as it arrives, so an interrupted call resumes where it stopped.
    """
    tasks = list(tasks)
    if not all(isinstance(t, Task) for t in tasks):
        raise ValueError("`tasks` must be a sequence of landscape.tasks.Task")
    seed = _validate.integer("seed", seed, minimum=0)
    _validate.choice("profile", profile, PROFILES)
    cluster = check_cluster(cluster or default_cluster(profile, device))
    if workers is not None:
        workers = _validate.integer("workers", workers, minimum=1)
    folder = None if cache is False else (cache_folder(profile) if cache is True else Path(cache) / profile)
    paths = [None if folder is None else folder / f"{t.function.__name__}-{task_key(t, seed)}.pt" for t in tasks]
    results: list = [None] * len(tasks)
    todo = []
    for k, path in enumerate(paths):
        if path is not None and path.exists():
            results[k] = _load(path)
        else:
            todo.append(k)

    def done(k, result):
        results[k] = result
        if paths[k] is not None:
            _save(paths[k], result)
        if echo:
            echo(f"task {tasks[k].name}[{tasks[k].index}] done")

    if not todo:
        return results
    if cluster == "serial":
        for k in todo:
            done(k, _call(tasks[k], seed))
        return results
    from distributed import as_completed

    client, owned = _client(cluster, workers, processes)
    try:
        futures = {client.submit(_call, tasks[k], seed, pure=False): k for k in todo}
        for fut in as_completed(futures):
            done(futures[fut], fut.result())
    finally:
        client.close()
        if owned is not None:
            owned.close()
    return results
