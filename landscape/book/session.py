"""Run parameters of a chapter in one place: profile, device, seeds and figure style.

Every chapter starts with ``run = landscape.book.session.start(profile, device, seed, chapter)``;
that call resolves the device, seeds numpy and torch, applies the figure style and opens
the chapter's claim ledger.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscape import _validate
from landscape.compute import PROFILES, intra_op_threads, numpy_stream, resolve_device, torch_stream
from .ledger import Ledger

__all__ = ["PROFILES", "Session", "start"]


@dataclass
class Session:
    """What a chapter needs to run: resolved parameters, random generators and its ledger."""

    profile: str
    device: object
    seed: int
    ledger: Ledger

    def torch_generator(self, purpose=0, device=None):
        """A fresh torch generator for the stream of ``purpose`` (an integer or a name) on
        ``device`` (default: the session's); seeded by :func:`landscape.compute.stream_seed`."""
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
    threads = intra_op_threads(profile, dev)
    if threads is not None:
        torch.set_num_threads(threads)
    style.use()
    ledger = Ledger(chapter, profile=profile, seed=seed, device=str(dev), directory=ledger_dir)
    return Session(profile=profile, device=dev, seed=seed, ledger=ledger)
