"""Run parameters of a chapter in one place: profile, device, seeds and figure style.

Every chapter starts with ``run = landscape.session.start(profile, device, seed, chapter)``;
that call resolves the device, seeds numpy and torch, applies the figure style and opens
the chapter's claim ledger.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _validate
from .ledger import Ledger

__all__ = ["PROFILES", "DEVICES", "resolve_device", "Session", "start", "torch_threads"]

PROFILES = ("quick", "full")
DEVICES = ("cpu", "cuda", "auto")


def resolve_device(device: str = "auto"):
    """Map ``"cpu" | "cuda" | "auto"`` to a :class:`torch.device` (``auto`` picks CUDA when torch sees a GPU)."""
    import torch

    _validate.choice("device", device, DEVICES)
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("`device` is 'cuda' but torch sees no GPU; use 'cpu' or 'auto'")
    return torch.device(device)


@dataclass
class Session:
    """What a chapter needs to run: resolved parameters, random generators and its ledger."""

    profile: str
    device: object
    seed: int
    ledger: Ledger
    rng: np.random.Generator = field(repr=False)

    def pick(self, quick, full):
        """Return the value for the current profile."""
        return quick if self.profile == "quick" else full

    def torch_generator(self, offset: int = 0, device=None):
        """A fresh torch generator seeded with ``seed + offset`` on ``device`` (default: the session's)."""
        import torch

        g = torch.Generator(device=device if device is not None else self.device)
        g.manual_seed(self.seed + offset)
        return g

    def numpy_rng(self, offset: int = 0) -> np.random.Generator:
        """A fresh numpy generator seeded with ``(seed, offset)``; independent streams per offset."""
        return np.random.default_rng([self.seed, offset])


def start(profile: str = "quick", device: str = "auto", seed: int = 0, chapter: str = "scratch",
          ledger_dir=None) -> Session:
    """Validate the run parameters, seed numpy and torch, set the figure style, open the ledger."""
    import torch

    from . import style

    _validate.choice("profile", profile, PROFILES)
    seed = _validate.integer("seed", seed, minimum=0, maximum=2**31 - 1)
    dev = resolve_device(device)
    torch.manual_seed(seed)
    np.random.seed(seed)
    # Reproducible numbers across runs on the same machine: one thread order for reductions.
    torch.use_deterministic_algorithms(True, warn_only=True)
    if profile == "quick" and dev.type == "cpu":
        # The quick profile works on small tensors, where a second thread on a 2-core machine
        # costs more in contention than it gains (measured: up to 6x slower under load).
        torch.set_num_threads(1)
    style.use()
    ledger = Ledger(chapter, profile=profile, seed=seed, device=str(dev), directory=ledger_dir)
    return Session(profile=profile, device=dev, seed=seed, ledger=ledger,
                   rng=np.random.default_rng(seed))


class torch_threads:
    """Context manager: run the enclosed block with ``n`` torch intra-op threads, then restore.

    Ensembles of small networks and spin glasses are many small tensor operations, for which
    extra threads on a shared machine only add contention.  Reusable: one instance may guard
    several blocks.
    """

    def __init__(self, n: int = 1):
        self.n = _validate.integer("n", n, minimum=1)
        self._before: list[int] = []

    def __enter__(self):
        import torch

        self._before.append(torch.get_num_threads())
        torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self._before.pop())
        return False
