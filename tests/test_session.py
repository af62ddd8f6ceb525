import numpy as np
import pytest
import torch

from landscape import compute
from landscape.book import session


def test_start_seeds_and_opens_ledger(tmp_path):
    run = session.start("quick", "cpu", 5, chapter="t", ledger_dir=tmp_path)
    assert run.device == torch.device("cpu")
    assert not hasattr(run, "pick")  # profiles are read from landscape.protocols, not chosen in a cell
    a = run.numpy_rng(1).normal(size=3)
    b = session.start("quick", "cpu", 5, chapter="t", ledger_dir=tmp_path).numpy_rng(1).normal(size=3)
    np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.randn(3, generator=run.torch_generator(2)),
                       torch.randn(3, generator=run.torch_generator(2)))
    assert (tmp_path / "t.json").exists()


def test_auto_device_resolves():
    assert compute.resolve_device("auto").type in ("cpu", "cuda")


@pytest.mark.parametrize("kwargs, name", [({"profile": "medium"}, "profile"), ({"device": "tpu"}, "device"),
                                          ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed")])
def test_bad_parameters(tmp_path, kwargs, name):
    args = {"profile": "quick", "device": "cpu", "seed": 0, "chapter": "t", "ledger_dir": tmp_path}
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        session.start(**args)


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without a GPU")
def test_cuda_without_gpu_is_refused():
    with pytest.raises(ValueError, match="device"):
        compute.resolve_device("cuda")


def test_streams_of_neighbouring_seeds_and_purposes_are_distinct():
    # with `seed + offset` seeding, seed 1 / offset 100 was the same stream as seed 0 / offset 101
    assert compute.stream_seed(1, 100) != compute.stream_seed(0, 101)
    seeds = {compute.stream_seed(s, p) for s in range(20) for p in (0, 1, 2, 10, 11, "walks", "data")}
    assert len(seeds) == 20 * 7
    assert compute.stream_seed(0, "3") != compute.stream_seed(0, 3)
    assert compute.stream_seed(4, "walks") == compute.stream_seed(4, "walks")
    assert 0 <= compute.stream_seed(2**32 - 1, (7, "x")) < 2**63


def test_numpy_and_torch_streams_differ_by_purpose(tmp_path):
    run = session.start("quick", "cpu", 0, chapter="t", ledger_dir=tmp_path)
    assert not np.array_equal(run.numpy_rng("a").normal(size=4), run.numpy_rng("b").normal(size=4))
    assert not torch.equal(torch.randn(4, generator=run.torch_generator(1)),
                           torch.randn(4, generator=run.torch_generator(2)))


@pytest.mark.parametrize("purpose", [-1, 1.5, None, True])
def test_bad_stream_purpose(purpose):
    with pytest.raises(ValueError, match="purpose"):
        compute.stream_seed(0, purpose)


def test_thread_policy_is_one_function():
    import torch

    from landscape.compute import intra_op_threads

    assert intra_op_threads("quick", "cpu") == 1
    assert intra_op_threads("full", "cpu") is None
    assert intra_op_threads("quick", torch.device("cuda")) is None
    with pytest.raises(ValueError, match="profile"):
        intra_op_threads("medium", "cpu")


def test_start_applies_the_thread_policy(tmp_path):
    import torch

    before = torch.get_num_threads()
    try:
        session.start("quick", "cpu", 0, "scratch", ledger_dir=tmp_path)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
