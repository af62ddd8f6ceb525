"""Tests of landscape.tasks: serial and Dask execution give the same results; the cache resumes."""
import numpy as np
import pytest
import torch

from landscape import tasks
from landscape.compute import torch_stream

CALLS = []


def noisy_sum(seed, index, *, n, scale=1.0):
    """A task: a random draw from the stream (seed, "noisy", index) and a small matrix product."""
    CALLS.append(index)
    g = torch_stream(seed, ("noisy", index))
    A = torch.randn(n, n, generator=g, dtype=torch.float64)
    return {"value": float((A @ A.T).trace()) * scale, "draws": A[0].numpy()}


def failing(seed, index):
    if index == 2:
        raise RuntimeError("task 2 breaks")
    return index


def _units(k=5):
    return [tasks.Task(noisy_sum, i, {"n": 3 + i, "scale": 2.0}) for i in range(k)]


def test_local_cluster_equals_serial(tmp_path):
    serial = tasks.run(_units(), seed=7, profile="quick", cluster="serial", cache=False)
    dask = tasks.run(_units(), seed=7, profile="quick", cluster="local", workers=2, processes=False, cache=False)
    assert len(serial) == len(dask) == 5
    for a, b in zip(serial, dask):
        assert a["value"] == b["value"]
        np.testing.assert_array_equal(a["draws"], b["draws"])
    # the seed matters, the task index picks the stream
    other = tasks.run(_units(), seed=8, profile="quick", cluster="serial", cache=False)
    assert other[0]["value"] != serial[0]["value"]
    assert serial[1]["value"] != serial[0]["value"]


def test_cache_resumes_and_keys_by_parameters(tmp_path):
    CALLS.clear()
    first = tasks.run(_units(3), seed=1, profile="full", cluster="serial", cache=tmp_path)
    assert CALLS == [0, 1, 2]
    assert len(list((tmp_path / "full").glob("noisy_sum-*.pt"))) == 3
    # an interrupted run: one result lost; only that task is computed again
    victim = sorted((tmp_path / "full").glob("*.pt"))[0]
    victim.unlink()
    CALLS.clear()
    again = tasks.run(_units(3), seed=1, profile="full", cluster="serial", cache=tmp_path)
    assert len(CALLS) == 1
    assert [r["value"] for r in again] == [r["value"] for r in first]
    # another seed, other parameters or more tasks: new keys
    CALLS.clear()
    tasks.run(_units(4), seed=1, profile="full", cluster="serial", cache=tmp_path)
    assert CALLS == [3]
    CALLS.clear()
    tasks.run(_units(2), seed=2, profile="full", cluster="serial", cache=tmp_path)
    assert CALLS == [0, 1]
    assert tasks.task_key(tasks.Task(noisy_sum, 0, {"n": 3}), 1) != tasks.task_key(tasks.Task(noisy_sum, 0, {"n": 4}), 1)


def test_failed_task_keeps_the_finished_ones(tmp_path):
    units = [tasks.Task(failing, i) for i in range(4)]
    with pytest.raises(RuntimeError, match="task 2 breaks"):
        tasks.run(units, seed=0, profile="quick", cluster="serial", cache=tmp_path)
    assert len(list((tmp_path / "quick").glob("failing-*.pt"))) == 2


def test_default_cluster_and_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(tasks.ENV_CLUSTER, raising=False)
    assert tasks.default_cluster("quick") == "serial" and tasks.default_cluster("full") == "local"
    assert tasks.default_cluster("full", "cuda") == "serial"
    monkeypatch.setenv(tasks.ENV_CLUSTER, "tcp://scheduler:8786")
    assert tasks.default_cluster("quick") == "tcp://scheduler:8786"
    monkeypatch.setenv(tasks.ENV_CACHE, str(tmp_path))
    assert tasks.cache_folder("full") == tmp_path / "full"


def test_bad_input():
    with pytest.raises(ValueError, match="function"):
        tasks.Task(lambda seed, index: 0, 0)
    with pytest.raises(ValueError, match="index"):
        tasks.Task(noisy_sum, -1, {"n": 2})
    with pytest.raises(ValueError, match="params"):
        tasks.Task(noisy_sum, 0, {"n": object()})
    with pytest.raises(ValueError, match="tasks"):
        tasks.run([noisy_sum], seed=0, profile="quick")
    with pytest.raises(ValueError, match="profile"):
        tasks.run(_units(1), seed=0, profile="medium")
    with pytest.raises(ValueError, match="seed"):
        tasks.run(_units(1), seed=-1, profile="quick")
    with pytest.raises(ValueError, match="workers"):
        tasks.run(_units(1), seed=0, profile="quick", workers=0, cache=False)


def test_cluster_names_and_addresses():
    for ok in ("serial", "local", "slurm", "tcp://10.0.0.2:8786", "scheduler:8786"):
        assert tasks.check_cluster(ok) == ok
    for bad in ("my laptop", "", None, "gpu"):
        with pytest.raises(ValueError, match="cluster"):
            tasks.check_cluster(bad)
