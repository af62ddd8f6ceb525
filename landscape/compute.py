"""Where and how computations run: the device policy, the thread count of a block, random streams.

The mathematics modules take ``device`` and ``dtype`` as arguments; this module only turns the
run's ``device`` parameter into a :class:`torch.device` and bounds threads.  It imports nothing of
the book machinery (:mod:`landscape.book`), so library code may use it freely.
"""
from __future__ import annotations

import numpy as np

from landscape import _validate

__all__ = ["PROFILES", "DEVICES", "resolve_device", "intra_op_threads", "torch_threads", "purpose_words", "stream_seed", "numpy_stream",
           "torch_stream"]

#: Values of the book's ``profile`` parameter (the chapters', the tasks' and the ledger's).
PROFILES = ("quick", "full")

#: Values of the book's ``device`` parameter.
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


def intra_op_threads(profile: str, device) -> int | None:
    """The run's thread policy: how many torch intra-op threads a chapter uses, or ``None`` for
    torch's default (one per core).

    ``quick`` on the CPU uses one: its tensors are small, and on a 2-core machine a second thread
    costs more in contention than it gains (measured up to 6× slower under load).  ``full``, and
    every GPU run, keep torch's default.  Two places narrow it further and say why: the tasks of
    :mod:`landscape.tasks` run with one thread each (the workers already use every core, and a
    kernel's rounding may depend on its thread count), and computations that are many tiny
    operations take an explicit ``threads`` argument (:func:`torch_threads`).
    """
    import torch

    _validate.choice("profile", profile, PROFILES)
    return 1 if profile == "quick" and torch.device(device).type == "cpu" else None


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


def purpose_words(purpose) -> list[int]:
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
    state = np.random.SeedSequence([seed, *purpose_words(purpose)]).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)


def numpy_stream(seed: int, purpose=0) -> np.random.Generator:
    """A fresh numpy generator for the stream of ``purpose`` in the run with ``seed``.

    Seeded by ``SeedSequence([seed, *purpose])``, as the chapter session's ``numpy_rng``: a task
    run outside the chapter's process (:mod:`landscape.tasks`) rebuilds the chapter's streams
    from ``(seed, purpose)`` alone.
    """
    seed = _validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)
    return np.random.default_rng(np.random.SeedSequence([seed, *purpose_words(purpose)]))


def torch_stream(seed: int, purpose=0, device="cpu"):
    """A fresh torch generator on ``device`` seeded by :func:`stream_seed` ``(seed, purpose)``
    (the chapter session's ``torch_generator``)."""
    import torch

    g = torch.Generator(device=device)
    g.manual_seed(stream_seed(seed, purpose))
    return g
