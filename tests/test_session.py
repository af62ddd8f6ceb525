import numpy as np
import pytest
import torch

from landscape import session


def test_start_seeds_and_opens_ledger(tmp_path):
    run = session.start("quick", "cpu", 5, chapter="t", ledger_dir=tmp_path)
    assert run.device == torch.device("cpu")
    assert run.pick(quick=1, full=2) == 1
    a = run.numpy_rng(1).normal(size=3)
    b = session.start("quick", "cpu", 5, chapter="t", ledger_dir=tmp_path).numpy_rng(1).normal(size=3)
    np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.randn(3, generator=run.torch_generator(2)),
                       torch.randn(3, generator=run.torch_generator(2)))
    assert (tmp_path / "t.json").exists()


def test_auto_device_resolves():
    assert session.resolve_device("auto").type in ("cpu", "cuda")


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
        session.resolve_device("cuda")
