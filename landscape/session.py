"""Run parameters of a chapter in one place: profile, device, seeds and figure style.

Every chapter starts with ``run = landscape.session.start(profile, device, seed, chapter)``;
that call resolves the device, seeds numpy and torch, applies the figure style and opens
the chapter's claim ledger.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate
from .ledger import Ledger

__all__ = ["PROFILES", "DEVICES", "resolve_device", "stream_seed", "numpy_stream", "torch_stream", "Session", "start",
           "torch_threads"]

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


def _purpose_words(purpose) -> list[int]:
    """A purpose (a non-negative integer, a string, or a tuple of them) as 32-bit words."""
    import hashlib

    items = purpose if isinstance(purpose, tuple) else (purpose,)
    words: list[int] = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer, str)):
            raise ValueError(f"a stream's `purpose` must be a non-negative integer or a string; got {item!r}")
        if isinstance(item, str):
            # a stable digest (not Python's salted hash), tagged so that "3" and 3 differ
            digest = hashlib.sha256(item.encode()).digest()[:8]
            words += [1, *np.frombuffer(digest, dtype="<u4").tolist()]
        else:
            if item < 0:
                raise ValueError(f"a stream's `purpose` must be a non-negative integer or a string; got {item!r}")
            words += [0, int(item) & 0xFFFFFFFF, int(item) >> 32]
    return words


def stream_seed(seed: int, purpose=0) -> int:
    """A 63-bit seed for the random stream of ``purpose`` in the run with ``seed``.

    Derived with :class:`numpy.random.SeedSequence` from ``[seed, *purpose]``, so streams of
    different purposes, and of different seeds, are independent: ``seed + offset`` arithmetic
    would make seed 1 with offset 100 the same stream as seed 0 with offset 101.
    """
    seed = _validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)
    state = np.random.SeedSequence([seed, *_purpose_words(purpose)]).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)


def numpy_stream(seed: int, purpose=0) -> np.random.Generator:
    """A fresh numpy generator for the stream of ``purpose`` in the run with ``seed``.

    Seeded by ``SeedSequence([seed, *purpose])``: independent streams per seed and purpose.  A
    task run outside the chapter's process (:mod:`landscape.tasks`) rebuilds the chapter's
    streams from ``(seed, purpose)`` alone.
    """
    seed = _validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)
    return np.random.default_rng(np.random.SeedSequence([seed, *_purpose_words(purpose)]))


def torch_stream(seed: int, purpose=0, device="cpu"):
    """A fresh torch generator on ``device`` seeded by :func:`stream_seed` ``(seed, purpose)``."""
    import torch

    g = torch.Generator(device=device)
    g.manual_seed(stream_seed(seed, purpose))
    return g


@dataclass
class Session:
    """What a chapter needs to run: resolved parameters, random generators and its ledger."""

    profile: str
    device: object
    seed: int
    ledger: Ledger

    def pick(self, quick, full):
        """Return the value for the current profile."""
        return quick if self.profile == "quick" else full

    def torch_generator(self, purpose=0, device=None):
        """A fresh torch generator for the stream of ``purpose`` (an integer or a name) on
        ``device`` (default: the session's); seeded by :func:`stream_seed`."""
        return torch_stream(self.seed, purpose, device if device is not None else self.device)

    def numpy_rng(self, purpose=0) -> np.random.Generator:
        """A fresh numpy generator for the stream of ``purpose``; independent streams per purpose."""
        return numpy_stream(self.seed, purpose)


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
    return Session(profile=profile, device=dev, seed=seed, ledger=ledger)


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
